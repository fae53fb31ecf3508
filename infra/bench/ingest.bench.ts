/**
 * Ingest throughput, side by side in one run on the same data: a raw kafkajs producer sending
 * pre-encoded bytes (the ceiling), the producer SDK (validate + encode + send), and the
 * ingest API as its own process over HTTP (JSON, batches of 500, one request at a time). Rounds alternate so machine noise hits all alike.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { CortegeProducer } from '@app/producer-sdk';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { AppProcess, createTopic, testIssuer, uniqueName } from '@app/testing';
import { stackUp } from '../local/src/stack';
import { chunks, median, rate, realisticSubmissions } from './bench.util';

const COUNT = 20_000;
const BATCH = 500;
const ROUNDS = 3;

export async function ingestBench(): Promise<Record<string, number>> {
  const config = loadConfig();
  await stackUp(config);
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('bench.ingest');
  await createTopic(admin, topic, 6);
  await admin.disconnect();

  const submissions = realisticSubmissions(COUNT);
  const serde = await AvroSerde.register<Submission>(
    new RegistryClient(config.registry.url),
    topic,
    SUBMISSION_SCHEMA,
  );
  const encoded = submissions.map((s) => ({ key: s.eventId, value: serde.encode(s) }));

  const raw = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await raw.connect();
  const sdk = new CortegeProducer({
    brokers: config.kafka.brokers,
    registryUrl: config.registry.url,
    topic,
  });
  await sdk.connect();

  const issuer = await testIssuer();
  const token = await issuer.token(undefined, { exp: Math.floor(Date.now() / 1000) + 3600 });
  const apiPort = 18700 + Math.floor(Math.random() * 200);
  const api = new AppProcess('ingest-api', {
    ...issuer.env,
    INGEST_PORT: String(apiPort),
    INGEST_TOPIC: topic,
    LOG_LEVEL: 'warn',
  });
  api.start();
  await api.healthy(apiPort);
  const postAll = async (items: readonly Submission[]) => {
    for (const batch of chunks(items, BATCH)) {
      const response = await fetch(`http://127.0.0.1:${apiPort}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(batch),
      });
      if (response.status !== 202)
        throw new Error(`ingest API answered ${response.status}: ${await response.text()}`);
    }
  };

  const results: Record<'raw' | 'sdk' | 'api', number[]> = { raw: [], sdk: [], api: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.raw.push(
      await rate(COUNT, async () => {
        for (const batch of chunks(encoded, BATCH)) await raw.send({ topic, messages: batch });
      }),
    );
    results.sdk.push(
      await rate(COUNT, async () => {
        for (const batch of chunks(submissions, BATCH)) await sdk.publishBatch(batch);
      }),
    );
    // Fresh ids each round: the API acknowledges a resubmission without publishing it again.
    const fresh = realisticSubmissions(COUNT);
    results.api.push(await rate(COUNT, () => postAll(fresh)));
  }
  await api.stop('SIGTERM');
  await raw.disconnect();
  await sdk.disconnect();
  const rawRate = median(results.raw);
  const sdkRate = median(results.sdk);
  const apiRate = median(results.api);
  return {
    'ingest.api_http_per_s': Math.round(apiRate),
    'ingest.api_over_raw': Number((apiRate / rawRate).toFixed(2)),
    'ingest.raw_kafkajs_per_s': Math.round(rawRate),
    'ingest.sdk_per_s': Math.round(sdkRate),
    'ingest.sdk_over_raw': Number((sdkRate / rawRate).toFixed(2)),
  };
}
