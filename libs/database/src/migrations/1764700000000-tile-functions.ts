import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vector tiles made by PostGIS, one function per layer, with the signature tile servers call
 * (`fn(z integer, x integer, y integer, query json) returns bytea`, as pg_tileserv and Martin
 * do), so a dedicated tile server can serve the same functions later. The analysts' API calls
 * them for `/tiles/{layer}/{z}/{x}/{y}.mvt`.
 *
 * `query` (every key optional): `start`, `end` — RFC 3339 instants bounding the time (an
 * instant: start = end; absent = open); `resolution` — H3 resolution of cells and zones (absent:
 * 8 up to zoom 11, 9 up to zoom 13, 10 beyond); `bucketMinutes` — length of a bucket (15).
 * Over an interval a cell carries its highest score, load and conflict of the interval's
 * buckets. An empty tile is an empty bytea. Times are written in UTC, ISO 8601. Features come
 * in a fixed order (by cell, zone or event id), so the same data make the same bytes: a tile's
 * ETag changes only when its content does.
 *
 * SECURITY DEFINER so the read-only `cortege_analyst` role (a tile server's) may call them
 * without reading the tables themselves; `search_path` is pinned, as such functions need.
 */
const HEADER = `(z integer, x integer, y integer, query json DEFAULT '{}'::json)
  RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
  SET search_path = public, pg_temp AS $$
DECLARE
  tile geometry := ST_TileEnvelope(z, x, y);
  bounds geometry := ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326);
  res integer := coalesce((query->>'resolution')::integer,
                          CASE WHEN z <= 11 THEN 8 WHEN z <= 13 THEN 9 ELSE 10 END);
  -- Open ends as infinities, so that every time condition is a plain range an index serves.
  t0 timestamptz := coalesce((query->>'start')::timestamptz, '-infinity');
  t1 timestamptz := coalesce((query->>'end')::timestamptz, 'infinity');
  bucket interval := make_interval(mins => coalesce((query->>'bucketMinutes')::integer, 15));
  mvt bytea;
BEGIN`;

const UTC = (column: string) =>
  `to_char((${column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const FUNCTIONS: Record<string, string> = {
  cortege_tile_cells: `
  SELECT ST_AsMVT(t, 'tension-cells', 4096, 'geom') INTO mvt FROM (
    SELECT c.cell, res AS resolution, max(c.score) AS score, max(c.load) AS load,
           max(c.conflict) AS conflict, max(c.event_count) AS event_count,
           ST_AsMVTGeom(ST_Transform((array_agg(c.geom))[1], 3857), tile, 4096, 64, true) AS geom
      FROM cell_tension c
     WHERE c.resolution = res AND c.geom && bounds
       AND c.bucket_start > t0 - bucket AND c.bucket_start <= t1
     GROUP BY c.cell
     ORDER BY c.cell) t
   WHERE t.geom IS NOT NULL;`,
  cortege_tile_zones: `
  SELECT ST_AsMVT(t, 'tension-zones', 4096, 'geom') INTO mvt FROM (
    SELECT z.zone_id, z.resolution, z.peak_score, z.peak_cell, z.cell_count,
           ${UTC('z.bucket_start')} AS start, ${UTC('z.bucket_end + bucket')} AS "end",
           array_to_string(z.kinds, ',') AS kinds, array_to_string(z.event_ids, ',') AS event_ids,
           ST_AsMVTGeom(ST_Transform(z.geom, 3857), tile, 4096, 64, true) AS geom
      FROM tension_zone z
     WHERE z.resolution = res AND z.geom && bounds
       AND z.bucket_end > t0 - bucket AND z.bucket_start <= t1
     ORDER BY z.zone_id) t
   WHERE t.geom IS NOT NULL;`,
  cortege_tile_events: `
  SELECT ST_AsMVT(t, 'events', 4096, 'geom') INTO mvt FROM (
    SELECT e.event_id, e.kind, e.subject, e.organiser_status, e.theme, e.people, e.cars,
           ${UTC('e.start_at')} AS start, ${UTC('e.end_at')} AS "end",
           ST_AsMVTGeom(ST_Transform(coalesce(e.route_geom, e.footprint_geom, e.points_geom), 3857),
                        tile, 4096, 64, true) AS geom
      FROM event e
     WHERE (e.route_geom && bounds OR e.footprint_geom && bounds OR e.points_geom && bounds)
       AND e.end_at > t0 AND e.start_at <= t1
     ORDER BY e.event_id) t
   WHERE t.geom IS NOT NULL;`,
};

export class TileFunctions1764700000000 implements MigrationInterface {
  name = 'TileFunctions1764700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, body] of Object.entries(FUNCTIONS)) {
      await q.query(`CREATE OR REPLACE FUNCTION ${name}${HEADER}${body}
  RETURN coalesce(mvt, ''::bytea);
END $$`);
      await q.query(`REVOKE ALL ON FUNCTION ${name}(integer, integer, integer, json) FROM PUBLIC`);
      await q.query(
        `GRANT EXECUTE ON FUNCTION ${name}(integer, integer, integer, json) TO cortege_analyst`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of Object.keys(FUNCTIONS))
      await q.query(`DROP FUNCTION IF EXISTS ${name}(integer, integer, integer, json)`);
  }
}
