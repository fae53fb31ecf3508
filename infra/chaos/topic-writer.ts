/**
 * Produces the chaos run's malformed records straight onto the submissions topic, as a broken
 * or hostile producer would (the ingest API refuses most of them): an idempotent producer,
 * each send retried until the broker acknowledges it, so a broker kill delays records but
 * loses none. A retry after an unacknowledged send may write a record twice: the run counts
 * the copies the topic really holds, each of which must have its own dead letter.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Message, Producer } from 'kafkajs';

/** Longest wait between two attempts of a send, ms. */
const MAX_RETRY_DELAY_MS = 2_000;

/** What a record too large for the broker ended as. */
export type OversizedOutcome = 'refused_too_large' | 'accepted' | 'gave_up';

export class TopicWriter {
  /** Sends that failed and were retried, by error type. */
  readonly retried: Record<string, number> = {};
  private readonly producer: Producer;
  /** Without idempotence: a refused record must not wedge the idempotent producer's sequence. */
  private readonly plain: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly giveUpAfterMs: number,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.plain = kafka.producer({ retry: { retries: 2 } });
  }

  async connect(): Promise<void> {
    await this.retrying(() => this.producer.connect());
    await this.retrying(() => this.plain.connect());
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.plain.disconnect()]);
  }

  /** Writes `messages` (in one send), retrying until acknowledged. */
  async write(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.retrying(() => this.producer.send({ topic: this.topic, messages }));
  }

  /**
   * Tries `message`, larger than the broker's `max.message.bytes`, until the broker answers:
   * refused as too large (what must happen), or accepted.
   */
  async writeOversized(message: Message): Promise<OversizedOutcome> {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.plain.send({ topic: this.topic, messages: [message] });
        return 'accepted';
      } catch (error) {
        if (errorTypes(error).includes('MESSAGE_TOO_LARGE')) return 'refused_too_large';
        this.count(error);
      }
      if (Date.now() - started > this.giveUpAfterMs) return 'gave_up';
      await sleep(Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt));
    }
  }

  private async retrying(work: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        await work();
        return;
      } catch (error) {
        this.count(error);
        if (Date.now() - started > this.giveUpAfterMs) throw error;
      }
      await sleep(Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt));
    }
  }

  private count(error: unknown): void {
    const type = errorTypes(error)[0] ?? (error as Error).name;
    this.retried[type] = (this.retried[type] ?? 0) + 1;
  }
}

/** The Kafka error types of `error` and its causes (kafkajs wraps protocol errors). */
function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  for (let e = error as { type?: unknown; cause?: unknown } | undefined; e;) {
    if (typeof e.type === 'string') types.push(e.type);
    e = e.cause as typeof e;
  }
  return types;
}
