import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { createTestDatabase, waitFor, WebhookReceiver, type TestDatabase } from '@app/testing';
import {
  ATTEMPT_HEADER,
  SIGNATURE_HEADER,
  WEBHOOK_ID_HEADER,
  WebhookDispatcher,
  enqueueWebhook,
  findWebhookDelivery,
  verifySignature,
  type WebhookAttempt,
  type WebhookDispatcherOptions,
  type WebhookTarget,
} from '../src';

const config = loadConfig();
const SECRET = 'whsec_test_0123456789';

describe('WebhookDispatcher against the real PostgreSQL and a receiver on the loopback', () => {
  let database: TestDatabase;
  let pool: Pool;
  const receivers: WebhookReceiver[] = [];
  const dispatchers: WebhookDispatcher[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 4 });
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.close()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await pool.query('TRUNCATE webhook_delivery');
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const receiver = async (...args: ConstructorParameters<typeof WebhookReceiver>) => {
    const r = new WebhookReceiver(...args);
    receivers.push(r);
    return { receiver: r, url: await r.start() };
  };
  const dispatcher = (
    targets: Record<string, WebhookTarget>,
    options: Partial<WebhookDispatcherOptions> = {},
  ) => {
    const d = new WebhookDispatcher(pool, {
      targets: (name) => targets[name],
      maxAttempts: 5,
      maxAgeMs: 60_000,
      timeoutMs: 2_000,
      pollMs: 50,
      backoff: { baseMs: 100, maxMs: 1_000 },
      ...options,
    });
    dispatchers.push(d);
    d.start();
    return d;
  };
  const delivered = (id: string) =>
    waitFor(`delivery ${id} delivered`, async () => {
      const row = await findWebhookDelivery(pool, id);
      return row?.deliveredAt ? row : undefined;
    });

  it('POSTs the payload once, signed over its time and exact body, with its id', async () => {
    const { receiver: r, url } = await receiver();
    const id = randomUUID();
    const payload = { eventId: randomUUID(), status: 'rejected', note: 'é ✓' };
    expect(await enqueueWebhook(pool, { id, target: 'a', payload })).toBe(true);
    expect(await enqueueWebhook(pool, { id, target: 'a', payload })).toBe(false);
    dispatcher({ a: { url, secret: SECRET } });

    const row = await delivered(id);
    expect(row).toMatchObject({ attempts: 1, lastStatus: 200, lastError: null, givenUpAt: null });
    expect(r.received).toHaveLength(1);
    const [request] = r.received;
    expect(JSON.parse(request!.body)).toEqual(payload);
    expect(request!.headers[WEBHOOK_ID_HEADER]).toBe(id);
    expect(request!.headers[ATTEMPT_HEADER]).toBe('1');
    expect(request!.headers['content-type']).toBe('application/json');
    const header = request!.headers[SIGNATURE_HEADER] as string;
    const check = verifySignature({ secret: SECRET, header, body: request!.body });
    expect(check.ok).toBe(true);
    expect(check.ok && Math.abs(check.timestamp * 1000 - request!.at)).toBeLessThan(2_000);
    expect(verifySignature({ secret: 'another', header, body: request!.body })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('claims only the targets it is told to, leaving the others’ deliveries untouched', async () => {
    const { receiver: r, url } = await receiver();
    const mine = randomUUID();
    const theirs = randomUUID();
    await enqueueWebhook(pool, { id: mine, target: 'alert-ops', payload: { n: 1 } });
    await enqueueWebhook(pool, { id: theirs, target: 'source-x', payload: { n: 2 } });
    const d = dispatcher({ 'alert-ops': { url, secret: SECRET } }, { only: ['alert-ops'] });
    await delivered(mine);
    // Both were due at the first poll: without `only` that poll would have claimed both.
    await d.close();
    expect(await findWebhookDelivery(pool, theirs)).toMatchObject({
      attempts: 0,
      deliveredAt: null,
      givenUpAt: null,
    });
    expect(r.received.map((q) => q.headers[WEBHOOK_ID_HEADER])).toEqual([mine]);
  });

  it('tries again after a 500, and after a 429 no sooner than its Retry-After, then stops', async () => {
    const { receiver: r, url } = await receiver((n) =>
      n === 1
        ? { status: 500 }
        : n === 2
          ? { status: 429, headers: { 'retry-after': '1' } }
          : { status: 204 },
    );
    const attempts: WebhookAttempt[] = [];
    const id = randomUUID();
    await enqueueWebhook(pool, { id, target: 'a', payload: { n: 1 } });
    dispatcher({ a: { url, secret: SECRET } }, { onAttempt: (a) => attempts.push(a) });

    const row = await delivered(id);
    expect(row).toMatchObject({ attempts: 3, lastStatus: 204, lastError: null });
    expect(r.received.map((q) => q.headers[ATTEMPT_HEADER])).toEqual(['1', '2', '3']);
    expect(new Set(r.received.map((q) => q.headers[WEBHOOK_ID_HEADER]))).toEqual(new Set([id]));
    // The same bytes each time, each signed afresh.
    expect(new Set(r.received.map((q) => q.body)).size).toBe(1);
    for (const q of r.received)
      expect(
        verifySignature({
          secret: SECRET,
          header: q.headers[SIGNATURE_HEADER] as string,
          body: q.body,
        }).ok,
      ).toBe(true);
    // 100 ms base: the first retry between 50 and 100 ms later (plus a poll); the second ≥ 1 s.
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(50);
    expect(r.received[2]!.at - r.received[1]!.at).toBeGreaterThanOrEqual(1_000);
    expect(attempts.map((a) => [a.outcome, a.status])).toEqual([
      ['retry', 500],
      ['retry', 429],
      ['delivered', 204],
    ]);
  });

  it('gives up after maxAttempts, at once on a 4xx other than 408/429, and on an unknown target', async () => {
    const { url: failing } = await receiver(() => ({ status: 503 }));
    const { receiver: gone, url: goneUrl } = await receiver(() => ({ status: 410 }));
    const [tired, refused, orphan] = [randomUUID(), randomUUID(), randomUUID()];
    await enqueueWebhook(pool, { id: tired, target: 'failing', payload: {} });
    await enqueueWebhook(pool, { id: refused, target: 'gone', payload: {} });
    await enqueueWebhook(pool, { id: orphan, target: 'nobody', payload: {} });
    dispatcher(
      { failing: { url: failing, secret: SECRET }, gone: { url: goneUrl, secret: SECRET } },
      { maxAttempts: 3, backoff: { baseMs: 20, maxMs: 40 } },
    );
    const givenUp = (id: string) =>
      waitFor(`delivery ${id} given up`, async () => {
        const row = await findWebhookDelivery(pool, id);
        return row?.givenUpAt ? row : undefined;
      });
    expect(await givenUp(tired)).toMatchObject({
      attempts: 3,
      lastStatus: 503,
      lastError: 'HTTP 503',
      deliveredAt: null,
    });
    expect(await givenUp(refused)).toMatchObject({
      attempts: 1,
      lastStatus: 410,
      lastError: 'HTTP 410',
    });
    expect(await givenUp(orphan)).toMatchObject({
      attempts: 1,
      lastError: 'target not configured',
    });
    expect(gone.received).toHaveLength(1);
  });

  it('delivers to a healthy target while another hangs and a third refuses connections', async () => {
    const { receiver: hanging, url: hangingUrl } = await receiver(() => 'hold');
    const { receiver: healthy, url: healthyUrl } = await receiver();
    // A port nobody listens on: connection refused at once, retried with back-off.
    const { url: deadUrl, receiver: dead } = await receiver();
    await dead.close();
    const stuck = Array.from({ length: 20 }, () => randomUUID());
    for (const id of stuck) await enqueueWebhook(pool, { id, target: 'hanging', payload: { id } });
    for (const id of stuck.slice(0, 10))
      await enqueueWebhook(pool, { id: randomUUID(), target: 'dead', payload: { id } });
    const attempts: WebhookAttempt[] = [];
    dispatcher(
      {
        hanging: { url: hangingUrl, secret: SECRET },
        healthy: { url: healthyUrl, secret: SECRET },
        dead: { url: deadUrl, secret: SECRET },
      },
      { timeoutMs: 4_000, maxAttempts: 1_000, perTarget: 4, onAttempt: (a) => attempts.push(a) },
    );
    await waitFor('the hanging target holding its share', () =>
      hanging.received.length >= 4 ? true : undefined,
    );
    const started = Date.now();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) await enqueueWebhook(pool, { id, target: 'healthy', payload: { id } });
    for (const id of ids) await delivered(id);
    const ms = Date.now() - started;

    // Well within the hanging target's 4 s timeout, which has not yet passed for any attempt.
    expect(ms).toBeLessThan(2_500);
    expect(healthy.received).toHaveLength(5);
    expect(hanging.received).toHaveLength(4);
    expect(attempts.some((a) => a.target === 'hanging')).toBe(false);
    const deadAttempts = attempts.filter((a) => a.target === 'dead');
    expect(deadAttempts.length).toBeGreaterThan(0);
    expect(deadAttempts.every((a) => a.outcome === 'retry' && a.error === 'ECONNREFUSED')).toBe(
      true,
    );
  });

  it('delivers after its dispatcher is killed holding the delivery: claimed again once the lease lapses', async () => {
    const { receiver: r, url } = await receiver((n) => (n === 1 ? 'hold' : { status: 200 }));
    const id = randomUUID();
    await enqueueWebhook(pool, { id, target: 'a', payload: { id } });
    const child = spawn(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        join(__dirname, 'dispatcher.child.ts'),
        JSON.stringify({
          databaseUrl: database.url,
          target: 'a',
          url,
          secret: SECRET,
          timeoutMs: 1_000,
        }),
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor(
        'the first attempt to arrive',
        () => (r.received.length === 1 ? true : undefined),
        {
          timeoutMs: 30_000,
        },
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const claimed = await findWebhookDelivery(pool, id);
    expect(claimed).toMatchObject({ attempts: 1, deliveredAt: null, givenUpAt: null });
    // The lease (the 1 s timeout and a margin) still holds: nobody else takes it before then.
    expect(claimed!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    dispatcher({ a: { url, secret: SECRET } }, { timeoutMs: 1_000 });
    const row = await waitFor(
      'the delivery claimed again and delivered',
      async () => {
        const found = await findWebhookDelivery(pool, id);
        return found?.deliveredAt ? found : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(row).toMatchObject({ attempts: 2, lastStatus: 200 });
    expect(row.deliveredAt!.getTime()).toBeGreaterThanOrEqual(claimed!.nextAttemptAt.getTime());
    // Delivered once: the receiver answered one request, the second, with the same id.
    expect(r.received.map((q) => q.headers[WEBHOOK_ID_HEADER])).toEqual([id, id]);
    expect(r.received.map((q) => q.headers[ATTEMPT_HEADER])).toEqual(['1', '2']);
  });
});
