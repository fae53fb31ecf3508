import { supersedes, type Presence } from '@app/contracts';
import type { LocatedEvent } from '@app/tension';
import { attributesOf, hasAttributes, newestPerEvent } from './presence-rules';

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
    const records = [...this.byRegion.values()].filter(hasAttributes);
    const newest = newestPerEvent(records, hasAttributes);
    const cells = new Map<string, Presence['cells'][number][]>();
    for (const record of records)
      if (record.cells.length > 0)
        cells.set(record.eventId, [...(cells.get(record.eventId) ?? []), ...record.cells]);
    return [...cells.keys()].sort().map((eventId) => ({
      eventId,
      ...attributesOf(newest.get(eventId) as Presence),
      cells: cells.get(eventId) ?? [],
    }));
  }
}
