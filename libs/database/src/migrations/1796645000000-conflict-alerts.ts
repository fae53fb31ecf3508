import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conflict alerts (README, "Conflict alerts"): `alert` holds each pair of events' current
 * alert (active or retracted), written by the aggregator in the transaction of the batch that
 * changed it; `alert_outbox` holds every version of an alert to publish on `cortege.alerts.v1`,
 * in order, until the publisher has sent it. `cortege_arrondissement` places a point in an
 * arrondissement from the gazetteer (its nearest address's INSEE code; null without a gazetteer).
 */
export class ConflictAlerts1796645000000 implements MigrationInterface {
  name = 'ConflictAlerts1796645000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert (
        event_a uuid NOT NULL,
        event_b uuid NOT NULL CHECK (event_b > event_a),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'RETRACTED')),
        kind_a text NOT NULL,
        kind_b text NOT NULL,
        revision_a integer NOT NULL CHECK (revision_a >= 1),
        revision_b integer NOT NULL CHECK (revision_b >= 1),
        rule text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
        cells text[] NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL CHECK (end_at > start_at),
        arrondissement smallint CHECK (arrondissement BETWEEN 1 AND 16),
        version integer NOT NULL CHECK (version >= 1),
        digest text NOT NULL,
        changed_at timestamptz NOT NULL,
        point geometry(Point, 4326) NOT NULL,
        geom geometry(MultiPolygon, 4326) NOT NULL,
        PRIMARY KEY (event_a, event_b)
      )`);
    await q.query(`CREATE INDEX alert_event_b ON alert (event_b)`);
    await q.query(`CREATE INDEX alert_time ON alert (start_at, end_at)`);
    await q.query(`CREATE INDEX alert_geom_gist ON alert USING gist (geom)`);
    await q.query(`
      CREATE TABLE alert_outbox (
        seq bigserial PRIMARY KEY,
        event_a uuid NOT NULL,
        event_b uuid NOT NULL,
        version integer NOT NULL,
        record jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        UNIQUE (event_a, event_b, version)
      )`);
    await q.query(
      `CREATE INDEX alert_outbox_pending ON alert_outbox (seq) WHERE published_at IS NULL`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION cortege_arrondissement(p geometry) RETURNS smallint
        LANGUAGE plpgsql STABLE AS $$
      DECLARE found smallint;
      BEGIN
        IF to_regclass('gazetteer_address') IS NULL THEN RETURN NULL; END IF;
        EXECUTE 'SELECT (code_insee::integer - 13200)::smallint FROM gazetteer_address
                  WHERE code_insee BETWEEN ''13201'' AND ''13216''
                  ORDER BY geom <-> $1 LIMIT 1' INTO found USING p;
        RETURN found;
      END $$`);
    await q.query(`
      CREATE VIEW v_alerts AS
        SELECT event_a, event_b, status, kind_a, kind_b, revision_a, revision_b, rule, severity,
               cells, start_at, end_at, arrondissement, version, changed_at, point, geom
          FROM alert`);
    await q.query(`GRANT SELECT ON v_alerts TO cortege_analyst`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE ALL ON v_alerts FROM cortege_analyst`);
    await q.query(`DROP VIEW IF EXISTS v_alerts`);
    await q.query(`DROP FUNCTION IF EXISTS cortege_arrondissement(geometry)`);
    await q.query(`DROP TABLE IF EXISTS alert_outbox, alert`);
  }
}
