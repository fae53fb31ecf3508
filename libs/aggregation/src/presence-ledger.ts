import { supersedes, type Presence } from '@app/contracts';
import type { LocatedEvent } from '@app/tension';

/**
 * The aggregator's rules in memory, for `cortege score` and for checking the database: per
 * (event, region) the record of the highest revision wins (a replay or a late older revision
 * changes nothing, a CANCEL or a record without cells empties the region), and an event's
 * attributes are those of its newest UPSERT record (the greatest region on a tie), as the
 * aggregator reads them from `event_region`.
 */
export class PresenceLedger {
  private readonly byRegion = new Map<string, Presence>();

  /** True when `record` is newer than what its (event, region) holds, and now holds it. */
  apply(record: Presence): boolean {
    const key = `${record.eventId}|${record.region}`;
    const known = this.byRegion.get(key);
    if (!supersedes(record.revision, known?.revision)) return false;
    this.byRegion.set(key, record);
    return true;
  }

  /** Every event with presence, as the model reads it, in eventId order. */
  events(): LocatedEvent[] {
    const newest = new Map<string, Presence>();
    const cells = new Map<string, Presence['cells'][number][]>();
    for (const record of this.byRegion.values()) {
      if (record.action !== 'UPSERT' || record.kind === null) continue;
      const known = newest.get(record.eventId);
      if (
        known === undefined ||
        record.revision > known.revision ||
        (record.revision === known.revision && record.region > known.region)
      )
        newest.set(record.eventId, record);
      if (record.cells.length > 0)
        cells.set(record.eventId, [...(cells.get(record.eventId) ?? []), ...record.cells]);
    }
    return [...cells.keys()].sort().map((eventId) => {
      const r = newest.get(eventId) as Presence;
      return {
        eventId,
        kind: r.kind as LocatedEvent['kind'],
        theme: r.theme,
        peopleExpected: r.peopleExpected,
        peopleDeclared: r.peopleDeclared,
        carsExpected: r.carsExpected,
        carsDeclared: r.carsDeclared,
        cells: cells.get(eventId) ?? [],
      };
    });
  }
}
