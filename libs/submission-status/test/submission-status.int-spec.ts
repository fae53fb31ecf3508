import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  createTestDatabase,
  createTopics,
  testKafka,
  testProducer,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import {
  recordAggregated,
  recordStatuses,
  StatusMaterializer,
  StatusWriter,
  SUBMISSION_STATUS_SCHEMA,
  SubmissionStatusStore,
  type StatusRecord,
} from '../src';

const config = loadConfig();
const at = (iso: string) => Date.parse(iso);

describe('submission_status on the real PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: SubmissionStatusStore;

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 2 });
    store = new SubmissionStatusStore(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const record = (eventId: string, patch: Partial<StatusRecord>): StatusRecord => ({
    eventId,
    revision: 1,
    source: 'cortege-pp13',
    stage: 'sanitizer',
    status: 'clean',
    at: at('2026-05-01T07:12:01Z'),
    rejection: null,
    ...patch,
  });

  it('takes the steps in any order, keeps each time from its first record, and replays change nothing', async () => {
    const id = randomUUID();
    const located = record(id, {
      stage: 'locator',
      status: 'located',
      at: at('2026-05-01T07:12:02Z'),
    });
    // The locator's record and the aggregator's transaction may land before the receipt.
    await recordStatuses(pool, [located]);
    await recordAggregated(pool, [{ eventId: id, revision: 1 }], new Date('2026-05-01T07:12:03Z'));
    await store.received(
      [{ eventId: id, revision: 1, source: 'cortege-pp13' }],
      new Date('2026-05-01T07:12:00Z'),
    );
    await recordStatuses(pool, [record(id, {})]);
    const first = await store.revision(id, 1);
    expect(first).toEqual({
      eventId: id,
      revision: 1,
      status: 'aggregated',
      times: {
        received: '2026-05-01T07:12:00.000Z',
        clean: '2026-05-01T07:12:01.000Z',
        located: '2026-05-01T07:12:02.000Z',
        aggregated: '2026-05-01T07:12:03.000Z',
        rejected: null,
      },
      rejection: null,
    });
    // The same records again, later (a replay after a crash): nothing moves.
    await recordStatuses(pool, [
      record(id, { at: at('2026-05-02T00:00:00Z') }),
      { ...located, at: at('2026-05-02T00:00:00Z') },
    ]);
    await recordAggregated(pool, [{ eventId: id, revision: 1 }], new Date('2026-05-02T00:00:00Z'));
    await store.received(
      [{ eventId: id, revision: 1, source: 'other' }],
      new Date('2026-05-02T00:00:00Z'),
    );
    expect(await store.revision(id, 1)).toEqual(first);
  });

  it('is aggregated only once every region the locator wrote has been applied, in either order', async () => {
    const regions = ['871f9b0a9ffffff', '871f9b0a8ffffff', '871f9b0abffffff'];
    const located = (id: string) =>
      record(id, {
        stage: 'locator',
        status: 'located',
        at: at('2026-05-01T07:12:02Z'),
        regions: [...regions].sort(),
      });
    const applied = (id: string, region: string, iso: string) =>
      recordAggregated(pool, [{ eventId: id, revision: 1, region }], new Date(iso));

    // The locator's status first, then the regions in three batches.
    const march = randomUUID();
    await recordStatuses(pool, [located(march)]);
    await applied(march, regions[0]!, '2026-05-01T07:12:03Z');
    await applied(march, regions[1]!, '2026-05-01T07:12:04Z');
    expect((await store.revision(march, 1))?.status).toBe('located');
    await applied(march, regions[2]!, '2026-05-01T07:12:05Z');
    // A replayed region afterwards changes nothing.
    await applied(march, regions[0]!, '2026-05-01T08:00:00Z');
    expect(await store.revision(march, 1)).toMatchObject({
      status: 'aggregated',
      times: { located: '2026-05-01T07:12:02.000Z', aggregated: '2026-05-01T07:12:05.000Z' },
    });

    // The aggregator first (two regions, then the third), the locator's status last.
    const other = randomUUID();
    await recordAggregated(
      pool,
      [
        { eventId: other, revision: 1, region: regions[0]! },
        { eventId: other, revision: 1, region: regions[1]! },
      ],
      new Date('2026-05-01T07:12:03Z'),
    );
    await recordStatuses(pool, [located(other)]);
    expect((await store.revision(other, 1))?.status).toBe('located');
    await applied(other, regions[2]!, '2026-05-01T07:12:06Z');
    expect((await store.revision(other, 1))?.times.aggregated).toBe('2026-05-01T07:12:06.000Z');

    // Every region applied before the locator's status is read: aggregated as it is read.
    const late = randomUUID();
    for (const [i, region] of regions.entries())
      await applied(late, region, `2026-05-01T07:12:0${3 + i}Z`);
    expect((await store.revision(late, 1))?.status).toBe('received');
    await recordStatuses(pool, [located(late)]);
    expect((await store.revision(late, 1))?.times.aggregated).toBe('2026-05-01T07:12:05.000Z');
  });

  it('keeps the first rejection, its stage and violations; lists revisions newest first', async () => {
    const id = randomUUID();
    const rejection = {
      code: 'end_before_start',
      message: 'payload.cortege.OfficialVisit.endAt: end_before_start',
      violations: [{ path: 'payload.cortege.OfficialVisit.endAt', code: 'end_before_start' }],
      violationsTotal: 1,
    };
    await store.received(
      [{ eventId: id, revision: 1, source: 'cortege-pp13' }],
      new Date('2026-05-01T07:00:00Z'),
    );
    await recordStatuses(pool, [
      record(id, { revision: 2, status: 'rejected', rejection, at: at('2026-05-01T08:00:00Z') }),
      record(id, {
        revision: 2,
        stage: 'locator',
        status: 'rejected',
        rejection: { ...rejection, code: 'geocode_not_found' },
        at: at('2026-05-01T09:00:00Z'),
      }),
    ]);
    const revisions = await store.revisions(id);
    expect(revisions.map((r) => [r.revision, r.status])).toEqual([
      [2, 'rejected'],
      [1, 'received'],
    ]);
    expect(revisions[0]).toMatchObject({
      times: { received: null, rejected: '2026-05-01T08:00:00.000Z' },
      rejection: { stage: 'sanitizer', ...rejection },
    });
    expect(await store.revision(id, 3)).toBeUndefined();
    expect(await store.revisions(randomUUID())).toEqual([]);
  });

  it('passes over a status record no submission can have and records the ones after it (Kafka and the registry, real)', async () => {
    const kafka = testKafka(config);
    const topic = uniqueName('status');
    await createTopics(kafka, [topic], 1);
    const serde = await AvroSerde.register<StatusRecord>(
      new RegistryClient(config.registry.url),
      topic,
      SUBMISSION_STATUS_SCHEMA,
    );
    const warnings: string[] = [];
    const materializer = new StatusMaterializer(kafka, pool, serde, {
      topic,
      groupId: uniqueName('status-materializer'),
      log: (_level, line) => warnings.push(line),
    });
    const producer = testProducer(kafka);
    const valid = randomUUID();
    const rejection = {
      code: 'invalid_revision',
      message: 'revision: invalid_revision',
      violations: [{ path: 'revision', code: 'invalid_revision' }],
      violationsTotal: 1,
    };
    try {
      await producer.connect();
      // What a stage's earlier version wrote for a submission sent with revision 0 and one
      // whose event id is not a UUID, in the same partition before a valid record.
      await producer.send({
        topic,
        messages: [
          record(randomUUID(), { revision: 0, status: 'rejected', rejection }),
          record('not-a-uuid', { status: 'rejected', rejection }),
          record(valid, {}),
        ].map((r) => ({ key: r.eventId, value: serde.encode(r) })),
      });
      await materializer.start();
      await waitFor('the valid record materialized', async () =>
        (await store.revision(valid, 1))?.status === 'clean' ? true : undefined,
      );
      expect(warnings).toEqual([
        expect.stringMatching(/revision 0 is no submission's identity/),
        expect.stringMatching(/event "not-a-uuid" revision 1 is no submission's identity/),
      ]);
    } finally {
      await materializer.close();
      await producer.disconnect();
    }
  });

  it('writes no rejection status for a submission without an identity; its dead letter says it all', async () => {
    const topic = uniqueName('status');
    const writer = new StatusWriter(
      topic,
      await AvroSerde.register<StatusRecord>(
        new RegistryClient(config.registry.url),
        topic,
        SUBMISSION_STATUS_SCHEMA,
      ),
      'sanitizer',
    );
    const rejection = { code: 'invalid_revision', message: 'revision: invalid_revision' };
    expect(writer.rejected({ eventId: randomUUID(), revision: 0 }, rejection)).toEqual([]);
    expect(writer.rejected({ eventId: 'abc', revision: 1 }, rejection)).toEqual([]);
    expect(writer.rejected({ eventId: randomUUID(), revision: 2 }, rejection)).toHaveLength(1);
  });
});
