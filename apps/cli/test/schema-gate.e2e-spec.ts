import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { SUBMISSION_SCHEMA } from '@app/contracts';
import { DLQ_HEADERS } from '@app/kafka';
import { CortegeProducer } from '@app/producer-sdk';
import {
  AvroSerde,
  RegistryClient,
  SUBJECT_COMPATIBILITY,
  valueSubject,
} from '@app/schema-registry';
import {
  createTestDatabase,
  createTopics,
  pipelineEnv,
  pipelineTopics,
  readTopic,
  runCortege,
  sampleMoving,
  stageProcess,
  testKafka,
  testProducer,
  uniqueName,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();

type Json = { [key: string]: unknown };

/** The repository's contract with `field` added to the envelope (with its default). */
function withEnvelopeField(field: Json): Json {
  const schema = JSON.parse(JSON.stringify(SUBMISSION_SCHEMA)) as Json;
  (schema.fields as Json[]).push(field);
  return schema;
}

/** The repository's contract without MovingDemonstration.subject (no default: incompatible). */
function withoutMovingSubject(): Json {
  const text = JSON.stringify(SUBMISSION_SCHEMA);
  const schema = JSON.parse(text) as Json;
  const payload = (schema.fields as Json[]).find((f) => f.name === 'payload') as Json;
  const moving = (payload.type as Json[]).find(
    (b) => typeof b === 'object' && b.name === 'MovingDemonstration',
  ) as Json;
  moving.fields = (moving.fields as Json[]).filter((f) => f.name !== 'subject');
  return schema;
}

describe('the schema-change gate on the real stack (cortege schema, the SDK, the sanitizer as a process)', () => {
  const kafka = testKafka(config);
  const registry = new RegistryClient(config.registry.url);
  const name = uniqueName('gate');
  const topics = pipelineTopics(name);
  const subject = valueSubject(topics.input);
  const folder = mkdtempSync(join(tmpdir(), 'schema-gate-'));
  const apps: AppProcess[] = [];
  let database: TestDatabase;
  let pool: Pool;
  let env: Record<string, string>;

  const cortege = (...args: string[]) => runCortege(env, ['schema', ...args]);
  const versions = async () =>
    (await registry.versions(subject)).map(({ version, id }) => ({ version, id }));
  const today = new Date().toISOString().slice(0, 10);
  const approval = [
    '--dpo-informed-on',
    today,
    '--impact-study',
    'EIP-2026-014',
    '--approver',
    'dpo-office',
  ];

  /** Writes `submissions` as a sender with its own serde would, bypassing the SDK. */
  const send = async (serde: AvroSerde<Json>, submissions: readonly Json[]) => {
    const producer = testProducer(kafka, { idempotent: true });
    await producer.connect();
    try {
      await producer.send({
        topic: topics.input,
        messages: submissions.map((s) => ({ key: String(s.eventId), value: serde.encode(s) })),
      });
    } finally {
      await producer.disconnect();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase(config);
    pool = new Pool({ connectionString: database.url, max: 2 });
    await createTopics(kafka, [topics.input, topics.events, topics.dlq]);
    env = { ...pipelineEnv(name, topics), DATABASE_URL: database.url };
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await pool?.end();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('bootstraps, refuses rogue and incompatible versions and bad approvals, and lets an approved version through', async () => {
    // 1. Nothing approved: the SDK finds no version and registers none.
    const sdk = new CortegeProducer({
      brokers: config.kafka.brokers,
      registryUrl: config.registry.url,
      topic: topics.input,
    });
    await expect(sdk.connect()).rejects.toMatchObject({ code: 'schema_not_registered' });
    expect(await versions()).toEqual([]);

    // 2. The initial contract, approved by the operators.
    const initial = await cortege('approve', '--initial', ...approval);
    expect(initial.stderr).toBe('');
    expect(initial.code).toBe(0);
    const [v1] = await versions();
    expect(v1?.version).toBe(1);
    expect(initial.stdout).toContain(`approved: ${subject} version 1 (registry id ${v1?.id}`);
    expect(await registry.compatibilityOf(subject)).toBe(SUBJECT_COMPATIBILITY);

    // 3. The SDK connects and publishes without registering anything.
    await sdk.connect();
    const fromSdk = [sampleMoving(), sampleMoving()];
    try {
      await sdk.publishBatch(fromSdk);
    } finally {
      await sdk.disconnect();
    }
    expect(await versions()).toEqual([v1]);

    const { app, port } = await stageProcess('sanitizer', name, topics, database.url);
    apps.push(app);
    app.start();
    await app.healthy(port);
    expect(await readTopic(kafka, topics.events, 2, { timeoutMs: 60_000 })).toHaveLength(2);

    // 4. A rogue sender registers a compatible version directly, bypassing the gate.
    const rogueSchema = withEnvelopeField({
      name: 'relay',
      type: 'string',
      default: 'none',
      doc: 'Relais. / Relay.',
    });
    const rogue = await AvroSerde.register<Json>(registry, topics.input, rogueSchema);
    const rogueRecords = [1, 2, 3].map(() => ({ ...sampleMoving(), relay: 'side-door' }));
    await send(rogue, rogueRecords);
    // And one whose schema the stages could not even read (revision as text), registered under
    // a subject of its own: refused as unapproved all the same, before any decoding.
    const unreadableSchema = JSON.parse(
      JSON.stringify(SUBMISSION_SCHEMA).replace(
        '"name":"revision","type":"int"',
        '"name":"revision","type":"string"',
      ),
    ) as Json;
    const unreadable = await AvroSerde.register<Json>(registry, `${name}.rogue`, unreadableSchema);
    const unreadableRecord = { ...sampleMoving(), revision: 'one' } as Json;
    const unreadableBytes = unreadable.encode(unreadableRecord);
    const producer = testProducer(kafka, { idempotent: true });
    await producer.connect();
    await producer
      .send({
        topic: topics.input,
        messages: [{ key: String(unreadableRecord.eventId), value: unreadableBytes }],
      })
      .finally(() => producer.disconnect());
    const letters = await readTopic(kafka, topics.dlq, 4, { timeoutMs: 60_000 });
    expect(letters.map((l) => String(l.message.headers?.[DLQ_HEADERS.reason]))).toEqual(
      Array(4).fill('unapproved_schema'),
    );
    expect(letters.map((l) => String(l.message.key)).sort()).toEqual(
      [...rogueRecords, unreadableRecord].map((r) => String(r.eventId)).sort(),
    );
    expect(letters.map((l) => String(l.message.headers?.[DLQ_HEADERS.message])).sort()).toEqual(
      [rogue, rogue, rogue, unreadable]
        .map(
          (serde) =>
            `schema ${serde.schemaId} was never approved for a contract (cortege schema propose, then cortege schema approve)`,
        )
        .sort(),
    );

    // 5. An incompatible proposal is refused, naming the incompatibility by its Annex 1 item.
    const broken = join(folder, 'broken.avsc');
    writeFileSync(broken, JSON.stringify(withoutMovingSubject()));
    const refused = await cortege('propose', broken);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`refused: incompatible with ${subject} under FULL_TRANSITIVE`);
    expect(refused.stderr).toContain(
      'field MovingDemonstration.subject removed (was string) [Annex 1: objet / subject] — incompatible: removed without a default',
    );

    // 6. A compatible new version, proposed: its change printed, nothing registered.
    const nextSchema = withEnvelopeField({
      name: 'channel',
      type: 'string',
      default: 'api',
      doc: 'Canal. / Channel.',
    });
    const next = join(folder, 'next.avsc');
    writeFileSync(next, JSON.stringify(nextSchema));
    const shown = await cortege('propose', next);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      'field Submission.relay removed (was string) [not an Annex 1 item]',
    );
    expect(shown.stdout).toContain(
      'field Submission.channel added (string, default "api") [not an Annex 1 item]',
    );
    const proposal = JSON.parse((await cortege('propose', next, '--json')).stdout) as {
      id: number;
      fingerprint: string;
    };
    expect(await versions()).toEqual([
      v1,
      expect.objectContaining({ version: 2, id: rogue.schemaId }),
    ]);

    // 7. Approvals without a valid DPO day are refused, registering nothing.
    const withoutDay = await cortege('approve', String(proposal.id), ...approval.slice(2));
    expect(withoutDay.code).toBe(2);
    expect(withoutDay.stderr).toContain('--dpo-informed-on is required (YYYY-MM-DD)');
    for (const day of ['2026-02-30', '9999-01-01']) {
      const bad = await cortege(
        'approve',
        String(proposal.id),
        ...approval.slice(2),
        '--dpo-informed-on',
        day,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(day === '9999-01-01' ? /is in the future/ : /is not a day/);
    }
    expect(await versions()).toHaveLength(2);

    // 8. Approved by fingerprint: registered, recorded, audited, listed.
    const approved = await cortege(
      'approve',
      proposal.fingerprint.slice(0, 12),
      ...approval,
      '--json',
    );
    expect(approved.stderr).toBe('');
    const { record } = JSON.parse(approved.stdout) as {
      record: { version: number; registryId: number; dpoInformedOn: string; approver: string };
    };
    expect(record).toMatchObject({ version: 3, dpoInformedOn: today, approver: 'dpo-office' });
    const { rows } = await pool.query<{
      subject: string;
      version: number;
      impact_study_ref: string;
    }>('SELECT subject, version, impact_study_ref FROM schema_approval ORDER BY approval_id');
    expect(rows).toEqual([
      { subject, version: 1, impact_study_ref: 'EIP-2026-014' },
      { subject, version: 3, impact_study_ref: 'EIP-2026-014' },
    ]);
    const audited = await pool.query<{ route: string; status: number }>(
      `SELECT route, status FROM access_audit WHERE route LIKE 'cortege schema %' ORDER BY id`,
    );
    expect(audited.rows.filter((r) => r.route === 'cortege schema approve')).toEqual([
      { route: 'cortege schema approve', status: 0 },
      { route: 'cortege schema approve', status: 0 },
    ]);
    const listed = JSON.parse((await cortege('list', '--json')).stdout) as {
      versions: Array<{ version: number; approval?: unknown }>;
    };
    expect(listed.versions.map((v) => [v.version, v.approval !== undefined])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);

    // 9. Records written with the approved version pass, without a restart; the rogue's still not.
    const approvedSerde = await AvroSerde.registered<Json>(registry, topics.input, nextSchema);
    expect(approvedSerde.schemaId).toBe(record.registryId);
    const passing = [1, 2].map(() => ({ ...sampleMoving(), channel: 'api' }));
    await send(approvedSerde, passing);
    await send(rogue, [{ ...sampleMoving(), relay: 'side-door' }]);
    const passed = await readTopic(kafka, topics.events, 4, { timeoutMs: 60_000 });
    const allLetters = await readTopic(kafka, topics.dlq, 5, { timeoutMs: 60_000 });
    expect(allLetters.map((l) => String(l.message.headers?.[DLQ_HEADERS.reason]))).toEqual(
      Array(5).fill('unapproved_schema'),
    );
    // Both inputs are dead-lettered or passed by now: nothing else reached the events.
    const events = await readTopic(kafka, topics.events, 5, { timeoutMs: 3_000 });
    expect(events.map((e) => String(e.message.key)).sort()).toEqual(
      [...fromSdk, ...passing].map((p) => String(p.eventId)).sort(),
    );
    expect(passed).toHaveLength(4);
    expect(await versions()).toHaveLength(3);
  });
});
