/**
 * A dependency's state: `slow` when it has not answered in time on fewer checks in a row than
 * the threshold (a loaded machine, not yet a fault); `down` when it refused, or stayed silent
 * that many checks in a row.
 */
export type DependencyState = 'up' | 'slow' | 'down';

/** How a probe of a dependency ended on one check. */
export type ProbeOutcome = 'answered' | 'no-answer' | 'refused';

/** Counts, per dependency, the checks in a row it left unanswered. */
export class DependencyStates<Name extends string> {
  private readonly unanswered = new Map<Name, number>();

  /** @param slowChecksBeforeDown checks in a row without an answer before a dependency is down */
  constructor(private readonly slowChecksBeforeDown: number) {}

  /** The state of `name` after this check ended as `outcome`. */
  next(name: Name, outcome: ProbeOutcome): DependencyState {
    if (outcome === 'answered') {
      this.unanswered.delete(name);
      return 'up';
    }
    const count =
      outcome === 'refused' ? this.slowChecksBeforeDown : (this.unanswered.get(name) ?? 0) + 1;
    this.unanswered.set(name, count);
    return count < this.slowChecksBeforeDown ? 'slow' : 'down';
  }
}
