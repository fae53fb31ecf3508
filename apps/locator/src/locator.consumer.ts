import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { locatorModel } from '@app/geo';
import { GEOCODER, type Geocoder } from '@app/geocoding';
import { GEOCODING_POOL, type GeocodingPool } from '@app/geocoding-adapters';
import {
  ensureTopics,
  kafkaFromConfig,
  scanTopic,
  stageConsumerSettings,
  TransactionalStage,
} from '@app/kafka';
import { LocatedEventsState } from '@app/location';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { StageHost } from '@app/stage-runtime';
import { LocatorHandler, PRESENCE_HEADERS } from './locator.handler';
import { LocatorMetrics } from './locator.metrics';

/**
 * Wires the locator: its topics, what it already wrote (relearnt from the presence topic), and
 * the exactly-once stage from clean events to presence records, until shutdown. Its
 * `StageHost` connects in the background, retrying while a dependency is away, and keeps the
 * health `/health` reports (PostgreSQL included: the gazetteer lives there).
 */
@Injectable()
export class LocatorConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LocatorConsumer.name);
  private stage: TransactionalStage | undefined;
  readonly host: StageHost;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LocatorMetrics) private readonly metrics: LocatorMetrics,
    @Inject(GEOCODER) private readonly geocoder: Geocoder,
    @Inject(GEOCODING_POOL) private readonly geocoding: GeocodingPool,
  ) {
    this.host = new StageHost(config, {
      stage: 'locator',
      groupId: config.locator.groupId,
      inputTopic: config.locator.inputTopic,
      probes: { postgres: () => geocoding.ping() },
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
    const { locator } = this.config;
    await this.geocoding.ready();
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
      locatorModel(locator.modelOverrides),
      state,
      this.metrics,
    );
    this.stage = new TransactionalStage(
      kafka,
      {
        groupId: locator.groupId,
        inputTopic: locator.inputTopic,
        transactionalId: `${locator.groupId}-${locator.instanceId}`,
        ...stageConsumerSettings(this.config),
        observer: this.host.health,
        log: (level, message) => this.logger[level](message),
      },
      handler,
    );
    await this.stage.start();
    this.logger.log(
      `consuming ${locator.inputTopic} → ${locator.presenceTopic} | ${locator.dlqTopic}`,
    );
  }

  private async disconnect(): Promise<void> {
    const stage = this.stage;
    this.stage = undefined;
    await stage?.stop(this.config.stages.stopTimeoutMs);
  }
}
