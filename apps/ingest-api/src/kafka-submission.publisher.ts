import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { KafkaJSProtocolError } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Submission } from '@app/contracts';
import { PRODUCER_HEADER, type CortegeProducer } from '@app/producer-sdk';
import { SerdeError } from '@app/schema-registry';
import { IngestError, IngestErrorCode } from './ingest.error';
import type { SubmissionSink } from './submission.sink';

/** DI token of the app's `CortegeProducer`. */
export const CORTEGE_PRODUCER = Symbol('CORTEGE_PRODUCER');

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** How long shutdown waits for a connection attempt under way before giving up on it. */
const SHUTDOWN_GRACE_MS = 5_000;

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Publishes accepted submissions through the producer SDK (idempotent producer, acks from all
 * in-sync replicas). Connects in the background from start and retries with backoff, so the
 * API starts while Kafka or the registry are down and answers 503 until they are back;
 * disconnects on shutdown, after the HTTP server has drained.
 */
@Injectable()
export class KafkaSubmissionPublisher
  implements SubmissionSink, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('SubmissionPublisher');
  private readonly stopping = new AbortController();
  private connecting: Promise<void> | undefined;
  private connected = false;

  constructor(@Inject(CORTEGE_PRODUCER) private readonly producer: CortegeProducer) {}

  /** True once the approved schema is found in the registry and the producer connected. */
  get isConnected(): boolean {
    return this.connected;
  }

  onApplicationBootstrap(): void {
    this.connecting = this.connectUntilStopped();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (this.connecting) {
      await Promise.race([this.connecting, sleep(SHUTDOWN_GRACE_MS, undefined, { ref: false })]);
    }
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
      this.logger.log('disconnected from Kafka');
    }
  }

  async send(submissions: readonly Submission[], producer: string): Promise<void> {
    if (!this.connected) {
      throw new IngestError(
        IngestErrorCode.Unavailable,
        'not connected to Kafka and the schema registry yet; retry',
        { retriable: true },
      );
    }
    try {
      await this.producer.send(submissions, { [PRODUCER_HEADER]: producer });
    } catch (error) {
      throw this.classify(error);
    }
  }

  private async connectUntilStopped(): Promise<void> {
    let delayMs = FIRST_RETRY_MS;
    while (!this.stopping.signal.aborted) {
      try {
        await this.producer.connect();
        if (this.stopping.signal.aborted) {
          await this.producer.disconnect();
          return;
        }
        this.connected = true;
        this.logger.log('connected to Kafka; writing with the approved schema');
        return;
      } catch (error) {
        this.logger.warn(
          `cannot connect to Kafka or the schema registry (${(error as Error).message}); retrying in ${delayMs} ms`,
        );
      }
      try {
        await sleep(delayMs, undefined, { signal: this.stopping.signal });
      } catch {
        return; // aborted: shutting down
      }
      delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
    }
  }

  /** Any failure to store is retriable for the client, except a batch the brokers find too big. */
  private classify(error: unknown): Error {
    if (error instanceof IngestError) return error;
    if (error instanceof SerdeError && !error.retriable) return error; // a bug: 500, logged
    if (error instanceof KafkaJSProtocolError && TOO_LARGE.has(error.type)) {
      return new IngestError(
        IngestErrorCode.PayloadTooLarge,
        'the brokers refused the batch as too large; send fewer submissions per request',
        {},
        1,
        { cause: error },
      );
    }
    this.logger.warn(`publishing failed: ${(error as Error).message}`);
    return new IngestError(
      IngestErrorCode.Unavailable,
      'Kafka did not acknowledge the submissions; retry them (any stored twice is dropped downstream)',
      { retriable: true },
      1,
      { cause: error },
    );
  }
}
