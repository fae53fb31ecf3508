import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import type { Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { tensionModelOf } from '@app/tension';
import { createTestDatabase, syntheticCityDay, type TestDatabase } from '@app/testing';
import { aggregateChecksum } from './aggregate-checksum';
import {
  AggregateRebuild,
  REBUILD_SCHEMA,
  RebuildError,
  type PresenceSource,
} from './aggregate-rebuild';
import { PresenceAggregator, type PresenceInput } from './presence-aggregator';

const config = loadConfig();
const model = tensionModelOf(config.tension);
const GROUP = 'rebuild-test';
const TOPIC = 'cortege.presence.v1';

const inputsOf = (records: readonly Presence[], first: number): PresenceInput[] =>
  records.map((record, i) => ({ topic: TOPIC, partition: 0, offset: String(first + i), record }));

describe('AggregateRebuild against the real PostGIS', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });
  const fresh = async () => {
    const database = await createTestDatabase(config);
    databases.push(database);
    await migrate(database.url);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pools.push(pool);
    return { database, pool };
  };

  it('catches up with a live aggregator that got ahead while it built, then swaps: the tables of every record, once', async () => {
    const season = syntheticCityDay(120, 9, Date.UTC(2026, 4, 1), 5, 4);
    const split = Math.floor(season.length * 0.7);
    const half = Math.floor(split / 2);
    const live = await fresh();
    const liveAggregator = new PresenceAggregator(live.pool, model, GROUP);
    // The live tables hold an older state: the first half, applied as the aggregator does.
    await liveAggregator.applyBatch(inputsOf(season.slice(0, half), 0));

    let reads = 0;
    const source: PresenceSource = {
      async read(from, chunk) {
        reads += 1;
        const start = Number(from.get(0) ?? 0);
        const end = reads === 1 ? split : season.length;
        await chunk(inputsOf(season.slice(start, end), start), []);
        // While the rebuild reads the topic, the live aggregator applies the rest of it.
        if (reads === 1) await liveAggregator.applyBatch(inputsOf(season.slice(half), half));
        return new Map([[0, String(end)]]);
      },
    };
    const indexes = async () =>
      (
        await live.pool.query<{ indexdef: string }>(
          `SELECT indexdef FROM pg_indexes
            WHERE schemaname = 'public'
              AND tablename IN ('event', 'event_region', 'event_presence', 'cell_tension', 'tension_zone')
            ORDER BY indexname`,
        )
      ).rows.map((r) => r.indexdef);
    const before = await indexes();
    const outcome = await new AggregateRebuild(live.database.url, model, GROUP, TOPIC).run(source);
    // The live tables keep every index (the swap builds them again after the load).
    expect(await indexes()).toEqual(before);
    expect(before.length).toBeGreaterThan(10);
    expect(outcome.catchUps).toBe(1);
    expect(outcome.records).toBe(season.length);
    expect(outcome.positions).toEqual({ 0: String(season.length) });

    // The same records applied in batches from scratch give the same tables.
    const reference = await fresh();
    const referenceAggregator = new PresenceAggregator(reference.pool, model, GROUP);
    for (let i = 0; i < season.length; i += 50)
      await referenceAggregator.applyBatch(inputsOf(season.slice(i, i + 50), i));
    const expected = await aggregateChecksum(reference.pool);
    expect(expected.tables.tension_zone!.rows).toBeGreaterThan(0);
    expect(outcome.checksum).toEqual(expected);
    expect(await aggregateChecksum(live.pool)).toEqual(expected);

    // The live aggregator goes on from the rebuilt positions: what it already has is skipped.
    const replayed = await liveAggregator.applyBatch(inputsOf(season.slice(-5), season.length - 5));
    expect(replayed).toMatchObject({ applied: 0, replayed: 5 });
    const { rows } = await live.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1`,
      [REBUILD_SCHEMA],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('refuses a second rebuild while one runs on the same database', async () => {
    const season = syntheticCityDay(20, 3, Date.UTC(2026, 4, 1), 5, 1);
    const { database } = await fresh();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reading: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (reading = resolve));
    const slow: PresenceSource = {
      async read(from, chunk) {
        reading();
        await held;
        if (from.size === 0) await chunk(inputsOf(season, 0), []);
        return new Map([[0, String(season.length)]]);
      },
    };
    const first = new AggregateRebuild(database.url, model, GROUP, TOPIC).run(slow);
    await started;
    const second = new AggregateRebuild(database.url, model, GROUP, TOPIC).run(slow);
    await expect(second).rejects.toThrow(
      new RebuildError('another rebuild is running on this database; wait for it to end'),
    );
    release();
    expect((await first).records).toBe(season.length);
  });
});
