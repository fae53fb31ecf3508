import type { Kafka } from 'kafkajs';
import { eventOf, PAYLOAD_BRANCH, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { DLQ_HEADERS } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  AppProcess,
  createTopic,
  freePort,
  generatePiiCanaries,
  readTopic,
  testKafka,
  testProducer,
  uniqueName,
  waitFor,
} from '@app/testing';
import { badCorpus, validSubmission, type Planted } from './sanitizer.fixtures';

const config = loadConfig();
const registry = new RegistryClient(config.registry.url);

interface Topics {
  readonly input: string;
  readonly events: string;
  readonly dlq: string;
}

async function setUp(
  kafka: Kafka,
  name: string,
): Promise<{ topics: Topics; serde: AvroSerde<Submission> }> {
  const topics = {
    input: uniqueName(`${name}.in`),
    events: uniqueName(`${name}.events`),
    dlq: uniqueName(`${name}.dlq`),
  };
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of Object.values(topics)) await createTopic(admin, topic, 3);
  } finally {
    await admin.disconnect();
  }
  return {
    topics,
    serde: await AvroSerde.register<Submission>(registry, topics.input, SUBMISSION_SCHEMA),
  };
}

async function sanitizer(
  topics: Topics,
  group: string,
): Promise<{ app: AppProcess; port: number }> {
  const port = await freePort();
  const app = new AppProcess('sanitizer', {
    // Small transactions: a kill lands in the middle of the work, not after it.
    STAGE_MAX_BATCH: '100',
    SANITIZER_PORT: String(port),
    SANITIZER_INPUT_TOPIC: topics.input,
    SANITIZER_EVENTS_TOPIC: topics.events,
    SANITIZER_DLQ_TOPIC: topics.dlq,
    SANITIZER_GROUP_ID: group,
    LOG_LEVEL: 'info',
  });
  return { app, port };
}

async function produce(kafka: Kafka, topic: string, records: readonly Planted[]): Promise<void> {
  const producer = testProducer(kafka, { idempotent: true });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 500) {
      await producer.send({
        topic,
        messages: records.slice(i, i + 500).map((r) => ({ key: r.key, value: r.value })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads exactly what a topic holds: `expected` records, then checks none more arrive. */
async function readAll(kafka: Kafka, topic: string, expected: number) {
  return readTopic(kafka, topic, expected + 1, { timeoutMs: 20_000 + expected * 5 });
}

/**
 * Waits until the stage has handled `count` records (every outcome counted once its
 * transaction committed), or, without a count, until its group's lag is 0: what the test
 * reads next is then all there will be, however slow a loaded machine makes the stage.
 */
async function drained(port: number, count?: number): Promise<void> {
  // A request the busy stage does not answer is asked again, never awaited for minutes.
  const answerWithin = () => ({ signal: AbortSignal.timeout(5_000) });
  await waitFor(
    count === undefined ? 'a lag of 0' : `${count} records handled`,
    async () => {
      if (count === undefined) {
        const health = (await fetch(`http://127.0.0.1:${port}/health`, answerWithin())
          .then((r) => r.json())
          .catch(() => ({ lag: null }))) as { lag: number | null };
        return health.lag === 0 ? true : undefined;
      }
      const text = await fetch(`http://127.0.0.1:${port}/metrics`, answerWithin())
        .then((r) => r.text())
        .catch(() => '');
      const handled = text
        .split('\n')
        .filter((l) => l.startsWith('cortege_sanitizer_records_total{'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      return handled >= count ? true : undefined;
    },
    { timeoutMs: 200_000, intervalMs: 500 },
  );
}

async function cleanCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('cortege_sanitizer_records_total{outcome="clean"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('sanitizer stage (as a process, against the real stack)', () => {
  const kafka = testKafka(config);

  it('dead-letters every bad record with its reason and passes every valid one exactly once', async () => {
    const { topics, serde } = await setUp(kafka, 'san.corpus');
    const bad = badCorpus(serde);
    expect(bad.length).toBeGreaterThanOrEqual(1000);

    const valid = Array.from({ length: 600 }, (_, i) => validSubmission(i));
    const good: Planted[] = valid.map((s) => ({ key: s.eventId, value: serde.encode(s) }));
    // Resubmissions (same eventId and revision) and a stale revision after a newer one.
    const duplicates = good.slice(0, 40);
    const newer = { ...(valid[1] as Submission), revision: (valid[1] as Submission).revision + 5 };
    const stale = { ...newer, revision: newer.revision - 1 };
    const records: Planted[] = [];
    const queue = [...bad];
    for (const g of good) records.push(g, ...queue.splice(0, 2));
    records.push(
      ...queue,
      ...duplicates,
      { key: newer.eventId, value: serde.encode(newer) },
      { key: stale.eventId, value: serde.encode(stale) },
    );
    await produce(kafka, topics.input, records);

    const { app, port } = await sanitizer(topics, uniqueName('san-corpus'));
    app.start();
    try {
      await app.healthy(port);
      await drained(port, records.length);
      const letters = await readAll(kafka, topics.dlq, bad.length);
      const events = await readAll(kafka, topics.events, valid.length + 1);

      expect(letters).toHaveLength(bad.length);
      const reasons = new Map(
        letters.map((l) => [
          String(l.message.key),
          String(l.message.headers?.[DLQ_HEADERS.reason]),
        ]),
      );
      expect(
        bad
          .filter((b) => reasons.get(b.key) !== b.reason)
          .map((b) => [b.key, b.reason, reasons.get(b.key)]),
      ).toEqual([]);
      const letter = letters.find((l) => String(l.message.key) === bad[0]?.key);
      expect(letter?.message.value).toEqual(bad[0]?.value);
      expect(String(letter?.message.headers?.[DLQ_HEADERS.stage])).toBe('sanitizer');
      expect(
        Number.isNaN(Date.parse(String(letter?.message.headers?.[DLQ_HEADERS.firstSeen]))),
      ).toBe(false);

      // Every valid submission once, the newer revision once, no duplicate, no stale.
      expect(events).toHaveLength(valid.length + 1);
      const decoded = await Promise.all(events.map((e) => serde.decode(e.message.value)));
      const seen = decoded.map((d) => `${d.eventId}#${d.revision}`).sort();
      const wanted = [
        ...valid.map((s) => `${s.eventId}#${s.revision}`),
        `${newer.eventId}#${newer.revision}`,
      ].sort();
      expect(seen).toEqual(wanted);

      expect(await cleanCount(port)).toBe(valid.length + 1);
      // Healthy once it is done (a probe may be slow on a loaded machine: wait, do not sample).
      await app.healthy(port);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  });

  it('dead-letters a submission sent straight to the topic with every violation in its headers, bounded', async () => {
    const { topics, serde } = await setUp(kafka, 'san.all');
    const base = 'payload.cortege.MovingDemonstration';
    // The ingest API refuses these (a 400 listing every fault); a producer bypassing it reaches
    // the sanitizer. An unknown enum symbol cannot be written in Avro: the other faults can.
    const faulty = (edit: (e: Record<string, unknown>) => void): Submission => {
      const s = validSubmission(0);
      const event = { ...(eventOf(s)?.event as unknown as Record<string, unknown>) };
      edit(event);
      return { ...s, payload: { [base.slice('payload.'.length)]: event } as never };
    };
    const three = faulty((e) => {
      e.peopleDeclared = -3;
      e.endAt = e.startAt;
      e.route = {
        coordinates: [
          { lon: 2.35, lat: 48.85 },
          { lon: 5.37, lat: 43.29 },
        ],
      };
    });
    const many = faulty((e) => (e.waypointAddresses = Array.from({ length: 130 }, () => '')));
    expect(eventOf(three)?.kind).toBe('MOVING_DEMONSTRATION');
    await produce(kafka, topics.input, [
      { key: three.eventId, value: serde.encode(three) },
      { key: many.eventId, value: serde.encode(many) },
    ]);

    const { app, port } = await sanitizer(topics, uniqueName('san-all'));
    app.start();
    try {
      await app.healthy(port);
      await drained(port, 2);
      const letters = await readAll(kafka, topics.dlq, 2);
      const headersOf = (key: string) => {
        const headers = letters.find((l) => String(l.message.key) === key)?.message.headers ?? {};
        return (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
      };

      const first = headersOf(three.eventId);
      expect(JSON.parse(first(DLQ_HEADERS.violations) ?? '[]')).toEqual([
        { path: `${base}.endAt`, code: 'end_before_start' },
        { path: `${base}.peopleDeclared`, code: 'negative_count' },
        { path: `${base}.route.coordinates.0`, code: 'outside_area' },
      ]);
      expect(first(DLQ_HEADERS.violationsTotal)).toBe('3');
      expect(first(DLQ_HEADERS.violationsTruncated)).toBeUndefined();
      expect(first(DLQ_HEADERS.reason)).toBe('end_before_start');
      expect(first(DLQ_HEADERS.message)).toBe(
        `${base}.endAt: end_before_start; ${base}.peopleDeclared: negative_count; ${base}.route.coordinates.0: outside_area`,
      );

      const second = headersOf(many.eventId);
      const listed = JSON.parse(second(DLQ_HEADERS.violations) ?? '[]') as Array<{ path: string }>;
      expect(listed).toHaveLength(100);
      expect(listed[99]?.path).toBe(`${base}.waypointAddresses.99`);
      expect(second(DLQ_HEADERS.violationsTotal)).toBe('130');
      expect(second(DLQ_HEADERS.violationsTruncated)).toBe('true');
      expect(second(DLQ_HEADERS.message)).toMatch(
        /waypointAddresses\.9: empty_address; and 120 more$/,
      );
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  });

  it('takes an eventId written in capitals straight to the topic for the same event, in lower case', async () => {
    const { topics, serde } = await setUp(kafka, 'san.case');
    const first = validSubmission(0);
    const upper = { ...first, eventId: first.eventId.toUpperCase() };
    const next = { ...first, revision: first.revision + 1 };
    await produce(kafka, topics.input, [
      { key: upper.eventId, value: serde.encode(upper) },
      // the same revision again, in lower case: a duplicate
      { key: first.eventId, value: serde.encode(first) },
      { key: first.eventId, value: serde.encode(next) },
    ]);
    const { app, port } = await sanitizer(topics, uniqueName('san-case'));
    app.start();
    try {
      await app.healthy(port);
      await drained(port, 3);
      const events = await readAll(kafka, topics.events, 2);
      expect(events.map((e) => String(e.message.key))).toEqual([first.eventId, first.eventId]);
      const decoded = await Promise.all(events.map((e) => serde.decode(e.message.value)));
      expect(decoded).toEqual([
        expect.objectContaining({ eventId: first.eventId, revision: first.revision }),
        expect.objectContaining({ eventId: first.eventId, revision: next.revision }),
      ]);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  });

  it('lets no planted personal data through, in the events or in any log line', async () => {
    const { topics, serde } = await setUp(kafka, 'san.canary');
    const canaries = generatePiiCanaries(240, 20261128).map((c) => c.value);
    const submissions: Submission[] = [];
    for (let i = 0; i < canaries.length; i += 4) {
      const [a = '', b = '', c = '', d = ''] = canaries.slice(i, i + 4);
      const base = validSubmission(i / 4);
      const kinded = eventOf(base);
      if (!kinded) continue;
      const event: Record<string, unknown> = {
        ...kinded.event,
        subject: `Rassemblement, contact ${a}`,
        description: `Organisé par ${b}, renseignements ${c}`,
      };
      if ('departureAddress' in event) {
        Object.assign(event, {
          departureAddress: `Quai du Port (${d})`,
          waypointAddresses: [`La Canebière, ${a}`],
          arrivalAddress: `Réformés, ${b}`,
        });
      } else if ('address' in event) {
        event.address = `Place Félix Baret, ${d}`;
      } else {
        event.addresses = [`Gare Saint-Charles, ${d}`, `Hôtel de Ville, ${c}`];
      }
      submissions.push({
        ...base,
        payload: { [PAYLOAD_BRANCH[kinded.kind]]: event } as unknown as Submission['payload'],
      });
    }
    await produce(
      kafka,
      topics.input,
      submissions.map((s) => ({ key: s.eventId, value: serde.encode(s) })),
    );

    const { app, port } = await sanitizer(topics, uniqueName('san-canary'));
    app.start();
    try {
      await app.healthy(port);
      await drained(port, submissions.length);
      const events = await readTopic(kafka, topics.events, submissions.length, {
        timeoutMs: 60_000,
      });
      expect(events).toHaveLength(submissions.length);
      const out = (
        await Promise.all(
          events.map(async (e) => JSON.stringify(await serde.decode(e.message.value))),
        )
      ).join('\n');
      const raw = events.map((e) => e.message.value?.toString('latin1') ?? '').join('\n');
      expect(canaries.filter((c) => out.includes(c) || raw.includes(c))).toEqual([]);
      expect(out).toContain('[PHONE]');
      expect(out).toContain('[EMAIL]');
    } finally {
      await app.stop('SIGTERM');
    }
    expect(app.output).toContain('consuming');
    expect(canaries.filter((c) => app.output.includes(c))).toEqual([]);
  });

  it('scrubs names without a civility, home addresses, birth dates, ages and identity numbers, and counts each kind in the header and the metric', async () => {
    const { topics, serde } = await setUp(kafka, 'san.kinds');
    const base = validSubmission(1); // a static demonstration
    const kinded = eventOf(base);
    if (!kinded) throw new Error('the sample has no event');
    const description =
      'Déclaration déposée par Paul Giordano, 34 ans, né le 22/11/1991, passeport n° 18FK52047, ' +
      'qui habite au 27 rue des Bons Enfants, 13006 Marseille. Départ place Jean Jaurès.';
    const submission = {
      ...base,
      payload: {
        [PAYLOAD_BRANCH[kinded.kind]]: { ...kinded.event, description },
      } as unknown as Submission['payload'],
    };
    await produce(kafka, topics.input, [
      { key: submission.eventId, value: serde.encode(submission) },
    ]);
    const { app, port } = await sanitizer(topics, uniqueName('san-kinds'));
    app.start();
    try {
      await app.healthy(port);
      await drained(port, 1);
      const [record] = await readTopic(kafka, topics.events, 1, { timeoutMs: 60_000 });
      const decoded = JSON.stringify(await serde.decode(record?.message.value ?? null));
      expect(decoded).toContain(
        'Déclaration déposée par [NAME], [AGE], né le [BIRTH_DATE], passeport n° [ID_NUMBER], ' +
          'qui habite au [ADDRESS]. Départ place Jean Jaurès.',
      );
      const header = record?.message.headers?.['cortege-scrub-counts']?.toString();
      expect(JSON.parse(header ?? '{}')).toEqual({
        NAME: 1,
        AGE: 1,
        BIRTH_DATE: 1,
        ID_NUMBER: 1,
        ADDRESS: 1,
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const kind of ['NAME', 'AGE', 'BIRTH_DATE', 'ID_NUMBER', 'ADDRESS'])
        expect(metrics).toMatch(
          new RegExp(`cortege_sanitizer_pii_replacements_total\\{[^}]*kind="${kind}"[^}]*\\} 1`),
        );
    } finally {
      await app.stop('SIGTERM');
    }
  });

  it('writes exactly 10,000 events for 10,000 submissions across a kill -9 and a restart', async () => {
    const { topics, serde } = await setUp(kafka, 'san.kill');
    const submissions = Array.from({ length: 10_000 }, (_, i) => validSubmission(i));
    await produce(
      kafka,
      topics.input,
      submissions.map((s) => ({ key: s.eventId, value: serde.encode(s) })),
    );
    const group = uniqueName('san-kill');

    const first = await sanitizer(topics, group);
    first.app.start();
    let killedAt: number;
    try {
      await first.app.healthy(first.port);
      await waitFor(
        'a few thousand clean records',
        async () => ((await cleanCount(first.port)) >= 2500 ? true : undefined),
        {
          timeoutMs: 120_000,
        },
      );
      killedAt = await cleanCount(first.port);
    } finally {
      // Killed in the middle of its work, or stopped when the wait above failed.
      await first.app.stop('SIGKILL');
    }
    expect(killedAt).toBeLessThan(10_000);

    const second = await sanitizer(topics, group);
    second.app.start();
    try {
      await second.app.healthy(second.port);
      await drained(second.port);
      const events = await readAll(kafka, topics.events, submissions.length);
      expect(events).toHaveLength(10_000);
      expect(new Set(events.map((e) => String(e.message.key))).size).toBe(10_000);
    } finally {
      await second.app.stop('SIGTERM');
    }
  });
});
