import type { CellPresence, EventKind, OperationTheme, Presence } from '@app/contracts';
import { cellToParent, gridDisk, gridPathCells, latLngToCell } from 'h3-js';
import { emptyPresence } from '@app/location';

/** A place as `[lat, lng]` degrees (h3-js order). */
export type LatLng = readonly [number, number];

/** Places of central Marseille, for presence built by hand. */
export const MARSEILLE = {
  vieuxPort: [43.2951, 5.3745],
  hotelDeVille: [43.2966, 5.3697],
  canebiere: [43.2975, 5.3795],
  reformes: [43.2998, 5.3853],
  castellane: [43.2856, 5.3834],
  prado: [43.2713, 5.3897],
  saintCharles: [43.3026, 5.3802],
  arnavaux: [43.3365, 5.3939],
} as const satisfies Record<string, LatLng>;

/**
 * The cells of a march from `from` to `to` at `resolution` (an H3 grid path), each occupied
 * for one equal slice of `[startAt, endAt)` in order, the last slice ending at `endAt`.
 */
export function marchCells(
  from: LatLng,
  to: LatLng,
  startAt: number,
  endAt: number,
  resolution = 10,
): CellPresence[] {
  const path = gridPathCells(
    latLngToCell(from[0], from[1], resolution),
    latLngToCell(to[0], to[1], resolution),
  );
  const step = (endAt - startAt) / path.length;
  return path.map((cell, i) => ({
    cell,
    startAt: Math.round(startAt + i * step),
    endAt: i === path.length - 1 ? endAt : Math.round(startAt + (i + 1) * step),
  }));
}

/** Every cell within `k` steps of `at` at `resolution`, occupied for all of `[startAt, endAt)`. */
export function areaCells(
  at: LatLng,
  k: number,
  startAt: number,
  endAt: number,
  resolution = 10,
): CellPresence[] {
  return gridDisk(latLngToCell(at[0], at[1], resolution), k)
    .sort()
    .map((cell) => ({ cell, startAt, endAt }));
}

export interface PresenceSpec {
  readonly eventId: string;
  readonly revision: number;
  readonly kind: EventKind;
  /** Scrubbed text, as the locator copies it from the clean event. */
  readonly subject?: string | null;
  readonly description?: string | null;
  readonly theme?: OperationTheme | null;
  readonly peopleExpected?: number | null;
  readonly peopleDeclared?: number | null;
  readonly carsExpected?: number | null;
  readonly carsDeclared?: number | null;
  readonly startAt: number;
  readonly endAt: number;
  readonly cells: readonly CellPresence[];
  /** Region resolution (the locator's default is 5; finer ones split an event across regions). */
  readonly regionResolution?: number;
  /** Regions a previous revision touched and this one leaves: records with no cells. */
  readonly leftRegions?: readonly string[];
}

/** The regions of `cells` at `regionResolution`, sorted. */
export const regionsOf = (cells: readonly CellPresence[], regionResolution = 5): string[] =>
  [...new Set(cells.map((c) => cellToParent(c.cell, regionResolution)))].sort();

/**
 * The presence records the locator writes for one located revision: one UPSERT per region of
 * its cells (each with that region's cells only), then one without cells nor attributes per
 * region it left.
 */
export function presenceRecords(spec: PresenceSpec): Presence[] {
  const regionResolution = spec.regionResolution ?? 5;
  const byRegion = new Map<string, CellPresence[]>();
  for (const cell of spec.cells) {
    const region = cellToParent(cell.cell, regionResolution);
    byRegion.set(region, [...(byRegion.get(region) ?? []), cell]);
  }
  const [lng, lat] = [5.3745, 43.2951];
  const locatedAt = spec.startAt - 86_400_000;
  // Regions left: an UPSERT without cells nor attributes, exactly as the locator writes it.
  const left = (spec.leftRegions ?? [])
    .filter((region) => !byRegion.has(region))
    .map((region) => emptyPresence(spec.eventId, spec.revision, region, 'UPSERT', locatedAt));
  const occupied = [...byRegion.keys()].sort().map((region): Presence => ({
    eventId: spec.eventId,
    revision: spec.revision,
    action: 'UPSERT',
    region,
    kind: spec.kind,
    subject: spec.subject ?? null,
    description: spec.description ?? null,
    startAt: spec.startAt,
    endAt: spec.endAt,
    peopleExpected: spec.peopleExpected ?? null,
    peopleDeclared: spec.peopleDeclared ?? null,
    carsExpected: spec.carsExpected ?? null,
    carsDeclared: spec.carsDeclared ?? null,
    organiserStatus: null,
    theme: spec.theme ?? null,
    geocodeQuality: 'EXACT',
    geometry: JSON.stringify({ type: 'Point', coordinates: [lng, lat] }),
    cells: byRegion.get(region) ?? [],
    locatedAt,
  }));
  return [...occupied, ...left];
}

/** The CANCEL records of an event for each region it was in, as the locator writes them. */
export function cancelRecords(
  eventId: string,
  revision: number,
  regions: readonly string[],
): Presence[] {
  return regions.map((region) => emptyPresence(eventId, revision, region, 'CANCEL', 0));
}

/** A small deterministic pseudo-random generator (LCG), for repeatable synthetic days. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const KINDS = [
  'MOVING_DEMONSTRATION',
  'STATIC_DEMONSTRATION',
  'OFFICIAL_VISIT',
  'SCHEDULED_OPERATION',
] as const;

/**
 * A synthetic day (or `days`) of `events` events across Marseille (marches between its places, gatherings,
 * visits, operations), as the locator would write them in arrival order: every event's first
 * revision, then a second revision (other counts, for marches another route) for one in three,
 * then a cancel for one in ten. Deterministic for a seed; event ids are UUIDs made from it.
 */
export function syntheticCityDay(
  events: number,
  seed = 1,
  day = Date.UTC(2026, 4, 1),
  regionResolution = 5,
  /** Spread the events over this many days from `day` (a season rather than one crowded day). */
  days = 1,
): Presence[] {
  const random = seededRandom(seed);
  const places = Object.values(MARSEILLE);
  const pick = (): LatLng => {
    const [lat, lng] = places[Math.floor(random() * places.length)] as LatLng;
    return [lat + (random() - 0.5) * 0.01, lng + (random() - 0.5) * 0.01];
  };
  const first: Presence[] = [];
  const later: Presence[] = [];
  const cancels: Presence[] = [];
  for (let i = 0; i < events; i += 1) {
    const eventId = `00000000-0000-4000-8000-${(seed * 1_000_000 + i).toString(16).padStart(12, '0')}`;
    const kind = KINDS[Math.floor(random() * KINDS.length)] as (typeof KINDS)[number];
    const startAt =
      day + Math.floor(random() * days) * 86_400_000 + Math.floor(random() * 40) * 900_000;
    const endAt = startAt + (2 + Math.floor(random() * 12)) * 900_000;
    const shape = (): CellPresence[] =>
      kind === 'MOVING_DEMONSTRATION'
        ? marchCells(pick(), pick(), startAt, endAt)
        : areaCells(pick(), 1 + Math.floor(random() * 3), startAt, endAt);
    const people = 50 + Math.floor(random() * 5_000);
    const theme = kind === 'SCHEDULED_OPERATION' && random() < 0.3 ? 'MARCHE_AUX_PUCES' : null;
    const cells1 = shape();
    const spec = { eventId, kind, theme, startAt, endAt, regionResolution } as const;
    first.push(...presenceRecords({ ...spec, revision: 1, peopleExpected: people, cells: cells1 }));
    let regions = regionsOf(cells1, regionResolution);
    let revision = 1;
    if (i % 3 === 0) {
      const cells2 = kind === 'MOVING_DEMONSTRATION' ? shape() : cells1;
      const regions2 = regionsOf(cells2, regionResolution);
      revision = 2;
      later.push(
        ...presenceRecords({
          ...spec,
          revision,
          peopleExpected: people,
          peopleDeclared: Math.floor(people * (0.5 + random())),
          cells: cells2,
          leftRegions: regions.filter((r) => !regions2.includes(r)),
        }),
      );
      regions = [...new Set([...regions, ...regions2])].sort();
    }
    if (i % 10 === 7) cancels.push(...cancelRecords(eventId, revision + 1, regions));
  }
  return [...first, ...later, ...cancels];
}
