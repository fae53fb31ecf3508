import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { CHECKSUM_TABLES } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { eventOf, PAYLOAD_BRANCH, type Submission } from '@app/contracts';
import {
  createGazetteerDatabase,
  createTopics,
  generatePiiCanaries,
  pipelineTopics,
  readTopic,
  sampleSubmissions,
  stageProcess,
  SubmissionPublisher,
  testKafka,
  uniqueName,
  waitFor,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();
const EVENTS = 16;

/**
 * `EVENTS` submissions of the four kinds whose subject and description carry planted personal
 * data (three canaries each, in the sentences the sanitizer's own canary test uses); their
 * addresses stay clean, so that every event is placed and reaches the tables.
 */
function plantedSubmissions(): { submissions: Submission[]; canaries: string[] } {
  const canaries = generatePiiCanaries(EVENTS * 3, 20261128).map((c) => c.value);
  const { cancel: _cancel, ...kinds } = sampleSubmissions();
  const shapes = Object.values(kinds);
  const submissions = Array.from({ length: EVENTS }, (_, i): Submission => {
    const base = { ...(shapes[i % shapes.length] as Submission), eventId: randomUUID() };
    const kinded = eventOf(base);
    if (kinded === null) throw new Error('a sample without payload');
    const [a = '', b = '', c = ''] = canaries.slice(3 * i, 3 * i + 3);
    const event = {
      ...kinded.event,
      subject: `Rassemblement, contact ${a}`,
      description: `Organisé par ${b}, renseignements ${c}`,
    };
    return {
      ...base,
      payload: { [PAYLOAD_BRANCH[kinded.kind]]: event } as unknown as Submission['payload'],
    };
  });
  return { submissions, canaries };
}

describe('free text on its way to PostGIS (sanitizer, locator and aggregator as processes)', () => {
  const kafka = testKafka(config);
  const apps: AppProcess[] = [];
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createGazetteerDatabase(config);
    pool = new Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await pool?.end();
    await database?.drop();
  });

  it('stores only the scrubbed subject and description, exactly as the sanitizer wrote them', async () => {
    const name = uniqueName('text');
    const topics = pipelineTopics(name);
    await createTopics(kafka, Object.values(topics));
    const publisher = await SubmissionPublisher.create(kafka, config.registry.url, topics.input);
    const { submissions, canaries } = plantedSubmissions();
    await publisher.publish(submissions);

    const stages: AppProcess[] = [];
    for (const stage of ['sanitizer', 'locator', 'aggregator'] as const)
      stages.push((await stageProcess(stage, name, topics, database.url)).app);
    apps.push(...stages);
    for (const stage of stages) stage.start();

    const stored = await waitFor(
      `the ${EVENTS} events in the table`,
      async () => {
        for (const stage of stages)
          if (stage.exitCode !== null)
            throw new Error(`${stage.app} exited:\n${stage.output.slice(-3000)}`);
        const { rows } = await pool
          .query<{ event_id: string; subject: string; description: string }>(
            `SELECT event_id::text, subject, description FROM v_events ORDER BY event_id`,
          )
          .catch(() => ({ rows: [] }));
        return rows.length === EVENTS ? rows : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );

    // The text in PostGIS is the sanitizer's output, field for field…
    const clean = new Map<string, { subject: string; description: string | null }>();
    for (const record of await readTopic(kafka, topics.events, EVENTS, { timeoutMs: 20_000 })) {
      const kinded = eventOf(await publisher.serde.decode(record.message.value));
      if (kinded)
        clean.set(String(record.message.key), {
          subject: kinded.event.subject,
          description: kinded.event.description,
        });
    }
    expect(stored).toEqual(
      submissions
        .map((s) => ({ event_id: s.eventId, ...clean.get(s.eventId) }))
        .sort((x, y) => (x.event_id < y.event_id ? -1 : 1)),
    );
    expect(stored.every((e) => e.subject.includes('[') && e.description.includes('['))).toBe(true);
    // …and no planted datum is anywhere in the tables the aggregator writes.
    const dump: string[] = [];
    for (const { table } of CHECKSUM_TABLES) {
      const { rows } = await pool.query<{ text: string | null }>(
        `SELECT string_agg(t::text, E'\\n') AS text FROM ${table} t`,
      );
      dump.push(rows[0]?.text ?? '');
    }
    expect(dump[0]).toContain('Rassemblement, contact');
    expect(canaries.filter((c) => dump.some((text) => text.includes(c)))).toEqual([]);

    for (const stage of stages)
      expect([stage.app, await stage.stop('SIGTERM')]).toEqual([stage.app, 0]);
  });
});
