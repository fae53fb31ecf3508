import { supersedes } from '@app/contracts';
/** What the locator last wrote for an event: its revision and the H3 regions it touched. */
export interface LocatedRecord {
  readonly revision: number;
  readonly regions: ReadonlySet<string>;
}

/**
 * The locator's memory of each event: needed to skip replayed revisions and to clear the
 * regions a new revision (or a cancel) no longer touches. Changes are staged until the Kafka
 * transaction that wrote them commits.
 */
export class LocatedEventsState {
  private readonly committed = new Map<string, LocatedRecord>();
  private readonly staged = new Map<string, LocatedRecord>();

  get(eventId: string): LocatedRecord | undefined {
    return this.staged.get(eventId) ?? this.committed.get(eventId);
  }

  /** True when `revision` is newer than anything written for the event. */
  isNew(eventId: string, revision: number): boolean {
    return supersedes(revision, this.get(eventId)?.revision);
  }

  stage(eventId: string, record: LocatedRecord): void {
    this.staged.set(eventId, record);
  }

  commit(): void {
    for (const [eventId, record] of this.staged) this.committed.set(eventId, record);
    this.staged.clear();
  }

  rollback(): void {
    this.staged.clear();
  }

  /** Rebuilds from the presence topic: a record of `region` for the event at `revision`. */
  remember(eventId: string, revision: number, region: string, hasCells: boolean): void {
    const known = this.committed.get(eventId);
    if (known && known.revision > revision) return;
    const regions = new Set(known && known.revision === revision ? known.regions : []);
    if (hasCells) regions.add(region);
    else regions.delete(region);
    this.committed.set(eventId, { revision, regions });
  }

  get size(): number {
    return this.committed.size;
  }
}
