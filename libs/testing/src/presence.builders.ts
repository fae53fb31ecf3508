import type { CellPresence, EventKind, OperationTheme, Presence } from '@app/contracts';
import { cellToParent, gridDisk, gridPathCells, latLngToCell } from 'h3-js';

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
  readonly theme?: OperationTheme | null;
  readonly peopleExpected?: number | null;
  readonly peopleDeclared?: number | null;
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
 * its cells (each with that region's cells only), and one without cells per region it left.
 */
export function presenceRecords(spec: PresenceSpec): Presence[] {
  const regionResolution = spec.regionResolution ?? 5;
  const byRegion = new Map<string, CellPresence[]>();
  for (const cell of spec.cells) {
    const region = cellToParent(cell.cell, regionResolution);
    byRegion.set(region, [...(byRegion.get(region) ?? []), cell]);
  }
  for (const region of spec.leftRegions ?? []) if (!byRegion.has(region)) byRegion.set(region, []);
  const [lng, lat] = [5.3745, 43.2951];
  return [...byRegion.keys()].sort().map((region) => ({
    eventId: spec.eventId,
    revision: spec.revision,
    action: 'UPSERT',
    region,
    kind: spec.kind,
    startAt: spec.startAt,
    endAt: spec.endAt,
    peopleExpected: spec.peopleExpected ?? null,
    peopleDeclared: spec.peopleDeclared ?? null,
    carsExpected: null,
    carsDeclared: spec.carsDeclared ?? null,
    organiserStatus: null,
    theme: spec.theme ?? null,
    geocodeQuality: 'EXACT',
    geometry: JSON.stringify({ type: 'Point', coordinates: [lng, lat] }),
    cells: byRegion.get(region) ?? [],
    locatedAt: spec.startAt - 86_400_000,
  }));
}

/** The CANCEL records of an event for each region it was in. */
export function cancelRecords(
  eventId: string,
  revision: number,
  regions: readonly string[],
): Presence[] {
  return regions.map((region) => ({
    eventId,
    revision,
    action: 'CANCEL',
    region,
    kind: null,
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
    locatedAt: 0,
  }));
}
