/**
 * The platform's one revision rule: a revision of an event supersedes what is known of it when
 * nothing is known yet or it is higher. An equal revision is a duplicate (a replay), a lower one
 * is stale; neither changes anything, at any stage.
 */
export const supersedes = (revision: number, known: number | undefined): boolean =>
  known === undefined || revision > known;

/** What the gate says of a (eventId, revision) it is shown. */
export type RevisionVerdict = 'new' | 'duplicate' | 'stale';

/**
 * The platform's revision rule: a later revision replaces an earlier one; an equal one is a
 * duplicate and an older one is stale — neither changes anything. Keeps the highest revision
 * passed per event. `stage` changes are provisional until `commit()` (or dropped by
 * `rollback()`), so a Kafka transaction that aborts leaves the gate as it was.
 */
export class RevisionGate {
  private readonly committed = new Map<string, number>();
  private readonly staged = new Map<string, number>();

  /** The highest revision known for `eventId`, staged or committed. */
  highest(eventId: string): number | undefined {
    return this.staged.get(eventId) ?? this.committed.get(eventId);
  }

  /** Whether `revision` of `eventId` would pass, without recording anything. */
  verdict(eventId: string, revision: number): RevisionVerdict {
    const highest = this.highest(eventId);
    if (supersedes(revision, highest)) return 'new';
    return revision === highest ? 'duplicate' : 'stale';
  }

  /** Records that `revision` of `eventId` passed, provisionally. */
  stage(eventId: string, revision: number): void {
    if ((this.highest(eventId) ?? 0) < revision) this.staged.set(eventId, revision);
  }

  commit(): void {
    for (const [eventId, revision] of this.staged) this.committed.set(eventId, revision);
    this.staged.clear();
  }

  rollback(): void {
    this.staged.clear();
  }

  /** Loads a known revision (e.g. from the output topic at start-up), committed at once. */
  remember(eventId: string, revision: number): void {
    if ((this.committed.get(eventId) ?? 0) < revision) this.committed.set(eventId, revision);
  }

  get size(): number {
    return this.committed.size;
  }
}
