import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analysts' tables (README, "Storage (PostGIS)"): every geometry typed with SRID 4326 and GiST
 * indexed, primary keys everywhere, so QGIS opens each table as a layer. Keys lead with the
 * H3 cell or event id, so Citus can distribute them by those columns. No free text but the
 * sanitizer's scrubbed subject of an event.
 */
export class TensionSchema1764300000000 implements MigrationInterface {
  name = 'TensionSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis`);
    await q.query(`
      CREATE TABLE event (
        event_id uuid PRIMARY KEY,
        revision integer NOT NULL CHECK (revision >= 1),
        kind text NOT NULL CHECK (kind IN ('MOVING_DEMONSTRATION','STATIC_DEMONSTRATION','SCHEDULED_OPERATION','OFFICIAL_VISIT')),
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL CHECK (end_at > start_at),
        people integer CHECK (people >= 0),
        cars integer CHECK (cars >= 0),
        organiser_status text,
        theme text,
        geocode_quality text NOT NULL CHECK (geocode_quality IN ('EXACT','PARTIAL')),
        geom geometry(Geometry, 4326) NOT NULL,
        located_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX event_geom_gist ON event USING gist (geom)`);
    await q.query(`CREATE INDEX event_time ON event (start_at, end_at)`);
    await q.query(`
      CREATE TABLE event_presence (
        event_id uuid NOT NULL,
        cell text NOT NULL,
        revision integer NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL CHECK (end_at > start_at),
        PRIMARY KEY (cell, event_id)
      )`);
    await q.query(`CREATE INDEX event_presence_event ON event_presence (event_id)`);
    await q.query(`
      CREATE TABLE cell_tension (
        resolution smallint NOT NULL CHECK (resolution BETWEEN 0 AND 15),
        cell text NOT NULL,
        bucket_start timestamptz NOT NULL,
        load double precision NOT NULL,
        conflict double precision NOT NULL,
        score double precision NOT NULL,
        event_count integer NOT NULL,
        geom geometry(Polygon, 4326) NOT NULL,
        PRIMARY KEY (cell, resolution, bucket_start)
      )`);
    await q.query(`CREATE INDEX cell_tension_geom_gist ON cell_tension USING gist (geom)`);
    await q.query(`CREATE INDEX cell_tension_bucket ON cell_tension (resolution, bucket_start)`);
    await q.query(`
      CREATE TABLE tension_zone (
        zone_id text PRIMARY KEY,
        resolution smallint NOT NULL,
        bucket_start timestamptz NOT NULL,
        bucket_end timestamptz NOT NULL,
        peak_score double precision NOT NULL,
        peak_cell text NOT NULL,
        cell_count integer NOT NULL,
        event_ids uuid[] NOT NULL,
        kinds text[] NOT NULL,
        geom geometry(MultiPolygon, 4326) NOT NULL
      )`);
    await q.query(`CREATE INDEX tension_zone_geom_gist ON tension_zone USING gist (geom)`);
    await q.query(`CREATE INDEX tension_zone_bucket ON tension_zone (resolution, bucket_start)`);
    await q.query(`
      CREATE TABLE consumer_offset (
        consumer_group text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (consumer_group, topic, partition)
      )`);
    await q.query(`
      CREATE TABLE access_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        principal text NOT NULL,
        action text NOT NULL,
        resource text NOT NULL
      )`);

    // Analysts read views only, through a role without any write privilege.
    await q.query(`
      CREATE VIEW v_events AS
        SELECT event_id, revision, kind, start_at, end_at, people, cars, organiser_status, theme,
               geocode_quality, geom
          FROM event`);
    await q.query(`
      CREATE VIEW v_tension_now AS
        SELECT resolution, cell, bucket_start, load, conflict, score, event_count, geom
          FROM cell_tension
         WHERE bucket_start = to_timestamp(floor(extract(epoch FROM now()) / 900) * 900)`);
    await q.query(`
      CREATE VIEW v_tension_day AS
        SELECT resolution, cell, (bucket_start AT TIME ZONE 'Europe/Paris')::date AS day,
               max(score) AS peak_score, sum(score) / 96 AS mean_score, max(event_count) AS max_events,
               (array_agg(geom))[1] AS geom
          FROM cell_tension
         GROUP BY resolution, cell, (bucket_start AT TIME ZONE 'Europe/Paris')::date`);
    await q.query(`
      CREATE VIEW v_zones AS
        SELECT zone_id, resolution, bucket_start, bucket_end, peak_score, peak_cell, cell_count,
               event_ids, kinds, geom
          FROM tension_zone`);
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cortege_analyst') THEN
          CREATE ROLE cortege_analyst NOLOGIN;
        END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO cortege_analyst`);
    await q.query(
      `GRANT SELECT ON v_events, v_tension_now, v_tension_day, v_zones TO cortege_analyst`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `REVOKE ALL ON v_events, v_tension_now, v_tension_day, v_zones FROM cortege_analyst`,
    );
    await q.query(`DROP VIEW IF EXISTS v_zones, v_tension_day, v_tension_now, v_events`);
    await q.query(
      `DROP TABLE IF EXISTS access_audit, consumer_offset, tension_zone, cell_tension, event_presence, event`,
    );
  }
}
