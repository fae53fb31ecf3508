import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DEFAULT_LOCATOR_MODEL } from '@app/geo';
import { GEOCODER, type Geocoder } from '@app/geocoding';
import { ensureTopics, kafkaFromConfig, scanTopic, TransactionalStage } from '@app/kafka';
import { LocatedEventsState } from '@app/location';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { LocatorHandler, PRESENCE_HEADERS } from './locator.handler';
import { LocatorMetrics } from './locator.metrics';

/**
 * Wires the locator: its topics, what it already wrote (relearnt from the presence topic), and
 * the exactly-once stage from clean events to presence records, until shutdown.
 */
@Injectable()
export class LocatorConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LocatorConsumer.name);
  private stage: TransactionalStage | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LocatorMetrics) private readonly metrics: LocatorMetrics,
    @Inject(GEOCODER) private readonly geocoder: Geocoder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { locator } = this.config;
    const kafka = kafkaFromConfig(this.config, 'locator');
    await ensureTopics(kafka, [
      {
        topic: locator.inputTopic,
        numPartitions: locator.partitions,
        configs: { 'cleanup.policy': 'compact' },
      },
      { topic: locator.presenceTopic, numPartitions: locator.partitions },
      { topic: locator.dlqTopic, numPartitions: 1, configs: { 'retention.ms': '-1' } },
    ]);

    const state = new LocatedEventsState();
    const scanned = await scanTopic(kafka, locator.presenceTopic, (key, headers) => {
      const revision = Number(headers[PRESENCE_HEADERS.revision]);
      const eventId = headers[PRESENCE_HEADERS.eventId];
      if (key && eventId && Number.isInteger(revision)) {
        state.remember(
          eventId,
          revision,
          key.toString(),
          Number(headers[PRESENCE_HEADERS.cells] ?? 0) > 0,
        );
      }
    });
    this.logger.log(
      `learnt ${state.size} located event(s) from ${scanned} record(s) of ${locator.presenceTopic}`,
    );

    const registry = new RegistryClient(this.config.registry.url);
    const handler = new LocatorHandler(
      AvroSerde.forDecoding<Submission>(registry, locator.inputTopic, SUBMISSION_SCHEMA),
      await AvroSerde.register<Presence>(registry, locator.presenceTopic, PRESENCE_SCHEMA),
      { presence: locator.presenceTopic, dlq: locator.dlqTopic },
      this.geocoder,
      { ...DEFAULT_LOCATOR_MODEL, ...locator.modelOverrides },
      state,
      this.metrics,
    );
    this.stage = new TransactionalStage(
      kafka,
      {
        groupId: locator.groupId,
        inputTopic: locator.inputTopic,
        transactionalId: `${locator.groupId}-${locator.instanceId}`,
      },
      handler,
    );
    await this.stage.start();
    this.logger.log(
      `consuming ${locator.inputTopic} → ${locator.presenceTopic} | ${locator.dlqTopic}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stage?.stop();
    this.logger.log('stopped');
  }
}
