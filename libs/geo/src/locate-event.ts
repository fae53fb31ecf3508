import type { KindedEvent, Position } from '@app/contracts';
import { cellToParent, getResolution } from 'h3-js';
import { eventGeometry } from './event-geometry';
import { GeoError, GeoErrorCode } from './geo.error';
import type { EventFeature } from './geojson.types';
import { assertCell, assertResolution } from './h3-cell';
import { DEFAULT_LOCATOR_MODEL, type LocatorModel } from './locator.model';
import type { PresenceInterval } from './march-timing';
import { presenceIntervals } from './presence';

/** An event placed in space and time, or the addresses that kept it from being placed. */
export type LocatedEvent =
  | {
      readonly geocodeQuality: 'exact' | 'partial';
      /** H3 resolution of the presence cells. */
      readonly resolution: number;
      /** Where the event is, as a GeoJSON feature (`[lon, lat]`, WGS84). */
      readonly geometry: EventFeature;
      /** One interval per occupied cell, `[startAt, endAt)` in UTC ms, within the event's own. */
      readonly presence: readonly PresenceInterval[];
      /** Addresses that did not resolve (empty when `exact`). */
      readonly unresolved: readonly string[];
    }
  | {
      /** Nothing resolved: dead-letter with reason `geocode_not_found` and these addresses. */
      readonly geocodeQuality: 'none';
      readonly unresolved: readonly string[];
    };

/**
 * The locator's use case, pure: an event and its geocoded places (`{lon, lat}` WGS84 degrees or
 * `null`, aligned with `addressesOf(kinded)`; may be empty when `needsGeocoding(kinded)` is false)
 * → its geometry, geocode quality and presence intervals at `model.resolution`.
 *
 * @throws GeoError `places_mismatch`, `invalid_coordinate`, `invalid_interval`, `invalid_model`,
 *   `cover_failed` — never for an address that did not resolve (that is `geocodeQuality: 'none'`).
 */
export function locateEvent(
  kinded: KindedEvent,
  places: ReadonlyArray<Position | null>,
  model: LocatorModel = DEFAULT_LOCATOR_MODEL,
): LocatedEvent {
  const geometry = eventGeometry(kinded, places, model);
  if (geometry.geocodeQuality === 'none') return geometry;
  return {
    geocodeQuality: geometry.geocodeQuality,
    resolution: model.resolution,
    geometry: geometry.geojson,
    presence: presenceIntervals(kinded, geometry.shape, model),
    unresolved: geometry.unresolved,
  };
}

/**
 * Regions already found, by region resolution then cell: a cell's region never changes and a
 * city's events come back to the same cells, while each `cellToParent` is a call into h3-js and
 * a new string. Only cells that passed the checks get in; bounded as the cells' shapes are.
 */
const regions = new Map<number, Map<string, string>>();
const MAX_CACHED_REGIONS = 50_000;

/**
 * The region of an H3 cell: its parent at `regionRes` (default 5, ≈ 250 km² cells), the key of the
 * presence topic. A cell at `regionRes` is its own region.
 *
 * @throws GeoError `invalid_cell` (not an H3 cell index), `invalid_resolution` (`regionRes` not an
 *   integer 0–15, or finer than the cell's own resolution).
 */
export function regionOf(cell: string, regionRes = DEFAULT_LOCATOR_MODEL.regionResolution): string {
  const known = regions.get(regionRes)?.get(cell);
  if (known !== undefined) return known;
  assertCell(cell);
  assertResolution(regionRes, 'regionRes');
  const res = getResolution(cell);
  if (regionRes > res)
    throw new GeoError(
      GeoErrorCode.InvalidResolution,
      `regionRes ${regionRes} is finer than the cell's resolution ${res}`,
    );
  const region = cellToParent(cell, regionRes);
  let cache = regions.get(regionRes);
  if (cache === undefined) regions.set(regionRes, (cache = new Map<string, string>()));
  if (cache.size >= MAX_CACHED_REGIONS) cache.clear();
  cache.set(cell, region);
  return region;
}
