import type { ConsumedPosition } from '@app/kafka';
import type { EventKind, OperationTheme, Presence } from '@app/contracts';

/**
 * The aggregator's rules about which presence record counts, in one place: the live
 * aggregator, its bulk load and the in-memory ledger (`cortege score`, the checks) apply them,
 * and `PresenceRepository.attributes` is their SQL twin.
 *
 * - Per (event, region), the record of the highest revision wins (`supersedes` of
 *   @app/contracts against what is stored; the later one on a tie within a batch).
 * - An event's attributes are those of its newest record that has them: the highest revision,
 *   the greatest region on a tie. An UPSERT without a kind (the event left a region) says
 *   nothing of the event itself.
 */

/** One presence record and where it was read (the position is stored with its effects). */
export interface PresenceInput extends ConsumedPosition {
  readonly record: Presence;
}

/** What the model needs of an event besides its cells. */
export interface EventAttributes {
  readonly kind: EventKind;
  readonly theme: OperationTheme | null;
  readonly peopleExpected: number | null;
  readonly peopleDeclared: number | null;
  readonly carsExpected: number | null;
  readonly carsDeclared: number | null;
}

/** Per (event, region), the input of the highest revision (the later one on a tie). */
export function latestPerRegion<T extends PresenceInput>(inputs: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const input of inputs) {
    const key = `${input.record.eventId}|${input.record.region}`;
    const known = latest.get(key);
    if (known === undefined || input.record.revision >= known.record.revision)
      latest.set(key, input);
  }
  return [...latest.values()];
}

/** True when `a` says more recently than `b` what the event is: higher revision, then region. */
export const outranks = (a: Presence, b: Presence | undefined): boolean =>
  b === undefined || a.revision > b.revision || (a.revision === b.revision && a.region > b.region);

/** Per event, its newest record among `records` for which `counts` holds. */
export function newestPerEvent(
  records: Iterable<Presence>,
  counts: (record: Presence) => boolean,
): Map<string, Presence> {
  const newest = new Map<string, Presence>();
  for (const record of records)
    if (counts(record) && outranks(record, newest.get(record.eventId)))
      newest.set(record.eventId, record);
  return newest;
}

/** The records that can give an event its attributes. */
export const hasAttributes = (record: Presence): boolean =>
  record.action === 'UPSERT' && record.kind !== null;

export const attributesOf = (record: Presence): EventAttributes => ({
  kind: record.kind as EventKind,
  theme: record.theme,
  peopleExpected: record.peopleExpected,
  peopleDeclared: record.peopleDeclared,
  carsExpected: record.carsExpected,
  carsDeclared: record.carsDeclared,
});

/**
 * What the `event` table must do for the changes of a batch: per event, its newest change (a
 * CANCEL, or an UPSERT with attributes) applies when it is at least the newest revision the
 * event's regions hold (`heldRevision`, read before the batch's own are recorded).
 */
export function eventWrites(
  changes: readonly Presence[],
  heldRevision: ReadonlyMap<string, number>,
): { readonly cancelled: string[]; readonly upserts: Presence[] } {
  const newest = newestPerEvent(changes, (c) => c.action === 'CANCEL' || c.kind !== null);
  const current = [...newest.values()].filter(
    (p) => p.revision >= (heldRevision.get(p.eventId) ?? 0),
  );
  return {
    cancelled: current.filter((p) => p.action === 'CANCEL').map((p) => p.eventId),
    upserts: current.filter((p) => p.action === 'UPSERT'),
  };
}
