import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The aggregator reads the presence its stale rows need: in some cells (`parents`, GIN) during
 * some hours. The cells of a city centre hold a season of presence; the hours, one day of it.
 * A GiST index on each row's interval lets PostgreSQL intersect the two (a BitmapAnd), so a
 * small batch reads its day instead of every row ever stored around its cells.
 */
export class PresenceTimeIndex1765100000000 implements MigrationInterface {
  name = 'PresenceTimeIndex1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX event_presence_during ON event_presence USING gist (tstzrange(start_at, end_at))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX event_presence_during`);
  }
}
