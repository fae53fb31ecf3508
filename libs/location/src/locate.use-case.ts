import {
  eventOf,
  supersedes,
  type CellPresence,
  type GeocodeQuality,
  type Position,
  type Presence,
  type Submission,
} from '@app/contracts';
import { addressesOf, locateEvent, needsGeocoding, regionOf, type LocatorModel } from '@app/geo';
import type { Geocoder } from '@app/geocoding';
import type { LocatedRecord } from './located-events.state';

/** What the locator does with one clean event. */
export type LocateOutcome =
  /** A revision already located (a replay): nothing to write. */
  | { readonly kind: 'skipped' }
  /** No place of the event resolved: dead-letter it with reason `geocode_not_found`. */
  | { readonly kind: 'not_found'; readonly addresses: readonly string[] }
  /**
   * One presence record per H3 region: the regions the event occupies now, and the regions its
   * previous revision occupied and this one does not (with no cells, so the aggregator clears
   * them). `record` is what the locator remembers of the event afterwards.
   */
  | {
      readonly kind: 'located';
      readonly presence: readonly Presence[];
      readonly record: LocatedRecord;
      readonly unresolved: readonly string[];
    };

const QUALITY: Record<'exact' | 'partial', GeocodeQuality> = { exact: 'EXACT', partial: 'PARTIAL' };

/**
 * A presence record without cells or attributes: a CANCEL of the event in `region`, or an
 * UPSERT saying a new revision no longer occupies it (the aggregator empties the region).
 */
export function emptyPresence(
  eventId: string,
  revision: number,
  region: string,
  action: Presence['action'],
  locatedAt: number,
): Presence {
  return {
    eventId,
    revision,
    action,
    region,
    kind: null,
    subject: null,
    description: null,
    startAt: null,
    endAt: null,
    peopleExpected: null,
    peopleDeclared: null,
    carsExpected: null,
    carsDeclared: null,
    organiserStatus: null,
    theme: null,
    geocodeQuality: null,
    geometry: null,
    cells: [],
    locatedAt,
  };
}

/**
 * Places a clean event in space and time and splits its presence by H3 region. Geocodes only
 * what the event needs (a drawn route or footprint needs nothing). A CANCEL clears every region
 * the event occupied. Pure but for the geocoder port.
 *
 * @throws whatever the geocoder throws when it cannot answer (retriable for the caller).
 */
export async function locateSubmission(
  submission: Submission,
  previous: LocatedRecord | undefined,
  geocoder: Geocoder,
  model: LocatorModel,
  now: number,
): Promise<LocateOutcome> {
  if (!supersedes(submission.revision, previous?.revision)) return { kind: 'skipped' };
  const empty = (region: string, action: Presence['action']): Presence =>
    emptyPresence(submission.eventId, submission.revision, region, action, now);

  const kinded = eventOf(submission);
  if (submission.action === 'CANCEL' || kinded === null) {
    const regions = [...(previous?.regions ?? [])].sort();
    return {
      kind: 'located',
      presence: regions.map((region) => empty(region, 'CANCEL')),
      record: { revision: submission.revision, regions: new Set() },
      unresolved: [],
    };
  }

  const addresses = needsGeocoding(kinded) ? addressesOf(kinded) : [];
  const places: Array<Position | null> = [];
  for (const address of addresses) {
    const found = await geocoder.geocode(address);
    places.push(found ? { lon: found.position.lon, lat: found.position.lat } : null);
  }
  const located = locateEvent(kinded, places, model);
  if (located.geocodeQuality === 'none')
    return { kind: 'not_found', addresses: located.unresolved };

  const byRegion = new Map<string, CellPresence[]>();
  for (const { cell, startAt, endAt } of located.presence) {
    const region = regionOf(cell, model.regionResolution);
    const cells = byRegion.get(region) ?? [];
    cells.push({ cell, startAt, endAt });
    byRegion.set(region, cells);
  }
  const event = kinded.event;
  const counts = 'peopleExpected' in event ? event : undefined;
  // No `{ ...spread, more }` here: on Node 20 (V8 11) each property written after a spread takes
  // a slow path (≈ 1.5 µs each, measured), which made these records a fifth of the locator's time.
  const shared = {
    eventId: submission.eventId,
    revision: submission.revision,
    locatedAt: now,
    action: 'UPSERT' as const,
    kind: kinded.kind,
    // The events topic holds the sanitizer's output: this text is already scrubbed.
    subject: event.subject,
    description: event.description,
    startAt: event.startAt,
    endAt: event.endAt,
    peopleExpected: counts?.peopleExpected ?? null,
    peopleDeclared: counts?.peopleDeclared ?? null,
    carsExpected: counts?.carsExpected ?? null,
    carsDeclared: counts?.carsDeclared ?? null,
    organiserStatus: 'organiserStatus' in event ? event.organiserStatus : null,
    theme: 'theme' in event ? event.theme : null,
    geocodeQuality: QUALITY[located.geocodeQuality],
    geometry: JSON.stringify(located.geometry.geometry),
  };
  const regions = [...byRegion.keys()].sort();
  const gone = [...(previous?.regions ?? [])].filter((r) => !byRegion.has(r)).sort();
  return {
    kind: 'located',
    presence: [
      ...regions.map((region): Presence =>
        Object.assign({}, shared, { region, cells: byRegion.get(region) ?? [] }),
      ),
      ...gone.map((region) => empty(region, 'UPSERT')),
    ],
    record: { revision: submission.revision, regions: new Set(regions) },
    unresolved: located.unresolved,
  };
}
