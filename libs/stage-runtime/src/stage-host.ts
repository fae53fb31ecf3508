import type { AppConfig } from '@app/config';
import {
  backoffDelay,
  ConsumerGroupProbe,
  ConsumingStage,
  ensureTopics,
  retentionConfigs,
  kafkaFromConfig,
  pause,
  probeKafka,
  type Rejection,
  type SinkWork,
  type StageDecoder,
  type TopicSpec,
  type TopicWork,
} from '@app/kafka';
import { describeError, isRetriable, StageHealth, type DependencyName } from '@app/observability';
import { AvroSerde, RegistryClient, SerdeError } from '@app/schema-registry';
import type { Kafka } from 'kafkajs';

/** A stage's one-line log; Nest's `Logger` is one. */
export interface StageLog {
  log(message: string): void;
  warn(message: string): void;
}

/** What the host gives a stage's `prepare`, once its topics exist. */
export interface StageContext {
  readonly kafka: Kafka;
  readonly registry: RegistryClient;
  readonly log: StageLog;
}

/**
 * What makes one stage: its topics, its input's schema, and its work. Everything else — the
 * topics created, the registry, decoding or dead-lettering, chunks, positions, heartbeats,
 * retries, health and shutdown — is the host's, the same for every stage.
 */
export interface StageDefinition<T> {
  /** Names the stage in logs, health, metrics and dead letters. */
  readonly stage: string;
  readonly groupId: string;
  /**
   * Topic stages: makes the transactional id `${groupId}-${instanceId}`, stable per instance,
   * so that a restarted instance fences its predecessor's open transaction.
   */
  readonly instanceId?: string;
  readonly inputTopic: string;
  /** The reader schema of the input's values (Avro, through the registry). */
  readonly inputSchema: object;
  readonly dlqTopic: string;
  /** Every topic the stage reads or writes but its dead letters, created when missing. */
  readonly topics: readonly TopicSpec[];
  /** Records per transaction; the stages' common setting when absent. */
  readonly maxRecordsPerTransaction?: number;
  /** Probes beside Kafka's and the registry's (PostgreSQL's, for the stages that use it). */
  readonly probes?: Partial<Record<DependencyName, () => Promise<void>>>;
  /** Sink stages: the positions their store keeps, for the lag the health reports. */
  readonly storedPositions?: () => Promise<ReadonlyMap<number, string>>;
  /**
   * Whether records written with a registry schema id may be processed at all (the first
   * stage's schema-change gate), asked before decoding; a rejection is dead-lettered with its
   * code, undefined lets the record be decoded. Throws what a retry may fix.
   */
  readonly admitWriter?: (schemaId: number) => Promise<Rejection | undefined>;
  /** A decoded value the stage can never process (beyond its schema), and why. */
  readonly check?: (value: T) => Rejection | undefined;
  /** Told of each dead letter once written, with its reason code. */
  readonly deadLettered?: (code: string) => void;
  /** The input is a compacted topic: its tombstones are passed over, not dead-lettered. */
  readonly inputCompacted?: boolean;
  /**
   * Builds the stage's work, once per connection: relearns what it wrote, registers its
   * output schemas, migrates its store. Throws what a retry may fix to be called again.
   */
  prepare(context: StageContext): Promise<TopicWork<T> | SinkWork<T>>;
  /** Releases what the definition holds (a connection pool), once the stage has stopped. */
  readonly close?: () => Promise<void>;
}

/** Each registry probe gives up after this long, ms. */
const REGISTRY_PROBE_MS = 2_500;

/**
 * Hosts one consuming stage: connects in the background (so `/health` answers 503 "starting"
 * meanwhile), retrying with back-off while a dependency is not there yet and giving up only on
 * an error that no retry can fix (which ends the process); runs the stage's work in the one
 * consumer loop (`ConsumingStage`); keeps a `StageHealth` with the probes of Kafka, the
 * registry and whatever else the stage names; and stops within the configured time.
 * docs/architecture.md ("One shape for every stage") shows how the parts fit.
 */
export class StageHost<T> {
  readonly health: StageHealth;
  private readonly kafkaProbe: ConsumerGroupProbe;
  private consuming: ConsumingStage<T> | undefined;
  private stopRequested = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly definition: StageDefinition<T>,
    private readonly logger: StageLog,
  ) {
    const { stage, groupId, inputTopic } = definition;
    this.kafkaProbe = new ConsumerGroupProbe(
      probeKafka(config, stage),
      groupId,
      inputTopic,
      () => this.consuming?.memberId,
      definition.storedPositions,
    );
    this.health = new StageHealth({
      stage,
      groupId,
      probes: {
        kafka: () => this.kafkaProbe.ping(),
        registry: () => registryAnswers(config.registry.url),
        ...definition.probes,
      },
      progress: () => this.kafkaProbe.progress(),
      stallAfterMs: config.stages.stallAfterMs,
      intervalMs: config.stages.healthIntervalMs,
      log: (level, message) => (level === 'warn' ? logger.warn(message) : logger.log(message)),
    });
  }

  /**
   * Starts connecting in the background and returns at once. A failure that a retry may fix
   * (a dependency down, a topic not served yet) disconnects, then connects again after a
   * back-off, logging once per distinct cause; any other failure ends the process with
   * status 1, naming the cause.
   */
  start(): void {
    this.health.start();
    this.starting = this.connectWithRetry().catch(async (error: unknown) => {
      this.logger.warn(`${this.definition.stage}: cannot start: ${describeError(error)}; exiting`);
      await this.disconnect().catch(() => undefined);
      process.exit(1);
    });
  }

  /**
   * Stops retrying, marks the stage stopping, and disconnects (after a start in flight
   * settles), all within the stop timeout: a process told to stop exits in bounded time, and
   * the stages' atomic chunks make an abandoned one harmless.
   */
  async stop(): Promise<void> {
    const { stage } = this.definition;
    const { stopTimeoutMs } = this.config.stages;
    this.stopRequested = true;
    this.health.stopping();
    const orderly = (async () => {
      await this.starting;
      await this.disconnect();
    })().catch((error: unknown) => this.logger.warn(`${stage}: stopping: ${describeError(error)}`));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      orderly.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.logger.warn(`${stage}: did not stop within ${stopTimeoutMs} ms; exiting anyway`);
    this.health.stop();
    await this.kafkaProbe.close();
    await this.definition
      .close?.()
      .catch((error: unknown) => this.logger.warn(`${stage}: closing: ${describeError(error)}`));
    this.logger.log(`${stage}: stopped`);
  }

  private async connect(): Promise<void> {
    const { config, definition, logger } = this;
    const { stage, groupId, inputTopic, dlqTopic } = definition;
    const kafka = kafkaFromConfig(config, stage);
    // Dead letters hold the original, unscrubbed bytes: kept only as long as configured.
    const changed = await ensureTopics(kafka, [
      ...definition.topics,
      {
        topic: dlqTopic,
        numPartitions: 1,
        configs: retentionConfigs(config.retention, 'dead-letters'),
      },
    ]);
    for (const { topic, name, from, to } of changed)
      logger.log(`${stage}: ${topic}: ${name} ${from ?? '(broker default)'} → ${to}`);
    const registry = new RegistryClient(config.registry.url);
    const work = await definition.prepare({ kafka, registry, log: logger });
    const serde = AvroSerde.forDecoding<T>(registry, inputTopic, definition.inputSchema);
    this.consuming = new ConsumingStage<T>(kafka, {
      stage,
      groupId,
      inputTopic,
      dlqTopic,
      ...(definition.instanceId !== undefined
        ? { transactionalId: `${groupId}-${definition.instanceId}` }
        : {}),
      decoder: avroDecoder(serde, definition.check, definition.admitWriter),
      work,
      maxRecordsPerTransaction:
        definition.maxRecordsPerTransaction ?? config.stages.maxRecordsPerTransaction,
      sessionTimeout: config.stages.sessionTimeoutMs,
      heartbeatInterval: config.stages.heartbeatIntervalMs,
      observer: this.health,
      ...(definition.deadLettered ? { deadLettered: definition.deadLettered } : {}),
      skipTombstones: definition.inputCompacted === true,
      log: (level, message) => logger[level](message),
    });
    await this.consuming.start();
    logger.log(`${stage}: consuming ${inputTopic} as ${groupId} (dead letters: ${dlqTopic})`);
  }

  private async disconnect(): Promise<void> {
    const consuming = this.consuming;
    this.consuming = undefined;
    await consuming?.stop(this.config.stages.stopTimeoutMs);
  }

  private async connectWithRetry(): Promise<void> {
    let lastCause = '';
    for (let attempt = 1; !this.stopRequested; attempt++) {
      try {
        await this.connect();
        if (this.stopRequested) return;
        this.health.running();
        return;
      } catch (error) {
        await this.disconnect().catch(() => undefined);
        if (!isRetriable(error)) throw error;
        const cause = describeError(error);
        this.health.starting(`waiting for a dependency: ${cause}`);
        if (cause !== lastCause) {
          this.logger.warn(`${this.definition.stage}: not started yet, retrying: ${cause}`);
          lastCause = cause;
        }
      }
      await pause(backoffDelay(attempt), () => this.stopRequested);
    }
  }
}

/**
 * Decodes with the registry: a record that can never be read (not Avro, an unknown or
 * incompatible schema), whose writer schema `admitWriter` refuses, or that `check` refuses is
 * rejected with its code; a registry that does not answer throws, to be retried.
 */
export function avroDecoder<T>(
  serde: AvroSerde<T>,
  check?: (value: T) => Rejection | undefined,
  admitWriter?: (schemaId: number) => Promise<Rejection | undefined>,
): StageDecoder<T> {
  return {
    async decode(message) {
      // The writer schema is judged first: an unapproved one is refused as such, whether or
      // not its records would decode.
      const writerId = AvroSerde.writerIdOf(message.value);
      const refused =
        admitWriter !== undefined && writerId !== undefined
          ? await admitWriter(writerId)
          : undefined;
      if (refused) return { rejected: refused };
      let value: T;
      try {
        value = await serde.decode(message.value);
      } catch (error) {
        if (!(error instanceof SerdeError) || error.retriable) throw error;
        return { rejected: { code: error.code, message: error.message } };
      }
      const rejection = check?.(value);
      return rejection ? { rejected: rejection } : { value };
    },
  };
}

async function registryAnswers(url: string): Promise<void> {
  const response = await fetch(`${url}/subjects`, {
    signal: AbortSignal.timeout(REGISTRY_PROBE_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the registry answered ${response.status}`);
}
