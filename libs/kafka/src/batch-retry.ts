import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJSError, type EachBatchPayload } from 'kafkajs';

/** What a stage tells its health about its batches (`StageHealth` is one). */
export interface BatchObserver {
  /** A batch committed. */
  batchCompleted(): void;
  /** A batch failed on a dependency other than Kafka and will be retried after a back-off. */
  retrying(error: unknown): void;
}

/** Capped exponential back-off, ms. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5_000 };

/**
 * The delay before retry number `attempt` (1-based), ms: initial × 2^(attempt−1), capped, with
 * ±20 % jitter so that restarted stages do not all knock at a service at the same instant.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Waits `ms`, waking every 100 ms to ask `shouldStop`, so that a process told to stop is not
 * held by a back-off. Resolves `true` when it was cut short.
 */
export async function pause(ms: number, shouldStop: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (shouldStop()) return true;
    await sleep(Math.min(100, end - Date.now()));
  }
  return shouldStop();
}

/**
 * Runs one step of a batch (`work`) until it succeeds, retrying in place, with back-off and
 * heartbeats, whatever it throws except Kafka's own errors: a registry or a PostgreSQL that is
 * down makes the stage wait for it, keeping its partitions, instead of crashing the consumer
 * into a rejoin. Kafka's errors are rethrown for kafkajs to handle (it reconnects and restarts
 * the consumer). `undefined` when the batch stopped mattering meanwhile (the consumer is
 * stopping, or the partition moved to another member). `failed` undoes what `work` staged.
 */
export async function retryInPlace<T>(
  payload: Pick<EachBatchPayload, 'isRunning' | 'isStale' | 'heartbeat'>,
  observer: BatchObserver | undefined,
  work: () => Promise<T>,
  failed: () => void = () => undefined,
): Promise<T | undefined> {
  const abandoned = () => !payload.isRunning() || payload.isStale();
  for (let attempt = 1; ; attempt++) {
    if (abandoned()) return undefined;
    // kafkajs heartbeats only when asked: keep the membership alive through a long step (a
    // big PostgreSQL transaction), so the session timeout can stay short. It sends one only
    // when the configured interval has passed.
    const keepAlive = setInterval(() => void payload.heartbeat().catch(() => undefined), 500);
    try {
      return await work();
    } catch (error) {
      failed();
      if (error instanceof KafkaJSError) throw error;
      observer?.retrying(error);
    } finally {
      clearInterval(keepAlive);
    }
    if (await pause(backoffDelay(attempt), abandoned)) return undefined;
    await payload.heartbeat();
  }
}
