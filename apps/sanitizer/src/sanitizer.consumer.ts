import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RevisionGate, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ensureTopics, kafkaFromConfig, scanTopic, TransactionalStage } from '@app/kafka';
import { DEFAULT_SANITIZATION_POLICY } from '@app/sanitization';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { EVENT_HEADERS, SanitizerHandler } from './sanitizer.handler';
import { SanitizerMetrics } from './sanitizer.metrics';

/**
 * Wires the sanitizer: makes sure its topics exist, learns the revisions already passed from
 * `cortege.events.v1`, then runs the exactly-once stage until the application shuts down.
 */
@Injectable()
export class SanitizerConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SanitizerConsumer.name);
  private stage: TransactionalStage | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SanitizerMetrics) private readonly metrics: SanitizerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
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
      { ...DEFAULT_SANITIZATION_POLICY, ...sanitizer.policyOverrides },
      gate,
      this.metrics,
    );
    this.stage = new TransactionalStage(
      kafka,
      {
        groupId: sanitizer.groupId,
        inputTopic: topics.input,
        transactionalId: `${sanitizer.groupId}-${sanitizer.instanceId}`,
      },
      handler,
    );
    await this.stage.start();
    this.logger.log(
      `consuming ${topics.input} → ${topics.events} | ${topics.dlq} as ${sanitizer.groupId}/${sanitizer.instanceId}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stage?.stop();
    this.logger.log('stopped');
  }
}
