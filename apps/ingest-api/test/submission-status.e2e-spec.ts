import type { Kafka } from 'kafkajs';
import type { Submission } from '@app/contracts';
import {
  CortegeProducer,
  SubmissionStatusError,
  SubmissionStatusErrorCode,
  type SubmissionStatusView,
} from '@app/producer-sdk';
import { RegistryClient } from '@app/schema-registry';
import {
  approveInitialContract,
  createGazetteerDatabase,
  createTopics,
  pipelineTopics,
  sampleSubmissions,
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
import { startIngestApi, stackConfig, type RunningIngestApi } from './ingest-api.harness';

const SECRET = 'whsec_pp13_0123456789abcdef';

/**
 * Issue #17, end to end on the real stack: the ingest API in this process, the three stages as
 * processes on a private pipeline and database, a webhook receiver on the loopback.
 */
describe("a producer's submissions' status, from the 202 to aggregated or rejected", () => {
  const kafka: Kafka = testKafka(stackConfig);
  const name = uniqueName('status');
  const topics = pipelineTopics(name);
  const receiver = new WebhookReceiver((n) => (n === 1 ? { status: 500 } : { status: 204 }));
  const stages: AppProcess[] = [];
  let database: TestDatabase;
  let api: RunningIngestApi;
  let producer: CortegeProducer;
  const samples = sampleSubmissions();

  beforeAll(async () => {
    database = await createGazetteerDatabase(stackConfig);
    await createTopics(kafka, Object.values(topics));
    await approveInitialContract({
      databaseUrl: database.url,
      registryUrl: stackConfig.registry.url,
      topic: topics.input,
    });
    const hook = await receiver.start();
    api = await startIngestApi({
      SUBMISSION_STATUS_TOPIC: topics.status,
      SUBMISSION_STATUS_GROUP_ID: `${name}-status`,
      INGEST_TOPIC: topics.input,
      DATABASE_URL: database.url,
      INGEST_WEBHOOKS: JSON.stringify({ 'cortege-pp13': { url: hook, secret: SECRET } }),
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_BACKOFF_BASE_MS: '300',
      WEBHOOK_BACKOFF_MAX_MS: '1000',
    });
    const started = await Promise.all(
      (['sanitizer', 'locator', 'aggregator'] as const).map((stage) =>
        stageProcess(stage, name, topics, database.url),
      ),
    );
    for (const { app } of started) {
      stages.push(app);
      app.start();
    }
    await Promise.all(started.map(({ app, port }) => app.healthy(port)));
    producer = new CortegeProducer({
      brokers: stackConfig.kafka.brokers,
      registryUrl: stackConfig.registry.url,
      topic: topics.input,
      statusApi: { url: api.url, token: () => api.issuer.token() },
    });
  });

  afterAll(async () => {
    await Promise.all(stages.map((s) => s.stop()));
    await api?.close();
    await receiver.close();
    await database?.drop();
  });

  const status = async (eventId: string, token?: string) => {
    const response = await api.get(`/v1/submissions/${eventId}`, {
      authorization: `Bearer ${token ?? (await api.issuer.token())}`,
    });
    return { status: response.status, body: response.json<Record<string, unknown>>() };
  };

  it('follows a good submission through received, clean, located and aggregated, each with its time', async () => {
    const { moving } = samples;
    expect((await api.submit(moving)).status).toBe(202);
    // The receipt is written before the 202.
    const first = await status(moving.eventId);
    expect(first.status).toBe(200);
    expect((first.body.latest as SubmissionStatusView).times.received).not.toBeNull();

    const done = await producer.waitFor(moving.eventId, moving.revision, 'aggregated', {
      timeoutMs: 60_000,
    });
    expect(done).toMatchObject({
      eventId: moving.eventId,
      revision: 1,
      status: 'aggregated',
      rejection: null,
    });
    const { received, clean, located, aggregated, rejected } = done.times;
    expect(rejected).toBeNull();
    const times = [received, clean, located, aggregated].map((t) => Date.parse(String(t)));
    expect(times.every(Number.isFinite)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(await producer.status(moving.eventId)).toEqual(done);
    expect(await producer.status(moving.eventId, 1)).toEqual(done);
  });

  it('shows a submission accepted with 202 then rejected by the locator, with its violations, and notifies the webhook', async () => {
    const { operation } = samples;
    const lost: Submission = {
      ...operation,
      payload: {
        'cortege.ScheduledOperation': {
          ...(operation.payload!['cortege.ScheduledOperation' as never] as object),
          addresses: ['Nulle part, 99999 Atlantide'],
        },
      } as unknown as Submission['payload'],
    };
    expect((await api.submit(lost)).status).toBe(202);

    const error = await producer
      .waitFor(lost.eventId, 1, 'aggregated', { timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmissionStatusError);
    expect((error as SubmissionStatusError).code).toBe(SubmissionStatusErrorCode.Rejected);
    const view = (error as SubmissionStatusError).status!;
    expect(view).toMatchObject({
      status: 'rejected',
      rejection: {
        stage: 'locator',
        code: 'geocode_not_found',
        violations: [{ path: 'Nulle part, 99999 Atlantide', code: 'geocode_not_found' }],
        violationsTotal: 1,
      },
    });
    expect(view.times.clean).not.toBeNull();
    expect(view.times.located).toBeNull();
    expect(Date.parse(String(view.times.rejected))).toBeGreaterThanOrEqual(
      Date.parse(String(view.times.clean)),
    );
    await expectNotice(lost.eventId, 1, 'locator', 'geocode_not_found');
  });

  it('shows a revision written straight to Kafka (bypassing the API) rejected by the sanitizer with every violation', async () => {
    const { visit } = samples;
    expect((await api.submit(visit)).status).toBe(202);
    const fields = visit.payload!['cortege.OfficialVisit' as never] as Record<string, unknown>;
    // Faults the API would have refused: the end before the start, no address.
    const bad: Submission = {
      ...visit,
      revision: 2,
      payload: {
        'cortege.OfficialVisit': {
          ...fields,
          startAt: fields.endAt,
          endAt: fields.startAt,
          addresses: [],
        },
      } as unknown as Submission['payload'],
    };
    const publisher = await SubmissionPublisher.create(
      kafka,
      new RegistryClient(stackConfig.registry.url),
      topics.input,
    );
    await publisher.publish([bad]);

    const view = await waitFor(
      'revision 2 rejected',
      async () => {
        const found = await producer.status(visit.eventId, 2);
        return found?.status === 'rejected' ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(view.rejection?.stage).toBe('sanitizer');
    expect(view.rejection?.violationsTotal).toBe(view.rejection?.violations.length);
    expect(view.rejection!.violations.length).toBeGreaterThanOrEqual(2);
    expect(view.times.received).toBeNull(); // never through the API
    expect(view.times.clean).toBeNull();
    // The event's answer lists both revisions, newest first.
    const event = await status(visit.eventId);
    expect(
      (event.body.revisions as SubmissionStatusView[]).map((r) => [r.revision, r.status]),
    ).toEqual([
      [2, 'rejected'],
      [1, expect.stringMatching(/^(received|clean|located|aggregated)$/)],
    ]);
    await expectNotice(visit.eventId, 2, 'sanitizer', view.rejection!.code);
  });

  it('answers only the producer who sent it: 403 for another producer, 404 for an event never sent, 400 for a bad id', async () => {
    const other = await api.issuer.token({ roles: ['producer'] }, { subject: 'mairie-app' });
    const refused = await status(samples.moving.eventId, other);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'event_of_another_producer' });
    const unknown = await status(samples.cancel.eventId);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'submission_not_found' });
    expect((await status('not-a-uuid')).status).toBe(400);
    const badRevision = await api.get(`/v1/submissions/${samples.moving.eventId}/revisions/0`, {
      authorization: `Bearer ${await api.issuer.token()}`,
    });
    expect(badRevision.status).toBe(400);
    expect(await producer.status(samples.cancel.eventId)).toBeUndefined();
  });

  it('times out cleanly, naming what was awaited and the last status seen', async () => {
    const { static: rally } = samples;
    const started = Date.now();
    const error = await producer
      .waitFor(rally.eventId, 2, 'aggregated', { timeoutMs: 1_500 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(SubmissionStatusError);
    expect((error as SubmissionStatusError).code).toBe(SubmissionStatusErrorCode.Timeout);
    expect((error as Error).message).toBe(
      `timed out after 1500 ms waiting for revision 2 of event ${rally.eventId} to reach 'aggregated'; ` +
        'last status seen: none (the API knows nothing of it yet)',
    );
  });

  /** The receiver got the rejection of this revision, signed; the first request (500) was tried again. */
  async function expectNotice(
    eventId: string,
    revision: number,
    stage: string,
    code: string,
  ): Promise<void> {
    const notices = await waitFor(
      `the webhook notice of revision ${revision} of ${eventId}`,
      () => {
        const found = receiver.received.filter((r) => {
          const body = JSON.parse(r.body) as { eventId?: string; revision?: number };
          return body.eventId === eventId && body.revision === revision;
        });
        return found.some((r) => receiver.received.indexOf(r) > 0) ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    for (const notice of notices) {
      expect(
        verifySignature({
          secret: SECRET,
          header: notice.headers[SIGNATURE_HEADER] as string,
          body: notice.body,
        }),
      ).toMatchObject({ ok: true });
      expect(JSON.parse(notice.body)).toMatchObject({
        type: 'submission.rejected',
        eventId,
        revision,
        source: 'cortege-pp13',
        stage,
        rejection: { code },
      });
    }
    // Every attempt of one notice carries one id; the first notice sent (answered 500) was retried.
    expect(new Set(notices.map((n) => n.headers[WEBHOOK_ID_HEADER])).size).toBe(1);
    const first = receiver.received[0]!;
    const retried = receiver.received.filter(
      (r) => r.headers[WEBHOOK_ID_HEADER] === first.headers[WEBHOOK_ID_HEADER],
    );
    expect(retried.length).toBeGreaterThanOrEqual(2);
  }
});
