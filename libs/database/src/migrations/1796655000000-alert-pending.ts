import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events whose conflict alerts are to be recomputed (README, "Conflict alerts"): a batch
 * that changes an event's presence marks it here, in its transaction; the aggregator recomputes
 * the alerts of the events left alone for `ALERT_SETTLE_MS`, so that an event whose regions
 * arrive in several batches is judged once, whole.
 */
export class AlertPending1796655000000 implements MigrationInterface {
  name = 'AlertPending1796655000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_pending (
        event_id uuid PRIMARY KEY,
        touched_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX alert_pending_touched ON alert_pending (touched_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS alert_pending`);
  }
}
