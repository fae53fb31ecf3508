import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each submission's status (issue #17), per event and revision: when the ingest API received
 * it, when the sanitizer passed it (clean), the locator placed it (located), the aggregator
 * applied it (aggregated), or when a stage rejected it, which one and why (`rejection`: code,
 * message, violations — field paths and reason codes, never the submitted text). The ingest API
 * writes `received_at` and keeps the rest from the status topic; the aggregator writes
 * `aggregated_at` in its own transaction. Each time is written once (the first wins), so
 * replays change nothing.
 */
export class SubmissionStatus1796660000000 implements MigrationInterface {
  name = 'SubmissionStatus1796660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE submission_status (
         event_id uuid NOT NULL,
         revision int NOT NULL CHECK (revision >= 1),
         source text,
         received_at timestamptz,
         clean_at timestamptz,
         located_at timestamptz,
         aggregated_at timestamptz,
         rejected_at timestamptz,
         rejected_stage text,
         rejection jsonb,
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (event_id, revision)
       )`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE submission_status`);
  }
}
