import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { AppConfig } from '@app/config';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { migrate } from '@app/database';
import { importBanAddresses, importGazetteerPlaces } from '@app/geocoding-adapters';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { AppProcess } from './app-process';
import { approveInitialContract } from './contract-approval';
import { freePort } from './free-port';
import { createTopic, testProducer } from './kafka-test.helpers';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The project's gazetteer extract (BAN format) and named places, as the demo loads them. */
export const GAZETTEER_DATA = join(__dirname, '..', '..', 'geocoding-adapters', 'data');

/**
 * A fresh database of its own, migrated, holding the project's gazetteer extract and the
 * approval of the repository's contract (`approveInitialContract`): what the three stages need
 * to run on the sample submissions.
 */
export async function createGazetteerDatabase(config: AppConfig): Promise<TestDatabase> {
  const database = await createTestDatabase(config);
  try {
    await migrate(database.url);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    try {
      await importBanAddresses(pool, join(GAZETTEER_DATA, 'adresses-13-extract.csv'));
      await importGazetteerPlaces(pool, join(GAZETTEER_DATA, 'places.csv'));
    } finally {
      await pool.end();
    }
    await approveInitialContract({
      databaseUrl: database.url,
      registryUrl: config.registry.url,
      topic: config.sanitizer.inputTopic,
    });
    return database;
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** The topics of one private pipeline, named after `name`. */
export interface PipelineTopics {
  readonly input: string;
  readonly events: string;
  readonly presence: string;
  readonly dlq: string;
  /** The submission status topic the sanitizer and the locator write (issue #17). */
  readonly status: string;
  /** The conflict alerts the aggregator publishes (issue #19). */
  readonly alerts: string;
}

export const pipelineTopics = (name: string): PipelineTopics => ({
  input: `${name}.in`,
  events: `${name}.events`,
  presence: `${name}.presence`,
  dlq: `${name}.dlq`,
  status: `${name}.status`,
  alerts: `${name}.alerts`,
});

/** Creates `topics` with `partitions` each (and waits until they are served). */
export async function createTopics(
  kafka: Kafka,
  topics: readonly string[],
  partitions = 3,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) await createTopic(admin, topic, partitions);
  } finally {
    await admin.disconnect();
  }
}

/** Publishes submissions as a producer does: Avro through the registry, key = eventId. */
export class SubmissionPublisher {
  private constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    readonly serde: AvroSerde<Submission>,
  ) {}

  static async create(
    kafka: Kafka,
    registry: RegistryClient | string,
    topic: string,
  ): Promise<SubmissionPublisher> {
    const client = typeof registry === 'string' ? new RegistryClient(registry) : registry;
    const serde = await AvroSerde.register<Submission>(client, topic, SUBMISSION_SCHEMA);
    return new SubmissionPublisher(kafka, topic, serde);
  }

  async publish(submissions: readonly Submission[]): Promise<void> {
    const producer = testProducer(this.kafka, { idempotent: true });
    await producer.connect();
    try {
      await producer.send({
        topic: this.topic,
        messages: submissions.map((s) => ({ key: s.eventId, value: this.serde.encode(s) })),
      });
    } finally {
      await producer.disconnect();
    }
  }
}

export type StageName = 'sanitizer' | 'locator' | 'aggregator';

/**
 * The variables that put the three stages (and the CLI) on a private pipeline: its topics, and
 * consumer groups named after `name`.
 */
export function pipelineEnv(name: string, topics: PipelineTopics): Record<string, string> {
  return {
    SANITIZER_INPUT_TOPIC: topics.input,
    SANITIZER_EVENTS_TOPIC: topics.events,
    SANITIZER_DLQ_TOPIC: topics.dlq,
    SANITIZER_GROUP_ID: `${name}-sanitizer`,
    LOCATOR_INPUT_TOPIC: topics.events,
    LOCATOR_PRESENCE_TOPIC: topics.presence,
    LOCATOR_DLQ_TOPIC: topics.dlq,
    LOCATOR_GROUP_ID: `${name}-locator`,
    AGGREGATOR_INPUT_TOPIC: topics.presence,
    AGGREGATOR_DLQ_TOPIC: topics.dlq,
    AGGREGATOR_GROUP_ID: `${name}-aggregator`,
    SUBMISSION_STATUS_TOPIC: topics.status,
    SUBMISSION_STATUS_GROUP_ID: `${name}-status`,
    ALERTS_TOPIC: topics.alerts,
  };
}

const PORT_VARIABLE: Record<StageName, string> = {
  sanitizer: 'SANITIZER_PORT',
  locator: 'LOCATOR_PORT',
  aggregator: 'AGGREGATOR_PORT',
};

/**
 * One stage of a private pipeline as a process: its own port, the pipeline's topics and groups
 * (`pipelineEnv`); `databaseUrl` for the locator and the aggregator. `env` adds or overrides.
 */
export async function stageProcess(
  stage: StageName,
  name: string,
  topics: PipelineTopics,
  databaseUrl?: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ app: AppProcess; port: number }> {
  const port = await freePort();
  const database: Record<string, string> =
    databaseUrl !== undefined ? { DATABASE_URL: databaseUrl } : {};
  const variables = { ...pipelineEnv(name, topics), [PORT_VARIABLE[stage]]: String(port) };
  return { app: new AppProcess(stage, { ...variables, ...database, ...env }), port };
}
