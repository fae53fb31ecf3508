import type { Position } from '@app/contracts';
import { march, operation, rally, visit } from '../test/kinded-events';
import { addressesOf, eventGeometry, needsGeocoding } from './event-geometry';
import { GeoErrorCode } from './geo.error';
import { locatorModel } from './locator.model';
import { geoErrorOf } from '../test/geo-error-of';

const at = (lon: number, lat: number): Position => ({ lon, lat });
const QUAI_DU_PORT = at(5.36715, 43.29558);
const CANEBIERE = at(5.37948, 43.29714);
const LIBERATION = at(5.3864, 43.3005);
const REFORMES = at(5.385634, 43.2989267);
const FELIX_BARET = at(5.37952, 43.2913);
const SAINT_CHARLES = at(5.3804935, 43.3027624);
const ATHENES = at(5.3808, 43.29956);
const HOTEL_DE_VILLE = at(5.3698419, 43.2965339);
const MARCH_PLACES = [QUAI_DU_PORT, CANEBIERE, LIBERATION, REFORMES];

describe('addressesOf and needsGeocoding', () => {
  it('lists a march’s departure, waypoints and arrival in order, and the others’ addresses', () => {
    expect(addressesOf(march())).toEqual([
      'Quai du Port, 13002 Marseille',
      'La Canebière, 13001 Marseille',
      'Boulevard de la Libération, 13001 Marseille',
      'Place des Réformés, 13001 Marseille',
    ]);
    expect(addressesOf(rally())).toEqual(['Place Félix Baret, 13006 Marseille']);
    expect(addressesOf(operation())).toHaveLength(2);
    expect(addressesOf(visit())).toEqual(['Hôtel de Ville, Quai du Port, 13002 Marseille']);
  });

  it('needs geocoding unless a route or a footprint is drawn', () => {
    expect(needsGeocoding(march())).toBe(false);
    expect(needsGeocoding(march({ route: null }))).toBe(true);
    expect(needsGeocoding(rally())).toBe(false);
    expect(needsGeocoding(rally({ footprint: null }))).toBe(true);
    expect(needsGeocoding(operation())).toBe(true);
    expect(needsGeocoding(visit())).toBe(true);
  });
});

describe('eventGeometry', () => {
  it('uses a march’s drawn route, exact, whatever the places', () => {
    const kinded = march();
    const g = eventGeometry(kinded, []);
    expect(g).toMatchObject({ geocodeQuality: 'exact', unresolved: [] });
    if (g.geocodeQuality === 'none') throw new Error('placed');
    expect(g.shape).toEqual({
      type: 'route',
      line: kinded.event.route!.coordinates,
      source: 'drawn',
    });
    expect(g.geojson).toEqual({
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [5.3698, 43.2954],
          [5.3762, 43.2966],
          [5.3806, 43.2985],
          [5.3846, 43.3003],
        ],
      },
      properties: { shape: 'route', source: 'drawn' },
    });
  });

  it('draws an undrawn march through its places in order; partial when one is missing', () => {
    const exact = eventGeometry(march({ route: null }), MARCH_PLACES);
    expect(exact).toMatchObject({
      geocodeQuality: 'exact',
      shape: { type: 'route', line: MARCH_PLACES, source: 'geocoded' },
    });
    const partial = eventGeometry(march({ route: null }), [
      QUAI_DU_PORT,
      null,
      LIBERATION,
      REFORMES,
    ]);
    expect(partial).toMatchObject({
      geocodeQuality: 'partial',
      shape: { type: 'route', line: [QUAI_DU_PORT, LIBERATION, REFORMES] },
      unresolved: ['La Canebière, 13001 Marseille'],
    });
  });

  it('places a march with one resolved place as a disk sized by its crowd', () => {
    const g = eventGeometry(march({ route: null }), [null, null, null, REFORMES]);
    // 4,000 people at 2 /m²: √(2000 / π) ≈ 25.2 m.
    expect(g).toMatchObject({
      geocodeQuality: 'partial',
      shape: { type: 'points', points: [REFORMES] },
    });
    if (g.geocodeQuality === 'none' || g.shape.type !== 'points') throw new Error('points');
    expect(g.shape.radiusMetres).toBeCloseTo(25.23, 2);
    expect(g.geojson.geometry).toEqual({ type: 'Point', coordinates: [5.385634, 43.2989267] });
  });

  it('gives up on a march none of whose places resolved, naming its addresses', () => {
    expect(eventGeometry(march({ route: null }), [null, null, null, null])).toEqual({
      geocodeQuality: 'none',
      unresolved: addressesOf(march()),
    });
  });

  it('uses a rally’s footprint, else a crowd disk at its address', () => {
    const drawn = eventGeometry(rally(), []);
    expect(drawn).toMatchObject({ geocodeQuality: 'exact', shape: { type: 'footprint' } });
    if (drawn.geocodeQuality === 'none') throw new Error('placed');
    expect(drawn.geojson.geometry.type).toBe('Polygon');
    expect(drawn.geojson.geometry.coordinates).toEqual([
      [
        [5.3791, 43.2903],
        [5.3801, 43.2903],
        [5.3801, 43.2911],
        [5.3791, 43.2911],
        [5.3791, 43.2903],
      ],
    ]);

    const disk = eventGeometry(rally({ footprint: null, peopleDeclared: 2000 }), [FELIX_BARET]);
    expect(disk).toMatchObject({
      geocodeQuality: 'exact',
      shape: { type: 'points', points: [FELIX_BARET] },
    });
    if (disk.geocodeQuality === 'none') throw new Error('placed');
    // 2,000 people at 2 /m² on 1,000 m²: r ≈ 17.84 m.
    expect(disk.geojson.properties.radiusMetres).toBeCloseTo(17.84, 2);
    expect(eventGeometry(rally({ footprint: null }), [null])).toMatchObject({
      geocodeQuality: 'none',
    });
  });

  it('puts the configured radius around each resolved address of operations and visits', () => {
    const model = locatorModel({ operationRadiusMetres: 200, visitRadiusMetres: 120 });
    const op = eventGeometry(operation(), [SAINT_CHARLES, ATHENES], model);
    expect(op).toMatchObject({
      geocodeQuality: 'exact',
      shape: { type: 'points', points: [SAINT_CHARLES, ATHENES], radiusMetres: 200 },
      geojson: {
        geometry: {
          type: 'MultiPoint',
          coordinates: [
            [5.3804935, 43.3027624],
            [5.3808, 43.29956],
          ],
        },
        properties: { shape: 'points', source: 'geocoded', radiusMetres: 200 },
      },
    });
    expect(eventGeometry(operation(), [null, ATHENES])).toMatchObject({
      geocodeQuality: 'partial',
      shape: { points: [ATHENES], radiusMetres: 150 },
      unresolved: ['Gare Saint-Charles, 13001 Marseille'],
    });
    expect(eventGeometry(visit(), [HOTEL_DE_VILLE], model)).toMatchObject({
      geocodeQuality: 'exact',
      geojson: {
        geometry: { type: 'Point', coordinates: [5.3698419, 43.2965339] },
        properties: { radiusMetres: 120 },
      },
    });
  });

  it('throws GeoError when places do not line up with the addresses, or are out of range', () => {
    expect(geoErrorOf(() => eventGeometry(visit(), []))).toMatchObject({
      code: GeoErrorCode.PlacesMismatch,
    });
    expect(geoErrorOf(() => eventGeometry(visit(), [at(43.29, 5.37 + 100)]))).toMatchObject({
      code: GeoErrorCode.InvalidCoordinate,
    });
  });
});
