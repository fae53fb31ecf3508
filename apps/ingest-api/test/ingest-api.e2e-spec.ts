import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { loadConfig } from '@app/config';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  approveInitialContract,
  createTopic,
  freePort,
  readTopic,
  sampleSubmissions,
  testKafka,
  uniqueName,
  waitFor,
} from '@app/testing';
import { request } from './http-client';
import { selfSignedCertificate, testIssuer, type SelfSigned, type TestIssuer } from '@app/testing';

const ROOT = join(__dirname, '..', '..', '..');
const stack = loadConfig();

/** Resolves with the exit code and signal of a process once it has exited. */
const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

describe('the ingest API as a process, over HTTPS', () => {
  let tls: SelfSigned | undefined;
  let kafka: Kafka;
  let admin: Admin;
  let issuer: TestIssuer;
  let topic: string;
  let port: number;
  let cert: Buffer;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    tls = selfSignedCertificate('ingest-e2e-');
    cert = tls.cert;
    kafka = testKafka(stack);
    admin = kafka.admin();
    await admin.connect();
    topic = uniqueName('test.ingest-e2e');
    await createTopic(admin, topic);
    // The API registers nothing: the contract's version is approved first.
    await approveInitialContract({
      databaseUrl: stack.database.url,
      registryUrl: stack.registry.url,
      topic,
    });
    issuer = await testIssuer();
    port = await freePort();
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exitOf(child);
    }
    await admin?.disconnect();
    tls?.remove();
  });

  it('starts with TLS, accepts a submission into Kafka, and exits 0 on SIGTERM', async () => {
    // Only what the process needs: its environment is the test's choice, not inherited.
    // One process (tsx's CLI would run the app in a child of its own, which a SIGKILL of the
    // wrapper leaves running); it stops itself should this test process die first.
    child = spawn(process.execPath, ['--require', 'tsx/cjs', 'apps/ingest-api/src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        KAFKA_BROKERS: stack.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: stack.registry.url,
        DATABASE_URL: stack.database.url,
        INGEST_PORT: String(port),
        INGEST_TOPIC: topic,
        INGEST_TLS_CERT_FILE: tls?.certFile ?? '',
        INGEST_TLS_KEY_FILE: tls?.keyFile ?? '',
        ...issuer.env,
        NO_COLOR: '1',
        CORTEGE_PARENT_PID: String(process.pid),
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const running = child;
    const url = `https://127.0.0.1:${port}`;

    const health = await waitFor(
      'the ingest API to answer /health over HTTPS',
      async () => {
        if (running.exitCode !== null) throw new Error(`the API exited early:\n${output}`);
        const response = await request(`${url}/health`, { ca: cert }).catch(() => undefined);
        // Both up: on a loaded machine a dependency may be `slow` (still 200) for a while.
        const body = response?.status === 200 ? response.json<Record<string, string>>() : {};
        return body.kafka === 'up' && body.registry === 'up' ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(health).toEqual({ status: 'ok', kafka: 'up', registry: 'up', postgres: 'up' });

    // Plain HTTP is not served on the TLS port.
    await expect(request(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

    const { static: rally } = sampleSubmissions();
    const response = await request(`${url}/v1/submissions`, {
      ca: cert,
      body: JSON.stringify(rally),
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${await issuer.token()}`,
      },
    });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({
      accepted: [{ eventId: rally.eventId, revision: 2, duplicate: false }],
    });

    const serde = await AvroSerde.register<Submission>(
      new RegistryClient(stack.registry.url),
      topic,
      SUBMISSION_SCHEMA,
    );
    const [record, ...others] = await readTopic(kafka, topic, 1);
    expect(others).toEqual([]);
    expect(String(record?.message.key)).toBe(rally.eventId);
    expect(await serde.decode(record?.message.value ?? null)).toEqual(rally);

    running.kill('SIGTERM');
    expect(await exitOf(running)).toEqual({ code: 0, signal: null });
    expect(output).toContain(`listening on https://127.0.0.1:${port}, publishing to ${topic}`);
    expect(output).toContain('disconnected from Kafka');
  });
});
