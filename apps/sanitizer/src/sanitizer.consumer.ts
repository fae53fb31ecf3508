import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RevisionGate, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  ensureTopics,
  kafkaFromConfig,
  scanTopic,
  stageConsumerSettings,
  TransactionalStage,
} from '@app/kafka';
import { sanitizationPolicy } from '@app/sanitization';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { StageHost } from '@app/stage-runtime';
import { EVENT_HEADERS, SanitizerHandler } from './sanitizer.handler';
import { SanitizerMetrics } from './sanitizer.metrics';

/**
 * Wires the sanitizer: makes sure its topics exist, learns the revisions already passed from
 * `cortege.events.v1`, then runs the exactly-once stage until the application shuts down.
 * Its `StageHost` connects in the background, retrying while a dependency is away, and keeps
 * the health `/health` reports.
 */
@Injectable()
export class SanitizerConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SanitizerConsumer.name);
  private stage: TransactionalStage | undefined;
  readonly host: StageHost;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SanitizerMetrics) private readonly metrics: SanitizerMetrics,
  ) {
    this.host = new StageHost(config, {
      stage: 'sanitizer',
      groupId: config.sanitizer.groupId,
      inputTopic: config.sanitizer.inputTopic,
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.host.start(
      () => this.connect(),
      () => this.disconnect(),
      () => this.stage?.memberId,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host.stop(() => this.disconnect());
    this.logger.log('stopped');
  }

  private async connect(): Promise<void> {
    const { sanitizer } = this.config;
    const topics = {
      input: sanitizer.inputTopic,
      events: sanitizer.eventsTopic,
      dlq: sanitizer.dlqTopic,
    };
    const kafka = kafkaFromConfig(this.config, 'sanitizer');
    await ensureTopics(kafka, [
      { topic: topics.input, numPartitions: sanitizer.partitions },
      // Compacted by eventId: the latest revision of each event stays, for rebuilds.
      {
        topic: topics.events,
        numPartitions: sanitizer.partitions,
        configs: { 'cleanup.policy': 'compact' },
      },
      { topic: topics.dlq, numPartitions: 1, configs: { 'retention.ms': '-1' } },
    ]);

    const gate = new RevisionGate();
    const scanned = await scanTopic(kafka, topics.events, (key, headers) => {
      const revision = Number(headers[EVENT_HEADERS.revision]);
      if (key && Number.isInteger(revision)) gate.remember(key.toString(), revision);
    });
    this.logger.log(
      `learnt ${gate.size} event revision(s) from ${scanned} record(s) of ${topics.events}`,
    );

    const registry = new RegistryClient(this.config.registry.url);
    const handler = new SanitizerHandler(
      AvroSerde.forDecoding<Submission>(registry, topics.input, SUBMISSION_SCHEMA),
      await AvroSerde.register<Submission>(registry, topics.events, SUBMISSION_SCHEMA),
      { events: topics.events, dlq: topics.dlq },
      sanitizationPolicy(sanitizer.policyOverrides),
      gate,
      this.metrics,
    );
    this.stage = new TransactionalStage(
      kafka,
      {
        groupId: sanitizer.groupId,
        inputTopic: topics.input,
        transactionalId: `${sanitizer.groupId}-${sanitizer.instanceId}`,
        ...stageConsumerSettings(this.config),
        observer: this.host.health,
        log: (level, message) => this.logger[level](message),
      },
      handler,
    );
    await this.stage.start();
    this.logger.log(
      `consuming ${topics.input} → ${topics.events} | ${topics.dlq} as ${sanitizer.groupId}/${sanitizer.instanceId}`,
    );
  }

  private async disconnect(): Promise<void> {
    const stage = this.stage;
    this.stage = undefined;
    await stage?.stop(this.config.stages.stopTimeoutMs);
  }
}
