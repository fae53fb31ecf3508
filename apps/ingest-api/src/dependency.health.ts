import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { kafkaSecurityOptions } from '@app/kafka';
import {
  DependencyStates,
  isNoAnswer,
  within,
  type DependencyState,
  type ProbeOutcome,
} from '@app/observability';
import { KafkaSubmissionPublisher } from './kafka-submission.publisher';
import { PgProducerBindings } from './producer-bindings';

export interface DependencyStatus {
  readonly kafka: DependencyState;
  readonly registry: DependencyState;
  /** The producers' bindings (every submission is checked against them) and the statuses. */
  readonly postgres: DependencyState;
}

/** Each probe gives up after this long, ms: a health check must answer quickly. */
const PROBE_TIMEOUT_MS = 2_500;

/**
 * Whether the API can accept submissions now: Kafka is up when the publisher is connected and
 * the cluster answers a metadata request; the registry is up when its API answers; PostgreSQL
 * when it answers a query. A dependency
 * that does not answer in time is `slow` (still serving) until three checks in a row, then down.
 */
@Injectable()
export class DependencyHealth implements OnApplicationShutdown {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private readonly states = new DependencyStates<keyof DependencyStatus>(3);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KafkaSubmissionPublisher) private readonly publisher: KafkaSubmissionPublisher,
    @Inject(PgProducerBindings) private readonly bindings: PgProducerBindings,
  ) {
    this.kafka = new Kafka({
      clientId: `${config.kafka.clientId}-ingest-health`,
      brokers: [...config.kafka.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: PROBE_TIMEOUT_MS,
      requestTimeout: PROBE_TIMEOUT_MS,
      retry: { retries: 0 },
      ...kafkaSecurityOptions(config.kafka),
    });
  }

  async check(): Promise<DependencyStatus> {
    const [kafka, registry, postgres] = await Promise.all([
      this.probeKafka(),
      this.probeRegistry(),
      this.probePostgres(),
    ]);
    return {
      kafka: this.states.next('kafka', kafka),
      registry: this.states.next('registry', registry),
      postgres: this.states.next('postgres', postgres),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  private async probeKafka(): Promise<ProbeOutcome> {
    if (!this.publisher.isConnected) return 'refused';
    let admin = this.admin;
    try {
      if (!admin) {
        admin = this.kafka.admin();
        await within(admin.connect(), PROBE_TIMEOUT_MS, 'Kafka');
        this.admin = admin;
      }
      const cluster = await within(admin.describeCluster(), PROBE_TIMEOUT_MS, 'Kafka');
      return cluster.brokers.length > 0 ? 'answered' : 'refused';
    } catch (error) {
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      return isNoAnswer(error) ? 'no-answer' : 'refused';
    }
  }

  private async probePostgres(): Promise<ProbeOutcome> {
    try {
      await within(this.bindings.ping(), PROBE_TIMEOUT_MS, 'PostgreSQL');
      return 'answered';
    } catch (error) {
      return isNoAnswer(error) ? 'no-answer' : 'refused';
    }
  }

  private async probeRegistry(): Promise<ProbeOutcome> {
    try {
      const response = await fetch(`${this.config.registry.url}/subjects`, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.ok ? 'answered' : 'refused';
    } catch (error) {
      return isNoAnswer(error) ? 'no-answer' : 'refused';
    }
  }
}
