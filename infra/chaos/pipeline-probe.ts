/**
 * Whether the pipeline has caught up: each stage's `/health` (its `lag` when it reports one),
 * the consumer groups' committed offsets against the topics' ends otherwise, and the
 * aggregator's positions stored in PostgreSQL (`consumer_offset`, past transaction markers).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { CHAOS_APPS, type ChaosApp } from './fault-schedule';

/** The topics, groups and ports of one pipeline (the chaos run's, or the clean run's). */
export interface PipelineNames {
  readonly topics: {
    readonly submissions: string;
    readonly events: string;
    readonly presence: string;
    readonly dlq: string;
  };
  readonly groups: {
    readonly sanitizer: string;
    readonly locator: string;
    readonly aggregator: string;
  };
  readonly ports: Readonly<Record<ChaosApp, number>>;
}

/** What one sample saw of one process. */
export interface StageState {
  readonly app: ChaosApp;
  /** `/health` answered 2xx. */
  readonly healthy: boolean;
  /** The `/health` status, or the network error. */
  readonly health: string;
  /**
   * `/health` did not answer within the probe's time (the process's event loop was busy, or
   * the machine was): says nothing of its health either way.
   */
  readonly slow?: boolean;
  /** Records still to process; undefined for the ingest API. */
  readonly lag?: number;
  /**
   * Where `lag` comes from: the stage's own `/health`, its group's committed offsets (for the
   * locator, whose input is transactional, one trailing marker per partition allowed), or the
   * aggregator's stored positions.
   */
  readonly lagSource?: 'health' | 'offsets' | 'positions';
}

/**
 * A /health answer waits for the process's own probes, each allowed 2.5 s: a shorter wait here
 * would take a process whose dependency is merely slow for one that does not answer.
 */
const HEALTH_TIMEOUT_MS = 6_000;

export class PipelineProbe {
  constructor(
    private readonly admin: Admin,
    private readonly pool: Pool,
    private readonly names: PipelineNames,
  ) {}

  /** One look at every process; never throws (a failed look is an unhealthy or lagging stage). */
  async sample(): Promise<StageState[]> {
    return Promise.all(CHAOS_APPS.map((app) => this.stage(app)));
  }

  private async stage(app: ChaosApp): Promise<StageState> {
    const { healthy, health, slow, lag: reported } = await healthOf(this.names.ports[app]);
    if (slow) return { app, healthy, health, slow };
    const { topics, groups } = this.names;
    const own = (lag: number | undefined, source: StageState['lagSource']): StageState =>
      reported !== undefined
        ? { app, healthy, health, lag: reported, lagSource: 'health' }
        : { app, healthy, health, ...(lag === undefined ? {} : { lag }), lagSource: source };
    try {
      switch (app) {
        case 'ingest-api':
          return { app, healthy, health };
        case 'sanitizer':
          return own(await this.groupLag(groups.sanitizer, topics.submissions, 0), 'offsets');
        case 'locator':
          return own(await this.groupLag(groups.locator, topics.events, 1), 'offsets');
        case 'aggregator': {
          // The stored positions always count; a lag the stage reports too must also be 0.
          const stored = await this.positionsLag();
          return {
            app,
            healthy,
            health,
            lag: Math.max(stored, reported ?? 0),
            lagSource: 'positions',
          };
        }
        default: {
          const _exhaustive: never = app;
          return _exhaustive;
        }
      }
    } catch (error) {
      return { app, healthy, health: `${health}; lag unknown: ${(error as Error).message}` };
    }
  }

  /**
   * Records of `topic` past the group's committed offsets, less `markers` per non-empty
   * partition (a transactional producer ends each partition with a commit marker no consumer
   * ever commits past).
   */
  private async groupLag(groupId: string, topic: string, markers: number): Promise<number> {
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const at = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
    );
    let lag = 0n;
    for (const end of ends) {
      const [high, low] = [BigInt(end.high), BigInt(end.low)];
      if (high === low) continue;
      const position = at.get(end.partition) ?? -1n;
      const from = position < low ? low : position;
      const behind = high - BigInt(markers) - from;
      if (behind > 0n) lag += behind;
    }
    return Number(lag);
  }

  /** Presence records past the aggregator's stored positions. */
  private async positionsLag(): Promise<number> {
    const { topics, groups } = this.names;
    const [ends, { rows }] = await Promise.all([
      this.admin.fetchTopicOffsets(topics.presence),
      this.pool.query<{ partition: number; next_offset: string }>(
        `SELECT partition, next_offset FROM consumer_offset WHERE consumer_group = $1 AND topic = $2`,
        [groups.aggregator, topics.presence],
      ),
    ]);
    const at = new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
    let lag = 0n;
    for (const end of ends) {
      const behind = BigInt(end.high) - (at.get(end.partition) ?? BigInt(end.low));
      if (behind > 0n) lag += behind;
    }
    return Number(lag);
  }
}

/** `/health` of the process on `port`: 2xx or not, and the `lag` it reports, if any. */
async function healthOf(
  port: number,
): Promise<{ healthy: boolean; health: string; slow: boolean; lag: number | undefined }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    const text = await response.text();
    let lag: number | undefined;
    try {
      const body = JSON.parse(text) as { lag?: unknown };
      if (typeof body.lag === 'number') lag = body.lag;
    } catch {
      // not JSON: no lag reported
    }
    return {
      healthy: response.ok,
      health: `${response.status} ${text.slice(0, 200)}`,
      slow: false,
      lag,
    };
  } catch (error) {
    const slow = (error as Error).name === 'TimeoutError';
    return { healthy: false, health: (error as Error).message, slow, lag: undefined };
  }
}

/** Why a sample is not settled: one line per process that is down or behind; empty when settled. */
export function unsettled(states: readonly StageState[]): string[] {
  return states
    .filter((s) => !s.healthy || (s.app !== 'ingest-api' && s.lag !== 0))
    .map((s) =>
      !s.healthy
        ? `${s.app} unhealthy (${s.health})`
        : `${s.app} lag ${s.lag ?? 'unknown'} (${s.lagSource ?? 'no source'})`,
    );
}

export interface SettleResult {
  readonly settled: boolean;
  /** From the call until the first of the settled samples, ms (the whole wait when it never settled). */
  readonly ms: number;
  readonly last: readonly StageState[];
  /** What was still behind at the end, when it never settled. */
  readonly behind: readonly string[];
}

/**
 * Waits until every process is healthy and no stage lags, in every sample over `stableMs`
 * (ms; samples every `intervalMs`), or `timeoutMs` (ms) passed. A sample in which a process's
 * `/health` answered late says nothing either way (a busy machine): it neither starts nor
 * breaks the stable stretch. A process that never answers in time never settles.
 */
export async function waitUntilSettled(
  probe: PipelineProbe,
  {
    timeoutMs,
    stableMs = 4_000,
    intervalMs = 1_000,
  }: { timeoutMs: number; stableMs?: number; intervalMs?: number },
  onSample?: (states: readonly StageState[], behind: readonly string[]) => void,
): Promise<SettleResult> {
  const started = Date.now();
  let since: number | undefined;
  let last: StageState[] = [];
  let behind: string[] = [];
  for (;;) {
    last = await probe.sample();
    behind = unsettled(last);
    onSample?.(last, behind);
    const now = Date.now();
    // What the processes that answered say breaks the stretch; a late answer only pauses it.
    if (unsettled(last.filter((s) => !s.slow)).length > 0) since = undefined;
    else if (!last.some((s) => s.slow)) {
      since ??= now;
      if (now - since >= stableMs) return { settled: true, ms: since - started, last, behind };
    }
    if (now - started > timeoutMs) return { settled: false, ms: now - started, last, behind };
    await sleep(intervalMs);
  }
}
