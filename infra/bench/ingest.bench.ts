/**
 * Ingest throughput, side by side in one run on the same data: a raw kafkajs producer sending
 * pre-encoded bytes (the floor's ceiling), the producer SDK (validate + encode + send), and
 * the ingest API over HTTP when it is built. Rounds alternate so machine noise hits all alike.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { CortegeProducer } from '@app/producer-sdk';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { createTopic, uniqueName } from '@app/testing';
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

  const results: Record<'raw' | 'sdk', number[]> = { raw: [], sdk: [] };
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
  }
  await raw.disconnect();
  await sdk.disconnect();
  const rawRate = median(results.raw);
  const sdkRate = median(results.sdk);
  return {
    'ingest.raw_kafkajs_per_s': Math.round(rawRate),
    'ingest.sdk_per_s': Math.round(sdkRate),
    'ingest.sdk_over_raw': Number((sdkRate / rawRate).toFixed(2)),
  };
}
