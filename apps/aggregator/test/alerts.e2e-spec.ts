import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { ALERT_SCHEMA, type Alert, type Submission } from '@app/contracts';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  createGazetteerDatabase,
  createTopics,
  pipelineEnv,
  pipelineTopics,
  readTopic,
  runCortege,
  sampleMoving,
  sampleOperation,
  sampleStatic,
  sampleVisit,
  stageProcess,
  SubmissionPublisher,
  testKafka,
  uniqueName,
  waitFor,
  WebhookReceiver,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';
import { SIGNATURE_HEADER, verifySignature, WEBHOOK_ID_HEADER } from '@app/webhooks';

const config = loadConfig();
const SECRET = 'whsec_alerts_0123456789';
const at = (iso: string) => Date.parse(iso);

/**
 * A march up the Canebière, a rally on it at the same time, and a flea market across both: one
 * conflict (march × static demonstration), none with the flea market.
 */
function scenario() {
  const march = sampleMoving({
    startAt: at('2026-05-01T08:30:00Z'),
    endAt: at('2026-05-01T11:00:00Z'),
  });
  const rally = sampleStatic({
    subject: 'Rassemblement sur la Canebière',
    address: 'La Canebière, 13001 Marseille',
    startAt: at('2026-05-01T08:30:00Z'),
    endAt: at('2026-05-01T11:00:00Z'),
    footprint: {
      rings: [
        [
          { lon: 5.3801, lat: 43.2981 },
          { lon: 5.3811, lat: 43.2981 },
          { lon: 5.3811, lat: 43.2989 },
          { lon: 5.3801, lat: 43.2989 },
          { lon: 5.3801, lat: 43.2981 },
        ],
      ],
    },
  });
  const fleaMarket = sampleOperation({
    subject: 'Marché aux puces',
    addresses: ['La Canebière, 13001 Marseille'],
    startAt: at('2026-05-01T08:00:00Z'),
    endAt: at('2026-05-01T12:00:00Z'),
    theme: 'MARCHE_AUX_PUCES',
  });
  return { march, rally, fleaMarket };
}

describe('conflict alerts through the three stages, the alerts topic and a webhook', () => {
  const kafka = testKafka(config);
  const registry = new RegistryClient(config.registry.url);
  const apps: AppProcess[] = [];
  const receiver = new WebhookReceiver((n) => ({ status: n === 1 ? 500 : 200 }));
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createGazetteerDatabase(config);
    pool = new Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await receiver.close();
    await pool?.end();
    await database?.drop();
  });

  it('raises one alert, never twice, delivers it signed after a 500, and retracts it on the cancel', async () => {
    const name = uniqueName('alerts');
    const topics = pipelineTopics(name);
    const alertsTopic = `${name}.alerts`;
    await createTopics(kafka, [
      topics.input,
      topics.events,
      topics.presence,
      topics.dlq,
      alertsTopic,
    ]);
    const hook = await receiver.start();
    const env = {
      ALERTS_TOPIC: alertsTopic,
      ALERT_PUBLISH_MS: '100',
      ALERT_WEBHOOKS: `ops=${hook}|${SECRET}`,
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_BACKOFF_BASE_MS: '200',
      WEBHOOK_BACKOFF_MAX_MS: '1000',
    };
    const publisher = await SubmissionPublisher.create(kafka, registry, topics.input);
    const { march, rally, fleaMarket } = scenario();
    await publisher.publish([march, rally, fleaMarket]);

    const stages = new Map<string, AppProcess>();
    for (const stage of ['sanitizer', 'locator', 'aggregator'] as const) {
      const { app } = await stageProcess(stage, name, topics, database.url, env);
      stages.set(stage, app);
      apps.push(app);
      app.start();
    }
    const alive = () => {
      for (const app of stages.values())
        if (app.exitCode !== null)
          throw new Error(`${app.app} exited:\n${app.output.slice(-3000)}`);
    };
    /**
     * Waits until the events are stored (or gone), their alerts recomputed and every version
     * written published; returns how many versions were written in all.
     */
    const settled = (eventIds: readonly string[], present: boolean) =>
      waitFor(
        `${eventIds.length} event(s) ${present ? 'stored' : 'gone'}, the alerts published`,
        async () => {
          alive();
          const { rows } = await pool
            .query<{ events: number; pending: number; versions: number }>(
              `SELECT (SELECT count(*)::int FROM event WHERE event_id = ANY($1::uuid[])) AS events,
                      (SELECT count(*)::int FROM alert_outbox WHERE published_at IS NULL)
                      + (SELECT count(*)::int FROM alert_pending) AS pending,
                      (SELECT count(*)::int FROM alert_outbox) AS versions`,
              [eventIds],
            )
            .catch(() => ({ rows: [] }));
          const row = rows[0];
          const wanted = present ? eventIds.length : 0;
          return row && row.events === wanted && row.pending === 0 ? row.versions : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 200 },
      );
    const serde = AvroSerde.forDecoding<Alert>(registry, alertsTopic, ALERT_SCHEMA);
    const published = async (count: number, timeoutMs = 20_000) =>
      Promise.all(
        (await readTopic(kafka, alertsTopic, count, { timeoutMs })).map(async ({ message }) => ({
          key: String(message.key),
          alert: await serde.decode(message.value),
        })),
      );

    // One alert, with the rule and severity of march × static demonstration, and where and when.
    const written = await settled([march.eventId, rally.eventId, fleaMarket.eventId], true);
    expect(written).toBe(1);
    const [first, ...none] = await published(1);
    expect(none).toEqual([]);
    const [eventA, eventB] = [march, rally].sort((x, y) => (x.eventId < y.eventId ? -1 : 1)) as [
      Submission,
      Submission,
    ];
    expect(first?.key).toBe(`${eventA.eventId}:${eventB.eventId}`);
    expect(first?.alert).toMatchObject({
      alertId: first?.key,
      version: 1,
      status: 'ACTIVE',
      rule: 'MOVING_DEMONSTRATION:STATIC_DEMONSTRATION',
      severity: 'HIGH',
      eventA: { eventId: eventA.eventId, revision: eventA.revision },
      eventB: { eventId: eventB.eventId, revision: eventB.revision },
      arrondissement: 1,
    });
    const alert = first?.alert as Alert;
    expect(alert.cells.length).toBeGreaterThan(0);
    expect(alert.startAt).toBeGreaterThanOrEqual(at('2026-05-01T08:30:00Z'));
    expect(alert.endAt).toBeLessThanOrEqual(at('2026-05-01T11:00:00Z'));
    expect(alert.startAt).toBeLessThan(alert.endAt);
    const { rows: stored } = await pool.query<{ cells: string[]; lon: number; lat: number }>(
      `SELECT cells, ST_X(point) AS lon, ST_Y(point) AS lat FROM alert`,
    );
    expect(stored).toEqual([{ cells: alert.cells, lon: alert.point.lon, lat: alert.point.lat }]);

    // Delivered to the webhook: refused once with a 500, then again, signed, the same id.
    const deliveries = await waitFor('the webhook delivered after a 500', () =>
      receiver.received.length >= 2 ? receiver.received.slice(0, 2) : undefined,
    );
    expect(deliveries.map((d) => d.headers[WEBHOOK_ID_HEADER])).toEqual([
      deliveries[0]?.headers[WEBHOOK_ID_HEADER],
      deliveries[0]?.headers[WEBHOOK_ID_HEADER],
    ]);
    for (const delivery of deliveries) {
      const header = delivery.headers[SIGNATURE_HEADER];
      expect(
        verifySignature({
          secret: SECRET,
          header: typeof header === 'string' ? header : undefined,
          body: delivery.body,
        }),
      ).toMatchObject({ ok: true });
      expect(JSON.parse(delivery.body)).toMatchObject({
        alertId: alert.alertId,
        version: 1,
        status: 'ACTIVE',
      });
    }
    expect(
      verifySignature({
        secret: 'whsec_another_0123456789',
        header: String(deliveries[1]?.headers[SIGNATURE_HEADER]),
        body: deliveries[1]?.body ?? '',
      }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });

    // Sent again, read again from the beginning, rebuilt: nothing new anywhere.
    const marker = sampleVisit({
      startAt: at('2026-06-01T09:00:00Z'),
      endAt: at('2026-06-01T10:00:00Z'),
    });
    await publisher.publish([march, rally, fleaMarket, marker]);
    expect(await settled([marker.eventId], true)).toBe(1);
    const aggregator = stages.get('aggregator') as AppProcess;
    expect(await aggregator.stop('SIGTERM')).toBe(0);
    const cliEnv = { ...pipelineEnv(name, topics), DATABASE_URL: database.url, ...env };
    const replay = await runCortege(cliEnv, ['replay', 'aggregator', '--to-earliest', '--execute']);
    expect([replay.code, replay.stderr]).toEqual([0, '']);
    aggregator.start();
    await waitFor(
      'the aggregator read the presence topic again',
      async () => {
        alive();
        const admin = kafka.admin();
        await admin.connect();
        const ends = await admin
          .fetchTopicOffsets(topics.presence)
          .finally(() => admin.disconnect());
        const { rows } = await pool.query<{ partition: number; next_offset: string }>(
          `SELECT partition, next_offset::text FROM consumer_offset WHERE topic = $1`,
          [topics.presence],
        );
        const stored = new Map(rows.map((r) => [r.partition, r.next_offset]));
        return ends.every((e) => e.high === '0' || stored.get(e.partition) === e.high)
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(await settled([march.eventId, marker.eventId], true)).toBe(1);
    // A rebuild recomputes every alert from the rebuilt presence: the same, so nothing is written.
    const rebuilt = await runCortege(cliEnv, ['rebuild', '--json']);
    expect([rebuilt.code, rebuilt.stderr.includes('cortege rebuild:')]).toEqual([0, false]);
    expect((JSON.parse(rebuilt.stdout) as { alerts: unknown }).alerts).toEqual({
      raised: 0,
      retracted: 0,
    });
    expect(await settled([march.eventId, marker.eventId], true)).toBe(1);
    expect((await published(2, 3_000)).map((p) => p.alert.version)).toEqual([1]);

    // The march cancelled: the alert is retracted, on the topic, in the table and to the hook.
    await publisher.publish([
      {
        eventId: march.eventId,
        revision: march.revision + 1,
        action: 'CANCEL',
        submittedAt: at('2026-05-01T07:30:00Z'),
        source: march.source,
        payload: null,
      },
    ]);
    expect(await settled([march.eventId], false)).toBe(2);
    const versions = await published(2);
    expect(versions.map((p) => [p.key, p.alert.version, p.alert.status])).toEqual([
      [alert.alertId, 1, 'ACTIVE'],
      [alert.alertId, 2, 'RETRACTED'],
    ]);
    const marchSide = eventA.eventId === march.eventId ? 'eventA' : 'eventB';
    expect(versions[1]?.alert[marchSide].revision).toBe(march.revision + 1);
    expect(versions[1]?.alert.cells).toEqual(alert.cells);
    expect((await pool.query(`SELECT status, version FROM alert`)).rows).toEqual([
      { status: 'RETRACTED', version: 2 },
    ]);
    await waitFor('the retraction delivered', () =>
      receiver.received.some((r) => (JSON.parse(r.body) as Alert).status === 'RETRACTED')
        ? true
        : undefined,
    );
    // The flea market was in every cell and hour of both, and never in an alert.
    const { rows: flea } = await pool.query(
      `SELECT 1 FROM alert WHERE $1::uuid IN (event_a, event_b)`,
      [fleaMarket.eventId],
    );
    expect(flea).toEqual([]);
    const { rows: met } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM event_presence f JOIN event_presence r
           ON r.cell = f.cell AND r.event_id = $2 AND tstzrange(f.start_at, f.end_at) && tstzrange(r.start_at, r.end_at)
        WHERE f.event_id = $1`,
      [fleaMarket.eventId, rally.eventId],
    );
    expect(met[0]?.n).toBeGreaterThan(0);

    for (const app of stages.values())
      expect([app.app, await app.stop('SIGTERM')]).toEqual([app.app, 0]);
  });
});
