import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A revision is aggregated when the aggregator has applied its presence in every region the
 * locator wrote it to (a march crosses several; each region's records may come in another
 * batch): `located_regions` (from the locator's status record), `aggregated_regions` and
 * `last_aggregated_at` (from the aggregator's transactions) decide `aggregated_at`.
 */
export class SubmissionStatusRegions1796670000000 implements MigrationInterface {
  name = 'SubmissionStatusRegions1796670000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE submission_status
         ADD COLUMN located_regions text[],
         ADD COLUMN aggregated_regions text[] NOT NULL DEFAULT '{}',
         ADD COLUMN last_aggregated_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE submission_status
         DROP COLUMN located_regions, DROP COLUMN aggregated_regions, DROP COLUMN last_aggregated_at`,
    );
  }
}
