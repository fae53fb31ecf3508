import type { AppConfig } from '@app/config';
import { backoffDelay, ConsumerGroupProbe, pause, probeKafka } from '@app/kafka';
import { describeError, isRetriable, StageHealth, type DependencyName } from '@app/observability';

/** A stage's one-line log; Nest's `Logger` is one. */
export interface StageLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface StageHostOptions {
  readonly stage: string;
  readonly groupId: string;
  readonly inputTopic: string;
  /** Probes beside Kafka's and the registry's (PostgreSQL's, for the stages that use it). */
  readonly probes?: Partial<Record<DependencyName, () => Promise<void>>>;
  /** Where the stage keeps its positions when not in Kafka (the aggregator: PostgreSQL). */
  readonly storedPositions?: () => Promise<ReadonlyMap<number, string>>;
  readonly logger: StageLog;
}

/** Each registry probe gives up after this long, ms. */
const REGISTRY_PROBE_MS = 2_500;

/**
 * What every consuming stage does around its work, in one place: connect in the background
 * (so `/health` answers 503 "starting" meanwhile), retrying with back-off while a dependency
 * is not there yet and giving up only on an error that no retry can fix (which ends the
 * process); keep a `StageHealth` with the probes of Kafka, the registry and whatever else the
 * stage names; and stop within the configured time on SIGTERM.
 */
export class StageHost {
  readonly health: StageHealth;
  private readonly kafkaProbe: ConsumerGroupProbe;
  private memberId: () => string | undefined = () => undefined;
  private stopRequested = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly options: StageHostOptions,
  ) {
    this.kafkaProbe = new ConsumerGroupProbe(
      probeKafka(config, options.stage),
      options.groupId,
      options.inputTopic,
      () => this.memberId(),
      options.storedPositions,
    );
    this.health = new StageHealth({
      stage: options.stage,
      groupId: options.groupId,
      probes: {
        kafka: () => this.kafkaProbe.ping(),
        registry: () => registryAnswers(config.registry.url),
        ...options.probes,
      },
      progress: () => this.kafkaProbe.progress(),
      stallAfterMs: config.stages.stallAfterMs,
      intervalMs: config.stages.healthIntervalMs,
      log: (level, message) =>
        level === 'warn' ? options.logger.warn(message) : options.logger.log(message),
    });
  }

  /**
   * Starts `connect` in the background and returns at once. A failure that a retry may fix
   * (a dependency down, a topic not served yet) runs `cleanup`, then `connect` again after a
   * back-off, logging once per distinct cause; any other failure runs `cleanup` and ends the
   * process with status 1, naming the cause. `memberId` tells the health probe who we are.
   */
  start(
    connect: () => Promise<void>,
    cleanup: () => Promise<void>,
    memberId: () => string | undefined,
  ): void {
    this.memberId = memberId;
    this.health.start();
    this.starting = this.connectWithRetry(connect, cleanup).catch(async (error: unknown) => {
      this.options.logger.warn(
        `${this.options.stage}: cannot start: ${describeError(error)}; exiting`,
      );
      await cleanup().catch(() => undefined);
      process.exit(1);
    });
  }

  /**
   * Stops retrying, marks the stage stopping, and runs `disconnect` (after a start in flight
   * settles), all within the stop timeout: a process told to stop exits in bounded time, and
   * the stages' exactly-once writes make an abandoned batch harmless.
   */
  async stop(disconnect: () => Promise<void>): Promise<void> {
    this.stopRequested = true;
    this.health.stopping();
    const orderly = (async () => {
      await this.starting;
      await disconnect();
    })().catch((error: unknown) =>
      this.options.logger.warn(`${this.options.stage}: stopping: ${describeError(error)}`),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      orderly.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.config.stages.stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.options.logger.warn(
        `${this.options.stage}: did not stop within ${this.config.stages.stopTimeoutMs} ms; exiting anyway`,
      );
    this.health.stop();
    await this.kafkaProbe.close();
  }

  private async connectWithRetry(
    connect: () => Promise<void>,
    cleanup: () => Promise<void>,
  ): Promise<void> {
    let lastCause = '';
    for (let attempt = 1; !this.stopRequested; attempt++) {
      try {
        await connect();
        if (this.stopRequested) return;
        this.health.running();
        return;
      } catch (error) {
        await cleanup().catch(() => undefined);
        if (!isRetriable(error)) throw error;
        const cause = describeError(error);
        this.health.starting(`waiting for a dependency: ${cause}`);
        if (cause !== lastCause) {
          this.options.logger.warn(`${this.options.stage}: not started yet, retrying: ${cause}`);
          lastCause = cause;
        }
      }
      await pause(backoffDelay(attempt), () => this.stopRequested);
    }
  }
}

async function registryAnswers(url: string): Promise<void> {
  const response = await fetch(`${url}/subjects`, {
    signal: AbortSignal.timeout(REGISTRY_PROBE_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the registry answered ${response.status}`);
}
