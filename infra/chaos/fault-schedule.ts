/**
 * When the chaos run injects what: a deterministic plan for a seed. Stage kills fall anywhere
 * in the window; the heavy faults (broker kill, PostgreSQL immediate restart, registry restart)
 * are spread evenly across it, kinds interleaved, so each outage has the pipeline under load
 * and the next one starts after the previous one recovered.
 */
import { seededRandom } from '@app/testing';

/** The processes the runner keeps alive, which a stage kill may hit. */
export const CHAOS_APPS = ['ingest-api', 'sanitizer', 'locator', 'aggregator'] as const;
export type ChaosApp = (typeof CHAOS_APPS)[number];

export type FaultKind = 'stage-kill' | 'broker-kill' | 'postgres-restart' | 'registry-restart';

export interface PlannedFault {
  readonly kind: FaultKind;
  /** When, in ms from the start of the window. */
  readonly atMs: number;
  /** The process a stage kill aims at (another one when that one is down at the time). */
  readonly target?: ChaosApp;
  /** How long a heavy fault leaves its service down before bringing it back, ms. */
  readonly downMs?: number;
}

export interface FaultCounts {
  readonly kills: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
  readonly registryRestarts: number;
}

/**
 * The faults of a run over `windowMs` (ms), sorted by time. Kills are uniform over the middle
 * 96 % of the window; heavy faults sit at even slots with ±15 % of a slot of jitter, down for
 * 2–8 s each. Pure and deterministic in its arguments.
 */
export function faultSchedule(counts: FaultCounts, windowMs: number, seed: number): PlannedFault[] {
  for (const [name, n] of Object.entries(counts))
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`${name} must be a whole number ≥ 0, got ${n}`);
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
  const random = seededRandom(seed * 7_919 + 3);
  const faults: PlannedFault[] = [];
  for (let i = 0; i < counts.kills; i += 1) {
    faults.push({
      kind: 'stage-kill',
      atMs: Math.round(windowMs * (0.02 + 0.96 * random())),
      target: CHAOS_APPS[Math.floor(random() * CHAOS_APPS.length)],
    });
  }
  // Round robin over the heavy kinds, so that no kind clusters at one end of the window.
  const pending: Array<[FaultKind, number]> = [
    ['broker-kill', counts.brokerRestarts],
    ['postgres-restart', counts.postgresRestarts],
    ['registry-restart', counts.registryRestarts],
  ];
  const heavy: FaultKind[] = [];
  while (pending.some(([, n]) => n > 0))
    for (const entry of pending)
      if (entry[1] > 0) {
        heavy.push(entry[0]);
        entry[1] -= 1;
      }
  const slot = windowMs / (heavy.length + 1);
  heavy.forEach((kind, i) => {
    faults.push({
      kind,
      atMs: Math.round(slot * (i + 1) + slot * 0.3 * (random() - 0.5)),
      downMs: 2_000 + Math.round(random() * 6_000),
    });
  });
  return faults.sort((a, b) => a.atMs - b.atMs);
}
