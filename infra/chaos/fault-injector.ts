/**
 * Injects the chaos run's faults with the stack's own service classes: SIGKILL of a stage
 * through the process runner (which restarts it), SIGKILL of the broker, PostgreSQL stopped in
 * immediate mode, the registry stopped; then `stackUp`, which starts again only what is down.
 * Every fault is recorded with its time, its pid and, for the services, how long they were out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '@app/config';
import type { ProcessRunner } from '@app/process-runner';
import { seededRandom } from '@app/testing';
import { KafkaService } from '../local/src/kafka.service';
import { PostgresService } from '../local/src/postgres.service';
import { RegistryService } from '../local/src/registry.service';
import { stackUp } from '../local/src/stack';
import { CHAOS_APPS, type ChaosApp, type FaultKind, type PlannedFault } from './fault-schedule';

/** One fault as it happened. */
export interface InjectedFault {
  readonly kind: FaultKind;
  /** The process killed (`sanitizer`…) or the service (`kafka`, `postgres`, `registry`). */
  readonly target: string;
  readonly pid: number | undefined;
  /** When, in ms from the start of the run, and as an ISO instant. */
  readonly atMs: number;
  readonly at: string;
  /** Services: from the stop until `stackUp` saw it healthy again, ms. */
  readonly outageMs?: number;
  /** Why it could not be injected, or why the service did not come back. */
  readonly error?: string;
}

/** How long a killed service may take to be gone, and `stackUp` may be retried, ms. */
const GONE_TIMEOUT_MS = 60_000;
const STACK_UP_ATTEMPTS = 5;

export class FaultInjector {
  readonly injected: InjectedFault[] = [];
  private readonly killedPids = new Set<number>();
  private readonly random: () => number;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: ProcessRunner,
    /** The run's start (epoch ms): fault times are counted from it. */
    private readonly startedAt: number,
    private readonly note: (line: string) => void,
    seed: number,
  ) {
    this.random = seededRandom(seed * 31 + 17);
  }

  /** Whether the process with this pid was killed by the injector (else it exited by itself). */
  killedByChaos(pid: number | undefined): boolean {
    return pid !== undefined && this.killedPids.has(pid);
  }

  /**
   * Runs `plan` from now: stage kills at their times, heavy faults one after the other (a heavy
   * fault due while the previous one is still out waits for it). Resolves when all are done,
   * or at once on `signal`.
   */
  async run(plan: readonly PlannedFault[], signal: AbortSignal): Promise<void> {
    const origin = Date.now();
    const at = async (fault: PlannedFault) => {
      const wait = origin + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
      return !signal.aborted;
    };
    const kills = (async () => {
      for (const fault of plan.filter((f) => f.kind === 'stage-kill'))
        if (await at(fault)) this.killStage(fault.target ?? 'sanitizer');
    })();
    const heavy = (async () => {
      for (const fault of plan.filter((f) => f.kind !== 'stage-kill')) {
        if (!(await at(fault))) return;
        const downMs = fault.downMs ?? 3_000;
        if (fault.kind === 'broker-kill') await this.killBroker(downMs);
        else if (fault.kind === 'postgres-restart') await this.restartPostgres(downMs);
        else if (fault.kind === 'registry-restart') await this.restartRegistry(downMs);
      }
    })();
    await Promise.all([kills, heavy]);
  }

  /** SIGKILL to `preferred`, or to another running process when it is down (restarting). */
  killStage(preferred: ChaosApp): InjectedFault {
    const up = CHAOS_APPS.filter((name) => this.runner.pid(name) !== undefined);
    const target = up.includes(preferred) ? preferred : up[Math.floor(this.random() * up.length)];
    if (target === undefined)
      return this.record('stage-kill', preferred, undefined, { error: 'no process was up' });
    const pid = this.runner.pid(target);
    if (pid !== undefined) this.killedPids.add(pid);
    this.runner.kill(target, 'SIGKILL');
    return this.record('stage-kill', target, pid);
  }

  /** SIGKILL to the broker; after `downMs` (ms), `stackUp` starts it again. */
  killBroker(downMs: number): Promise<InjectedFault> {
    const kafka = new KafkaService(this.config.stack);
    const pid = kafka.pid();
    return this.outage(
      'broker-kill',
      'kafka',
      pid,
      () => {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      },
      () => kafka.pid() === undefined,
      downMs,
    );
  }

  /** PostgreSQL stopped in immediate mode (`pg_ctl -m immediate`); started again after `downMs`. */
  restartPostgres(downMs: number): Promise<InjectedFault> {
    const postgres = new PostgresService(this.config.stack);
    return this.outage(
      'postgres-restart',
      'postgres',
      postgres.pid(),
      () => postgres.crash(),
      () => postgres.pid() === undefined,
      downMs,
    );
  }

  /** The registry stopped (SIGTERM, SIGKILL after its grace); started again after `downMs`. */
  restartRegistry(downMs: number): Promise<InjectedFault> {
    const registry = new RegistryService(this.config.stack);
    return this.outage(
      'registry-restart',
      'registry',
      registry.pid(),
      () => registry.stop(),
      () => registry.pid() === undefined,
      downMs,
    );
  }

  private async outage(
    kind: FaultKind,
    target: string,
    pid: number | undefined,
    stop: () => Promise<void> | void,
    gone: () => boolean,
    downMs: number,
  ): Promise<InjectedFault> {
    const started = Date.now();
    if (pid === undefined)
      return this.record(kind, target, pid, { error: `${target} was not running` });
    this.note(`${kind}: ${target} (pid ${pid}) down for ${(downMs / 1000).toFixed(1)} s`);
    let error: string | undefined;
    try {
      await stop();
      const deadline = Date.now() + GONE_TIMEOUT_MS;
      while (!gone()) {
        if (Date.now() > deadline)
          throw new Error(`${target} still runs ${GONE_TIMEOUT_MS} ms after the stop`);
        await sleep(50);
      }
      await sleep(downMs);
      error = await this.bringBack();
    } catch (failure) {
      error = (failure as Error).message;
    }
    const outageMs = Date.now() - started;
    this.note(
      `${kind}: ${target} ${error ? `NOT back: ${error}` : `back after ${(outageMs / 1000).toFixed(1)} s`}`,
    );
    return this.record(kind, target, pid, { outageMs, ...(error ? { error } : {}) }, started);
  }

  /** `stackUp` until every service is healthy; the last problem when it never is. */
  private async bringBack(): Promise<string | undefined> {
    let problem = '';
    for (let attempt = 1; attempt <= STACK_UP_ATTEMPTS; attempt += 1) {
      try {
        const down = (await stackUp(this.config)).filter((s) => !s.health.ok);
        if (down.length === 0) return undefined;
        problem = down.map((s) => `${s.name}: ${s.health.detail}`).join('; ');
      } catch (error) {
        problem = (error as Error).message;
      }
      await sleep(1_000 * attempt);
    }
    return problem;
  }

  private record(
    kind: FaultKind,
    target: string,
    pid: number | undefined,
    extra: { outageMs?: number; error?: string } = {},
    when = Date.now(),
  ): InjectedFault {
    const fault: InjectedFault = {
      kind,
      target,
      pid,
      atMs: when - this.startedAt,
      at: new Date(when).toISOString(),
      ...extra,
    };
    this.injected.push(fault);
    return fault;
  }
}
