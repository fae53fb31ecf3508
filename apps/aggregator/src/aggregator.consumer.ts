import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  presenceProblem,
  PresenceAggregator,
  type BatchOutcome,
  type ConsumedPosition,
  type PresenceInput,
} from '@app/aggregation';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { migrate } from '@app/database';
import {
  deadLetter,
  DLQ_HEADERS,
  ensureTopics,
  kafkaFromConfig,
  retryInPlace,
  type StageOutput,
} from '@app/kafka';
import { describeError } from '@app/observability';
import { StageHost } from '@app/stage-runtime';
import { AvroSerde, RegistryClient, SerdeError } from '@app/schema-registry';
import { tensionModelOf, type TensionModel } from '@app/tension';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { AggregatorMetrics } from './aggregator.metrics';

const STAGE = 'aggregator';

/**
 * Wires the aggregator: the schema (migrations), the model of the configuration, and a consumer
 * of the presence topic whose every chunk of a fetched batch is one PostgreSQL transaction
 * holding its effects and its positions. On joining the group it seeks each partition to the
 * position stored in PostgreSQL (Kafka's committed offsets are only kept for lag monitoring).
 * Undecodable or invalid records go to the dead-letter topic before their chunk commits. A
 * registry or PostgreSQL that does not answer makes a chunk wait and retry in place; its
 * `StageHost` connects in the background and keeps the health `/health` reports.
 */
@Injectable()
export class AggregatorConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AggregatorConsumer.name);
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private memberId: string | undefined;
  private readonly pool: Pool;
  /** Applies batches and keeps the positions; one for the process, also read by the health. */
  private readonly aggregator: PresenceAggregator;
  private readonly model: TensionModel;
  readonly host: StageHost;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AggregatorMetrics) private readonly metrics: AggregatorMetrics,
  ) {
    const { aggregator: options, database } = config;
    this.pool = new Pool({
      connectionString: database.url,
      max: 2,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client whose server went away (a restart) is reported here; without a listener
    // pg's 'error' event would end the process. The next query connects again, or fails.
    this.pool.on('error', () => undefined);
    this.model = tensionModelOf(config.tension);
    const aggregator = new PresenceAggregator(this.pool, this.model, options.groupId);
    this.aggregator = aggregator;
    this.host = new StageHost(config, {
      stage: STAGE,
      groupId: options.groupId,
      inputTopic: options.inputTopic,
      probes: { postgres: async () => void (await this.pool.query('SELECT 1')) },
      storedPositions: () => aggregator.storedPositions(options.inputTopic),
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.host.start(
      () => this.connect(),
      () => this.disconnect(),
      () => this.memberId,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host.stop(() => this.disconnect());
    await this.pool.end();
    this.logger.log('stopped');
  }

  private async connect(): Promise<void> {
    const { aggregator: options, database } = this.config;
    const { model } = this;
    const applied = await migrate(database.url);
    if (applied.length > 0) this.logger.log(`migrations applied: ${applied.join(', ')}`);
    const { aggregator } = this;

    const kafka = kafkaFromConfig(this.config, STAGE);
    await ensureTopics(kafka, [
      { topic: options.inputTopic, numPartitions: options.partitions },
      { topic: options.dlqTopic, numPartitions: 1, configs: { 'retention.ms': '-1' } },
    ]);
    const serde = AvroSerde.forDecoding<Presence>(
      new RegistryClient(this.config.registry.url),
      options.inputTopic,
      PRESENCE_SCHEMA,
    );
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.producer = producer;
    await producer.connect();
    const consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      sessionTimeout: this.config.stages.sessionTimeoutMs,
      heartbeatInterval: this.config.stages.heartbeatIntervalMs,
    });
    this.consumer = consumer;
    const { GROUP_JOIN, CRASH, END_BATCH_PROCESS } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.memberId = payload.memberId;
      const partitions = payload.memberAssignment[options.inputTopic] ?? [];
      void aggregator.storedPositions(options.inputTopic).then(
        (stored) => {
          for (const partition of partitions) {
            const offset = stored.get(partition);
            if (offset !== undefined)
              consumer.seek({ topic: options.inputTopic, partition, offset });
          }
          this.logger.log(
            `assigned partitions ${partitions.join(', ') || 'none'} of ${options.inputTopic}; resuming from ${partitions.map((p) => `${p}@${stored.get(p) ?? 'start'}`).join(', ')}`,
          );
        },
        (error: unknown) =>
          this.logger.error(`reading the stored positions failed: ${describeError(error)}`),
      );
    });
    consumer.on(CRASH, ({ payload }) => {
      this.memberId = undefined;
      this.logger.warn(
        `consumer of ${options.inputTopic} stopped on ${payload.error.name}: ${payload.error.message}; ${payload.restart ? 'kafkajs restarts it' : 'not restarted'}`,
      );
    });
    // A fetch of markers only (no record) never reaches eachBatch: store the position it
    // reached all the same, so that an idle aggregator's lag is 0.
    consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      void aggregator
        .applyBatch(
          [],
          [{ topic: payload.topic, partition: payload.partition, offset: payload.lastOffset }],
        )
        .catch((error: unknown) =>
          this.logger.warn(`storing the position after markers failed: ${describeError(error)}`),
        );
    });
    await consumer.connect();
    await consumer.subscribe({ topic: options.inputTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload, serde, aggregator, model, producer, consumer),
    });
    this.logger.log(`aggregating ${options.inputTopic} into PostGIS (group ${options.groupId})`);
  }

  private async disconnect(): Promise<void> {
    const { consumer, producer } = this;
    this.consumer = undefined;
    this.producer = undefined;
    this.memberId = undefined;
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  private async eachBatch(
    payload: EachBatchPayload,
    serde: AvroSerde<Presence>,
    aggregator: PresenceAggregator,
    model: TensionModel,
    producer: Producer,
    consumer: Consumer,
  ): Promise<void> {
    const { batch } = payload;
    const { maxBatch, dlqTopic } = this.config.aggregator;
    const source = { topic: batch.topic, partition: batch.partition };
    for (let start = 0; start < batch.messages.length; start += maxBatch) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + maxBatch);
      const last = chunk[chunk.length - 1];
      if (!last) return;
      // The registry may be away: decoding waits for it, in place.
      const decoded = await retryInPlace(payload, this.host.health, () =>
        this.decodeChunk(chunk, source, serde, model),
      );
      if (decoded === undefined) return;
      const { inputs, skipped, letters } = decoded;
      // The last chunk also covers what follows its last record in the batch (transaction
      // markers), so the stored position reaches the end of a fully read partition.
      if (start + maxBatch >= batch.messages.length)
        skipped.push({ ...source, offset: batch.lastOffset() });
      // Dead letters first: a crash before the commit sends them again (at least once), never loses them.
      if (letters.length > 0)
        await producer.send({
          topic: dlqTopic,
          messages: letters.map(({ key, value, headers }) => ({ key, value, headers })),
        });
      const timer = this.metrics.batchSeconds.startTimer();
      const outcome = await retryInPlace(payload, this.host.health, () =>
        this.applyOrIsolate(aggregator, inputs, skipped, chunk, source, producer),
      );
      if (outcome === undefined) return;
      timer();
      this.host.health.batchCompleted();
      this.metrics.records.inc({ outcome: 'applied', reason: '' }, outcome.applied);
      this.metrics.records.inc({ outcome: 'stale', reason: '' }, outcome.stale);
      this.metrics.records.inc({ outcome: 'replayed', reason: '' }, outcome.replayed);
      for (const letter of letters)
        this.metrics.records.inc({
          outcome: 'dead_lettered',
          reason: String(letter.headers?.[DLQ_HEADERS.reason] ?? ''),
        });
      this.metrics.cellRows.inc(outcome.cellRows);
      payload.resolveOffset(last.offset);
      const next = (BigInt(last.offset) + 1n).toString();
      // For lag monitoring only: the positions that count are PostgreSQL's.
      await consumer
        .commitOffsets([{ ...source, offset: next }])
        .catch((error: unknown) =>
          this.logger.warn(`committing to Kafka failed: ${describeError(error)}`),
        );
      await payload.heartbeat();
    }
  }

  /** Decodes and checks each record: inputs to apply, positions to skip, dead letters. */
  private async decodeChunk(
    chunk: readonly KafkaMessage[],
    source: { readonly topic: string; readonly partition: number },
    serde: AvroSerde<Presence>,
    model: TensionModel,
  ): Promise<{ inputs: PresenceInput[]; skipped: ConsumedPosition[]; letters: StageOutput[] }> {
    const { dlqTopic } = this.config.aggregator;
    const inputs: PresenceInput[] = [];
    const skipped: ConsumedPosition[] = [];
    const letters: StageOutput[] = [];
    for (const message of chunk) {
      const position = { ...source, offset: message.offset };
      try {
        const record = await serde.decode(message.value);
        const problem = presenceProblem(record, model);
        if (problem === undefined) {
          inputs.push({ ...position, record });
          continue;
        }
        letters.push(deadLetter(dlqTopic, message, source, { ...problem, stage: STAGE }));
      } catch (error) {
        if (!(error instanceof SerdeError) || error.retriable) throw error;
        letters.push(
          deadLetter(dlqTopic, message, source, {
            code: error.code,
            message: error.message,
            stage: STAGE,
          }),
        );
      }
      skipped.push(position);
    }
    return { inputs, skipped, letters };
  }

  /**
   * Applies the chunk in one transaction. When PostgreSQL refuses its data (a class 22 or 23
   * error: a geometry it cannot read, a value out of range), the records are applied one
   * transaction each, so that only the ones PostgreSQL refuses go to the dead letters, with its
   * message, and nothing else is lost. Other errors (connection, lock) are retried in place.
   */
  private async applyOrIsolate(
    aggregator: PresenceAggregator,
    inputs: readonly PresenceInput[],
    skipped: readonly ConsumedPosition[],
    chunk: readonly KafkaMessage[],
    source: { readonly topic: string; readonly partition: number },
    producer: Producer,
  ): Promise<BatchOutcome> {
    try {
      return await aggregator.applyBatch(inputs, skipped);
    } catch (error) {
      if (!isDataError(error)) throw error;
      this.logger.warn(
        `PostgreSQL refused a chunk (${String(error)}); applying its records one by one`,
      );
    }
    const byOffset = new Map(chunk.map((m) => [m.offset, m]));
    const total = { applied: 0, stale: 0, replayed: 0, presenceRows: 0, cellRows: 0, zones: 0 };
    for (const input of inputs) {
      let outcome: BatchOutcome;
      try {
        outcome = await aggregator.applyBatch([input]);
      } catch (error) {
        if (!isDataError(error)) throw error;
        const message = byOffset.get(input.offset) as KafkaMessage;
        await producer.send({
          topic: this.config.aggregator.dlqTopic,
          messages: [
            deadLetter(this.config.aggregator.dlqTopic, message, source, {
              code: 'aggregation_refused',
              message: `PostgreSQL refused the presence of event ${input.record.eventId} in region ${input.record.region}: ${(error as Error).message}`,
              stage: STAGE,
            }),
          ].map(({ key, value, headers }) => ({ key, value, headers })),
        });
        this.metrics.records.inc({ outcome: 'dead_lettered', reason: 'aggregation_refused' });
        outcome = await aggregator.applyBatch([], [input]);
      }
      for (const key of Object.keys(total) as (keyof BatchOutcome)[]) total[key] += outcome[key];
    }
    const rest = await aggregator.applyBatch([], skipped);
    return { ...total, replayed: total.replayed + rest.replayed };
  }
}

/** PostgreSQL refused the data itself (SQLSTATE class 22 data exception, 23 integrity, XX000 internal as PostGIS raises): retrying cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === 'XX000')
  );
}
