import { submissionJsonSchema } from '@app/contracts';
import { freePort, sampleSubmissions } from '@app/testing';
import { startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';

/** The value of each `cortege_ingest_submissions_total` outcome in a Prometheus text. */
const submissionCounters = (text: string): Record<string, number> =>
  Object.fromEntries(
    [...text.matchAll(/^cortege_ingest_submissions_total\{outcome="(\w+)"\} (\d+)$/gm)].map(
      (m): [string, number] => [m[1] ?? '', Number(m[2])],
    ),
  );

describe('the ingest API’s operational endpoints', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    api = await startIngestApi();
  });
  afterAll(async () => api?.close());

  it('GET /health: 200 with Kafka and the registry up', async () => {
    const response = await api.get('/health');
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', kafka: 'up', registry: 'up', postgres: 'up' });
  });

  it('GET /metrics: counts submissions by outcome, times requests, and has process metrics', async () => {
    const before = submissionCounters((await api.get('/metrics')).text);
    expect(before).toEqual({ accepted: 0, duplicate: 0, rejected: 0, conflict: 0, unavailable: 0 });

    const { moving, visit } = sampleSubmissions();
    await api.submit([moving, visit]); // 2 accepted
    await api.submit(visit); // 1 duplicate
    await api.submit({ ...visit, source: 'other' }); // 1 conflict
    await api.submit([visit, { ...moving, revision: 0 }, moving]); // 3 rejected (all or nothing)
    await api.submit('{'); // 1 rejected
    await api.submit(visit, { token: null }); // not a producer: not counted

    const metrics = await api.get('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(submissionCounters(metrics.text)).toEqual({
      accepted: 2,
      duplicate: 1,
      rejected: 4,
      conflict: 1,
      unavailable: 0,
    });
    expect(metrics.text).toMatch(
      /^cortege_ingest_http_request_duration_seconds_count\{method="POST",route="\/v1\/submissions",status="202"\} 2$/m,
    );
    expect(metrics.text).toMatch(
      /^cortege_ingest_http_request_duration_seconds_count\{method="POST",route="\/v1\/submissions",status="401"\} 1$/m,
    );
    expect(metrics.text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('GET /openapi.json: an OpenAPI 3.1 document with the submission schema from the Avro contract', async () => {
    const response = await api.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    const document = response.json<{
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('Cortège ingest API');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/submissions', '/health', '/metrics', '/openapi.json']),
    );
    expect(document.components.schemas.Submission).toEqual(submissionJsonSchema());
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await api.get('/v2/nothing', {
      Authorization: `Bearer ${await api.issuer.token()}`,
    });
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('the ingest API with PostgreSQL unreachable', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    const port = await freePort();
    api = await startIngestApi(
      { DATABASE_URL: `postgres://cortege:cortege@127.0.0.1:${port}/cortege` },
      { healthy: false },
    );
  });
  afterAll(async () => api?.close());

  it('reports itself down on /health with 503: every submission needs its producer bindings', async () => {
    const response = await api.get('/health');
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', postgres: 'down' });
  });
});

describe('the ingest API with Kafka and the registry unreachable', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    const [kafkaPort, registryPort] = [await freePort(), await freePort()];
    api = await startIngestApi(
      {
        KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
        SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
        INGEST_RETRY_AFTER_SECONDS: '7',
      },
      { healthy: false },
    );
  });
  afterAll(async () => api?.close());

  it('reports itself down on /health with 503', async () => {
    const response = await api.get('/health');
    expect(response.status).toBe(503);
    expect(response.json()).toEqual({
      status: 'unavailable',
      kafka: 'down',
      registry: 'down',
      postgres: 'up',
    });
  });

  it('answers a valid submission with a retriable 503 and Retry-After, never a 500', async () => {
    const response = await api.submit(sampleSubmissions().visit);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json()).toEqual({
      error: 'unavailable',
      message: 'not connected to Kafka and the schema registry yet; retry',
      retriable: true,
    });
    expect(response.text).not.toContain(' at ');
    const metrics = submissionCounters((await api.get('/metrics')).text);
    expect(metrics.unavailable).toBe(1);
  });

  it('still refuses an invalid submission with 400 first', async () => {
    const response = await api.submit({ ...sampleSubmissions().visit, action: 'DELETE' });
    expect(response.status).toBe(400);
  });
});
