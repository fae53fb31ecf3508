import { crowdOf, type KindedEvent, type Polygon, type Position } from '@app/contracts';
import { crowdRadiusMetres } from './crowd-radius';
import { GeoError, GeoErrorCode } from './geo.error';
import type {
  EventFeature,
  EventFeatureProperties,
  EventGeoJsonGeometry,
  LonLat,
} from './geojson.types';
import { assertValidLocatorModel, DEFAULT_LOCATOR_MODEL, type LocatorModel } from './locator.model';
import { assertPosition } from './sphere';

/** How well an event's addresses resolved. */
export type GeocodeQuality = 'exact' | 'partial' | 'none';

/** Where an event is, before any H3 cover. Positions `{lon, lat}` in WGS84 degrees. */
export type EventShape =
  /** A march's line, in the order walked: its drawn route, else its geocoded places in order. */
  | {
      readonly type: 'route';
      readonly line: readonly Position[];
      readonly source: 'drawn' | 'geocoded';
    }
  /** A rally's drawn footprint. */
  | { readonly type: 'footprint'; readonly polygon: Polygon; readonly source: 'drawn' }
  /** Disks of one radius (metres) around geocoded places. */
  | {
      readonly type: 'points';
      readonly points: readonly Position[];
      readonly radiusMetres: number;
      readonly source: 'geocoded';
    };

/** The geometry of an event, or why there is none. */
export type EventGeometry =
  | {
      /** `exact`: nothing needed geocoding, or every address resolved; `partial`: some did not. */
      readonly geocodeQuality: 'exact' | 'partial';
      readonly shape: EventShape;
      /** The shape as a GeoJSON feature, `[lon, lat]`. */
      readonly geojson: EventFeature;
      /** The addresses that did not resolve (empty when `exact`). */
      readonly unresolved: readonly string[];
    }
  | {
      /** Nothing to place: the caller dead-letters the event with reason `geocode_not_found`. */
      readonly geocodeQuality: 'none';
      readonly unresolved: readonly string[];
    };

/**
 * The addresses of an event in the order its geocoded places are expected: a march
 * `[departure, ...waypoints, arrival]`, a rally `[address]`, an operation or a visit its addresses.
 */
export function addressesOf(kinded: KindedEvent): readonly string[] {
  switch (kinded.kind) {
    case 'MOVING_DEMONSTRATION': {
      const e = kinded.event;
      return [e.departureAddress, ...e.waypointAddresses, e.arrivalAddress];
    }
    case 'STATIC_DEMONSTRATION':
      return [kinded.event.address];
    case 'SCHEDULED_OPERATION':
    case 'OFFICIAL_VISIT':
      return kinded.event.addresses;
    default: {
      const _exhaustive: never = kinded;
      return _exhaustive;
    }
  }
}

const samePosition = (a: Position, b: Position) => a.lon === b.lon && a.lat === b.lat;

/** The positions without consecutive repeats. */
function withoutRepeats(positions: readonly Position[]): Position[] {
  const out: Position[] = [];
  for (const p of positions) {
    const last = out[out.length - 1];
    if (last === undefined || !samePosition(last, p)) out.push(p);
  }
  return out;
}

/** A drawn route worth using: two distinct positions at least (the sanitizer insists on it). */
function drawnRoute(kinded: KindedEvent): readonly Position[] | null {
  if (kinded.kind !== 'MOVING_DEMONSTRATION') return null;
  const coordinates = kinded.event.route?.coordinates ?? [];
  return withoutRepeats(coordinates).length >= 2 ? coordinates : null;
}

/** A drawn footprint worth using: a ring with a position at least. */
function drawnFootprint(kinded: KindedEvent): Polygon | null {
  if (kinded.kind !== 'STATIC_DEMONSTRATION') return null;
  const footprint = kinded.event.footprint;
  return footprint && footprint.rings.length > 0 && (footprint.rings[0]?.length ?? 0) > 0
    ? footprint
    : null;
}

/**
 * Whether the event's geometry depends on geocoding its addresses: false for a march with a drawn
 * route and a rally with a drawn footprint, true otherwise. Lets the caller skip the geocoder.
 */
export function needsGeocoding(kinded: KindedEvent): boolean {
  return drawnRoute(kinded) === null && drawnFootprint(kinded) === null;
}

const lonLat = (p: Position): LonLat => [p.lon, p.lat];

/** The shape as a GeoJSON feature, `[lon, lat]` positions; points carry their radius in metres. */
export function shapeToGeoJson(shape: EventShape): EventFeature {
  switch (shape.type) {
    case 'route':
      return {
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: shape.line.map(lonLat) },
        properties: { shape: 'route', source: shape.source },
      };
    case 'footprint':
      return {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: shape.polygon.rings.map((r) => r.map(lonLat)) },
        properties: { shape: 'footprint', source: shape.source },
      };
    case 'points': {
      const properties: EventFeatureProperties = {
        shape: 'points',
        source: shape.source,
        radiusMetres: shape.radiusMetres,
      };
      const only = shape.points.length === 1 ? shape.points[0] : undefined;
      const geometry: EventGeoJsonGeometry = only
        ? { type: 'Point', coordinates: lonLat(only) }
        : { type: 'MultiPoint', coordinates: shape.points.map(lonLat) };
      return { type: 'Feature', geometry, properties };
    }
    default: {
      const _exhaustive: never = shape;
      return _exhaustive;
    }
  }
}

/**
 * The geometry of an event and the quality of its geocoding.
 *
 * - `places`: the geocoded position of each address, aligned with `addressesOf(kinded)` (`null`
 *   where an address did not resolve), `{lon, lat}` in WGS84 degrees. Ignored (it may be empty)
 *   when `needsGeocoding(kinded)` is false.
 * - A march uses its drawn route, else its resolved places in order (consecutive repeats dropped).
 *   When fewer than two distinct places resolve, it is placed as a rally would be: a disk sized by
 *   its crowd around the one place known (an event partly placed goes on, as the issue asks).
 * - A rally uses its drawn footprint, else a disk around its address of radius
 *   `crowdRadiusMetres(people, crowdDensityPerM2, minRadiusMetres)` metres.
 * - Operations and visits: a disk of `operationRadiusMetres` / `visitRadiusMetres` metres around
 *   each resolved address.
 * - `geocodeQuality`: `exact` when nothing needed geocoding or everything resolved, `partial` when
 *   some address did not but the event is placed, `none` when nothing can be placed.
 *
 * @throws GeoError `places_mismatch` (geocoding needed and `places.length` differs from the
 *   number of addresses), `invalid_coordinate` (a place out of range), `invalid_model`.
 */
export function eventGeometry(
  kinded: KindedEvent,
  places: ReadonlyArray<Position | null>,
  model: LocatorModel = DEFAULT_LOCATOR_MODEL,
): EventGeometry {
  assertValidLocatorModel(model);
  const placed = (shape: EventShape, unresolved: readonly string[]): EventGeometry => ({
    geocodeQuality: unresolved.length === 0 ? 'exact' : 'partial',
    shape,
    geojson: shapeToGeoJson(shape),
    unresolved,
  });

  const route = drawnRoute(kinded);
  if (route) return placed({ type: 'route', line: route, source: 'drawn' }, []);
  const footprint = drawnFootprint(kinded);
  if (footprint) return placed({ type: 'footprint', polygon: footprint, source: 'drawn' }, []);

  const addresses = addressesOf(kinded);
  if (places.length !== addresses.length)
    throw new GeoError(
      GeoErrorCode.PlacesMismatch,
      `${kinded.kind} has ${addresses.length} addresses but ${places.length} places were given`,
    );
  places.forEach((p, i) => p !== null && assertPosition(p, `places[${i}]`));
  const resolved = places.filter((p): p is Position => p !== null);
  const unresolved = addresses.filter((_, i) => places[i] === null);
  if (resolved.length === 0) return { geocodeQuality: 'none', unresolved };

  const crowdDisk = (people: number): EventShape => ({
    type: 'points',
    points: [resolved[0] as Position],
    radiusMetres: crowdRadiusMetres(people, model.crowdDensityPerM2, model.minRadiusMetres),
    source: 'geocoded',
  });
  const disks = (radiusMetres: number): EventShape => ({
    type: 'points',
    points: resolved,
    radiusMetres,
    source: 'geocoded',
  });

  switch (kinded.kind) {
    case 'MOVING_DEMONSTRATION': {
      const line = withoutRepeats(resolved);
      return line.length >= 2
        ? placed({ type: 'route', line, source: 'geocoded' }, unresolved)
        : placed(crowdDisk(crowdOf(kinded.event)), unresolved);
    }
    case 'STATIC_DEMONSTRATION':
      return placed(crowdDisk(crowdOf(kinded.event)), unresolved);
    case 'SCHEDULED_OPERATION':
      return placed(disks(model.operationRadiusMetres), unresolved);
    case 'OFFICIAL_VISIT':
      return placed(disks(model.visitRadiusMetres), unresolved);
    default: {
      const _exhaustive: never = kinded;
      return _exhaustive;
    }
  }
}
