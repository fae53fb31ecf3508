import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the aggregator needs to recompute incrementally and idempotently:
 * - `event_region`: the last presence record applied per (event, H3 region) — its revision and
 *   action, and the event's scoring attributes (never free text). A replayed or late record of
 *   an older revision is recognised here, cancels included.
 * - `event_presence.region` (what one record replaces) and `parents` (the cell's ancestors at
 *   the scored resolutions, itself included; GIN indexed), so the presence around a coarse cell
 *   is found without an H3 extension in PostgreSQL. A cell may hold several intervals of one
 *   event (a route through it twice): the key gains `start_at`.
 * - `cell_tension.event_ids` (GIN indexed: the rows an event contributes to, which a change of
 *   that event may alter) and `tension_zone.cells`: who and where, for zones and analysts.
 */
export class AggregationLedger1764400000000 implements MigrationInterface {
  name = 'AggregationLedger1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_region (
        event_id uuid NOT NULL,
        region text NOT NULL,
        revision integer NOT NULL CHECK (revision >= 1),
        action text NOT NULL CHECK (action IN ('UPSERT','CANCEL')),
        kind text CHECK (kind IN ('MOVING_DEMONSTRATION','STATIC_DEMONSTRATION','SCHEDULED_OPERATION','OFFICIAL_VISIT')),
        theme text,
        people_expected integer,
        people_declared integer,
        cars_expected integer,
        cars_declared integer,
        PRIMARY KEY (event_id, region)
      )`);
    await q.query(`ALTER TABLE event_presence ADD COLUMN region text NOT NULL`);
    await q.query(`ALTER TABLE event_presence ADD COLUMN parents text[] NOT NULL`);
    await q.query(`ALTER TABLE event_presence DROP CONSTRAINT event_presence_pkey`);
    await q.query(`ALTER TABLE event_presence ADD PRIMARY KEY (cell, event_id, start_at)`);
    await q.query(`DROP INDEX event_presence_event`);
    await q.query(`CREATE INDEX event_presence_event_region ON event_presence (event_id, region)`);
    await q.query(`CREATE INDEX event_presence_parents ON event_presence USING gin (parents)`);
    await q.query(`ALTER TABLE cell_tension ADD COLUMN event_ids uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE INDEX cell_tension_event_ids ON cell_tension USING gin (event_ids)`);
    // v_tension_day filters on the local day: index that expression (immutable for a fixed zone).
    await q.query(
      `CREATE INDEX cell_tension_local_day ON cell_tension (resolution, ((bucket_start AT TIME ZONE 'Europe/Paris')::date))`,
    );
    await q.query(`ALTER TABLE tension_zone ADD COLUMN cells text[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE OR REPLACE VIEW v_zones AS
        SELECT zone_id, resolution, bucket_start, bucket_end, peak_score, peak_cell, cell_count,
               event_ids, kinds, geom, cells
          FROM tension_zone`);
    // Where and when each current event is, for analysts (no geometry: the cells are H3 ids).
    await q.query(`
      CREATE VIEW v_presence AS
        SELECT event_id, cell, start_at, end_at FROM event_presence`);
    await q.query(`GRANT SELECT ON v_presence TO cortege_analyst`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW v_presence`);
    await q.query(`DROP VIEW v_zones`);
    await q.query(`
      CREATE VIEW v_zones AS
        SELECT zone_id, resolution, bucket_start, bucket_end, peak_score, peak_cell, cell_count,
               event_ids, kinds, geom
          FROM tension_zone`);
    await q.query(`GRANT SELECT ON v_zones TO cortege_analyst`);
    await q.query(`ALTER TABLE tension_zone DROP COLUMN cells`);
    await q.query(`DROP INDEX cell_tension_local_day`);
    await q.query(`DROP INDEX cell_tension_event_ids`);
    await q.query(`ALTER TABLE cell_tension DROP COLUMN event_ids`);
    await q.query(`DROP INDEX event_presence_parents`);
    await q.query(`DROP INDEX event_presence_event_region`);
    await q.query(`ALTER TABLE event_presence DROP CONSTRAINT event_presence_pkey`);
    await q.query(`ALTER TABLE event_presence ADD PRIMARY KEY (cell, event_id)`);
    await q.query(`CREATE INDEX event_presence_event ON event_presence (event_id)`);
    await q.query(`ALTER TABLE event_presence DROP COLUMN parents, DROP COLUMN region`);
    await q.query(`DROP TABLE event_region`);
  }
}
