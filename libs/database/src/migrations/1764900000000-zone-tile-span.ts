import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cortege_tile_zones` read `tension_zone.bucket_end` as the start of a zone's last bucket, as
 * if the zone ended one bucket later; the aggregator writes it as the end of the bucket. An
 * instant at a bucket's start therefore also drew the zones of the bucket before, and each
 * zone's `end` was one bucket late. Redefined with the span the table holds:
 * [bucket_start, bucket_end).
 */
const ZONES = (span: string, end: string) => `CREATE OR REPLACE FUNCTION cortege_tile_zones
  (z integer, x integer, y integer, query json DEFAULT '{}'::json)
  RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
  SET search_path = public, pg_temp AS $$
DECLARE
  tile geometry := ST_TileEnvelope(z, x, y);
  bounds geometry := ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326);
  res integer := coalesce((query->>'resolution')::integer,
                          CASE WHEN z <= 11 THEN 8 WHEN z <= 13 THEN 9 ELSE 10 END);
  t0 timestamptz := coalesce((query->>'start')::timestamptz, '-infinity');
  t1 timestamptz := coalesce((query->>'end')::timestamptz, 'infinity');
  bucket interval := make_interval(mins => coalesce((query->>'bucketMinutes')::integer, 15));
  mvt bytea;
BEGIN
  SELECT ST_AsMVT(t, 'tension-zones', 4096, 'geom') INTO mvt FROM (
    SELECT z.zone_id, z.resolution, z.peak_score, z.peak_cell, z.cell_count,
           to_char(z.bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start,
           to_char((${end}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "end",
           array_to_string(z.kinds, ',') AS kinds, array_to_string(z.event_ids, ',') AS event_ids,
           ST_AsMVTGeom(ST_Transform(z.geom, 3857), tile, 4096, 64, true) AS geom
      FROM tension_zone z
     WHERE z.resolution = res AND z.geom && bounds
       AND ${span}
     ORDER BY z.zone_id) t
   WHERE t.geom IS NOT NULL;
  RETURN coalesce(mvt, ''::bytea);
END $$`;

export class ZoneTileSpan1764900000000 implements MigrationInterface {
  name = 'ZoneTileSpan1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(ZONES('z.bucket_end > t0 AND z.bucket_start <= t1', 'z.bucket_end'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      ZONES('z.bucket_end > t0 - bucket AND z.bucket_start <= t1', 'z.bucket_end + bucket'),
    );
  }
}
