import { describeError } from './retriable-error';
import { DependencyStates, type DependencyState } from './dependency-state';
import { isNoAnswer, within } from './within';

/** The dependency an error names itself as coming from (`{ dependency: 'postgres' }`). */
function dependencyOf(error: unknown): DependencyName | undefined {
  const named = (error as { dependency?: unknown } | null)?.dependency;
  return named === 'kafka' || named === 'registry' || named === 'postgres' ? named : undefined;
}

/** One dependency's probe on one check: `problem` is undefined when it answered well. */
interface ProbeResult {
  readonly name: DependencyName;
  readonly problem: string | undefined;
  /** It did not answer in time (rather than refusing). */
  readonly noAnswer: boolean;
}

/** What a stage depends on; each one it uses has a probe. */
export type DependencyName = 'kafka' | 'registry' | 'postgres';

/** Where a stage is in its life: only `running` can be healthy. */
export type StagePhase = 'starting' | 'running' | 'stopping';

/** A stage's progress as Kafka (or its position store) sees it. */
export interface StageProgress {
  /** Records of the input topic not yet processed, net of transaction markers. */
  readonly lag: number;
  /** Whether the group coordinator lists this process as a member of the stage's group. */
  readonly member: boolean;
}

export interface StageHealthOptions {
  readonly stage: string;
  readonly groupId: string;
  /** Each throws when its dependency does not answer. */
  readonly probes: Partial<Record<DependencyName, () => Promise<void>>>;
  /**
   * Lag and membership; throws when Kafka (or the store of positions, whose error then carries
   * `dependency`) does not answer.
   */
  readonly progress: () => Promise<StageProgress>;
  /** How long (ms) one probe may take before it counts as unanswered (default 2 500). */
  readonly probeTimeoutMs?: number;
  /**
   * How many checks in a row a dependency may leave unanswered (a timeout, not a refusal)
   * before it is down (default 3). A refusal is down at once.
   */
  readonly slowChecksBeforeDown?: number;
  /** How long (ms) the lag may stay positive without a batch completing before it is a fault. */
  readonly stallAfterMs: number;
  /** How often (ms) the background check runs (and logs changes). */
  readonly intervalMs: number;
  /** Where state changes are written: one line each. */
  readonly log: (level: 'log' | 'warn', message: string) => void;
  readonly now?: () => number;
}

/** The body of a stage's `GET /health`. */
export interface StageHealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly stage: string;
  readonly phase: StagePhase;
  /** Why it is unavailable, one sentence each; empty when ok. */
  readonly reasons: readonly string[];
  readonly member: boolean;
  readonly lag: number | null;
  /** Age (ms) of the last batch committed, null before the first. */
  readonly lastBatchAgeMs: number | null;
  readonly dependencies: Readonly<Partial<Record<DependencyName, DependencyState>>>;
  readonly checkedAt: string;
}

/**
 * A stage's health: whether it is doing its job now. Unavailable while starting or stopping;
 * when a dependency refuses, or has not answered in time on `slowChecksBeforeDown` checks in a
 * row (fewer is `slow`: a loaded machine is not a fault); when it is not a member of its
 * consumer group; while a batch is being retried after a dependency failed; or when its lag
 * has stayed positive for `stallAfterMs` with no batch committed. A background check every `intervalMs` keeps the
 * report fresh and logs one line per change of state, never one per failed attempt.
 */
export class StageHealth {
  private phase: StagePhase = 'starting';
  private startingBecause = 'connecting';
  private retryProblem: string | undefined;
  private lastBatchAt: number | undefined;
  private lagPositiveSince: number | undefined;
  private report: StageHealthReport;
  private checking: Promise<StageHealthReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unavailableSince: number | undefined;
  private loggedKeys = '';
  private reasonKeys = '';
  private readonly downProblems = new Map<DependencyName, string>();
  private readonly states: DependencyStates<DependencyName>;
  private readonly now: () => number;

  constructor(private readonly options: StageHealthOptions) {
    this.now = options.now ?? Date.now;
    this.states = new DependencyStates(options.slowChecksBeforeDown ?? 3);
    this.unavailableSince = this.now();
    this.report = this.compose(undefined, {}, []);
  }

  /** Starts the background check. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Still starting, and why (e.g. "waiting for the registry: …"). */
  starting(because: string): void {
    this.phase = 'starting';
    this.startingBecause = because;
  }

  running(): void {
    this.phase = 'running';
  }

  stopping(): void {
    this.phase = 'stopping';
    this.refreshReasons();
  }

  /** A batch committed: the stage is making progress. */
  batchCompleted(): void {
    this.lastBatchAt = this.now();
    if (this.retryProblem !== undefined) this.recovered();
  }

  /** A batch failed on a dependency and will be retried after a back-off. */
  retrying(error: unknown): void {
    const first = this.retryProblem === undefined;
    this.retryProblem = describeError(error);
    if (first) {
      this.options.log(
        'warn',
        `${this.options.stage}: a dependency failed, retrying with back-off: ${this.retryProblem}`,
      );
    }
    this.refreshReasons();
  }

  /** The batch that was being retried went through. */
  recovered(): void {
    if (this.retryProblem === undefined) return;
    this.retryProblem = undefined;
    this.options.log('log', `${this.options.stage}: retried batch went through`);
    this.refreshReasons();
  }

  /** The last report, at most `maxAgeMs` old (a new check otherwise; concurrent calls share it). */
  async current(maxAgeMs = 1_000): Promise<StageHealthReport> {
    if (this.now() - Date.parse(this.report.checkedAt) <= maxAgeMs) return this.report;
    return this.check();
  }

  /** Runs every probe now. */
  check(): Promise<StageHealthReport> {
    this.checking ??= this.runChecks().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async runChecks(): Promise<StageHealthReport> {
    const names = Object.keys(this.options.probes) as DependencyName[];
    const limit = this.options.probeTimeoutMs ?? 2_500;
    const [probed, measured] = await Promise.all([
      Promise.all(
        names.map(async (name): Promise<ProbeResult> => {
          try {
            const probe = this.options.probes[name]?.();
            if (probe !== undefined) await within(probe, limit, name);
            return { name, problem: undefined, noAnswer: false };
          } catch (error) {
            return { name, problem: describeError(error), noAnswer: isNoAnswer(error) };
          }
        }),
      ),
      within(this.options.progress(), limit, 'lag and membership').then(
        (progress) => ({ progress, failure: undefined }),
        (error: unknown) => ({
          progress: undefined,
          failure: {
            name: dependencyOf(error) ?? 'kafka',
            problem: describeError(error),
            noAnswer: isNoAnswer(error),
          } satisfies ProbeResult,
        }),
      ),
    ]);
    const { progress, failure } = measured;
    const failures = probed.filter((p) => p.problem !== undefined);
    if (failure && !failures.some((f) => f.name === failure.name)) failures.push(failure);
    const dependencies: Partial<Record<DependencyName, DependencyState>> = {};
    const down: Array<readonly [DependencyName, string]> = [];
    for (const name of new Set([...names, ...failures.map((f) => f.name)])) {
      const failed = failures.find((f) => f.name === name);
      const state = this.states.next(
        name,
        !failed ? 'answered' : failed.noAnswer ? 'no-answer' : 'refused',
      );
      dependencies[name] = state;
      if (state === 'down') down.push([name, failed?.problem ?? 'unreachable']);
    }
    // While Kafka is only slow, the last lag and membership read stand.
    const { lag, member } = this.report;
    const lastRead = lag === null ? undefined : { lag, member };
    const slowProgress = failure !== undefined && dependencies[failure.name] === 'slow';
    this.report = this.compose(
      progress ?? (slowProgress ? lastRead : undefined),
      dependencies,
      down,
    );
    this.logChange();
    return this.report;
  }

  private refreshReasons(): void {
    const { lag, member, dependencies } = this.report;
    const down = (Object.keys(dependencies) as DependencyName[])
      .filter((name) => dependencies[name] === 'down')
      .map((name) => [name, this.downProblems.get(name) ?? 'unreachable'] as const);
    this.report = this.compose(lag === null ? undefined : { lag, member }, dependencies, down);
    this.logChange();
  }

  private compose(
    progress: StageProgress | undefined,
    dependencies: Partial<Record<DependencyName, DependencyState>>,
    down: ReadonlyArray<readonly [DependencyName, string]>,
  ): StageHealthReport {
    const now = this.now();
    const reasons: Array<[key: string, text: string]> = [];
    if (this.phase === 'starting') reasons.push(['starting', `starting: ${this.startingBecause}`]);
    if (this.phase === 'stopping') reasons.push(['stopping', 'stopping']);
    this.downProblems.clear();
    for (const [name, problem] of down) {
      this.downProblems.set(name, problem);
      reasons.push([`down:${name}`, `${name} unreachable: ${problem}`]);
    }
    if (this.phase === 'running' && progress && !progress.member)
      reasons.push(['member', `not a member of consumer group ${this.options.groupId}`]);
    if (this.retryProblem !== undefined)
      reasons.push(['retrying', `retrying a batch after: ${this.retryProblem}`]);
    if (progress) {
      if (progress.lag > 0) this.lagPositiveSince ??= now;
      else this.lagPositiveSince = undefined;
    }
    const since = Math.max(this.lastBatchAt ?? 0, this.lagPositiveSince ?? now);
    if (
      this.phase === 'running' &&
      progress &&
      progress.lag > 0 &&
      now - since >= this.options.stallAfterMs
    ) {
      reasons.push([
        'stalled',
        `no batch committed for ${Math.round((now - since) / 1000)} s while the lag is ${progress.lag}`,
      ]);
    }
    this.reasonKeys = reasons.map(([key]) => key).join(',');
    return {
      status: reasons.length === 0 ? 'ok' : 'unavailable',
      stage: this.options.stage,
      phase: this.phase,
      reasons: reasons.map(([, text]) => text),
      member: progress?.member ?? false,
      lag: progress?.lag ?? null,
      lastBatchAgeMs: this.lastBatchAt === undefined ? null : now - this.lastBatchAt,
      dependencies,
      checkedAt: new Date(now).toISOString(),
    };
  }

  /** One line when the set of reasons changes: what is wrong now, or that all is well again. */
  private logChange(): void {
    if (this.reasonKeys === this.loggedKeys) return;
    this.loggedKeys = this.reasonKeys;
    const now = this.now();
    if (this.report.status === 'ok') {
      const after =
        this.unavailableSince === undefined
          ? ''
          : ` after ${((now - this.unavailableSince) / 1000).toFixed(1)} s unavailable`;
      this.unavailableSince = undefined;
      this.options.log('log', `${this.options.stage}: healthy${after}`);
    } else {
      this.unavailableSince ??= now;
      if (this.phase === 'starting' && this.reasonKeys === 'starting') return;
      this.options.log(
        'warn',
        `${this.options.stage}: unavailable: ${this.report.reasons.join('; ')}`,
      );
    }
  }
}
