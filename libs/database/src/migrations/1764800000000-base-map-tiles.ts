import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The map's base layer, drawn from the project's own gazetteer so that the map needs nothing
 * from outside: one tile function with the tile servers' signature (as `TileFunctions`), whose
 * tile holds three layers —
 *
 * - `arrondissements`: the outline of each arrondissement, **approximate**: the convex hull of
 *   its gazetteer addresses widened by 120 m (the gazetteer holds no boundaries); properties
 *   `code_insee`, `arrondissement` (1–16);
 * - `streets`: each street of an arrondissement as a line through its addresses in number order
 *   (a sketch of the street, not its axis); property `name`;
 * - `places`: the gazetteer's named places; properties `name`, `kind`.
 *
 * The gazetteer's tables are made by its import, not by a migration: without them the tile is
 * empty. `query` is accepted and ignored. The data are the Base Adresse Nationale's (Licence
 * Ouverte) and OpenStreetMap's (ODbL) for the places, which the map credits.
 */
const BASE_TILE = `CREATE OR REPLACE FUNCTION cortege_tile_base
  (z integer, x integer, y integer, query json DEFAULT '{}'::json)
  RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
  SET search_path = public, pg_temp AS $$
DECLARE
  tile geometry := ST_TileEnvelope(z, x, y);
  bounds geometry := ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326);
  mvt bytea;
BEGIN
  IF to_regclass('gazetteer_address') IS NULL OR to_regclass('gazetteer_place') IS NULL THEN
    RETURN ''::bytea;
  END IF;
  SELECT
    (SELECT coalesce(ST_AsMVT(a, 'arrondissements', 4096, 'geom'), ''::bytea) FROM (
       SELECT o.code_insee, o.code_insee::integer - 13200 AS arrondissement,
              ST_AsMVTGeom(ST_Transform(o.outline, 3857), tile, 4096, 64, true) AS geom
         FROM (SELECT code_insee,
                      ST_Buffer(ST_ConvexHull(ST_Collect(geom))::geography, 120)::geometry AS outline
                 FROM gazetteer_address GROUP BY code_insee) o
        WHERE o.outline && bounds) a
      WHERE a.geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(s, 'streets', 4096, 'geom'), ''::bytea) FROM (
       SELECT l.name, ST_AsMVTGeom(ST_Transform(l.line, 3857), tile, 4096, 64, true) AS geom
         FROM (SELECT min(nom_voie) AS name, ST_MakeLine(geom ORDER BY numero, id) AS line
                 FROM gazetteer_address GROUP BY nom_voie_norm, code_insee
               HAVING count(*) > 1) l
        WHERE l.line && bounds) s
      WHERE s.geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(p, 'places', 4096, 'geom'), ''::bytea) FROM (
       SELECT name, kind, ST_AsMVTGeom(ST_Transform(geom, 3857), tile, 4096, 64, true) AS geom
         FROM gazetteer_place WHERE geom && bounds) p
      WHERE p.geom IS NOT NULL)
    INTO mvt;
  RETURN coalesce(mvt, ''::bytea);
END $$`;

export class BaseMapTiles1764800000000 implements MigrationInterface {
  name = 'BaseMapTiles1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(BASE_TILE);
    await q.query(
      `REVOKE ALL ON FUNCTION cortege_tile_base(integer, integer, integer, json) FROM PUBLIC`,
    );
    await q.query(
      `GRANT EXECUTE ON FUNCTION cortege_tile_base(integer, integer, integer, json) TO cortege_analyst`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS cortege_tile_base(integer, integer, integer, json)`);
  }
}
