import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which producer created each event (issue #17): the ingest API records (event id → producer)
 * with the first revision it accepts, by an insert that does nothing when the event is already
 * bound, so several API instances agree; a later revision or cancel by another producer is
 * refused. The producer is the token's client id, else its subject — an application, never a
 * person.
 */
export class IngestEventProducer1796613336638 implements MigrationInterface {
  name = 'IngestEventProducer1796613336638';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE ingest_event_producer (
         event_id uuid PRIMARY KEY,
         producer text NOT NULL CHECK (producer <> ''),
         bound_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingest_event_producer`);
  }
}
