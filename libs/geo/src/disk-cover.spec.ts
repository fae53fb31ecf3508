import type { Position } from '@app/contracts';
import { cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { diskCover } from './disk-cover';
import { GeoErrorCode } from './geo.error';
import { geoErrorOf } from '../test/geo-error-of';

const at = (lon: number, lat: number): Position => ({ lon, lat });
/** Hôtel de Ville, Quai du Port. */
const HOTEL_DE_VILLE = at(5.3698419, 43.2965339);
const origin = latLngToCell(HOTEL_DE_VILLE.lat, HOTEL_DE_VILLE.lon, 10);
const [clat, clng] = cellToLatLng(origin);
/** The centre of the Hôtel de Ville's res-10 cell. */
const CENTRE = at(clng, clat);

// At res 10 in Marseille a cell's edge is ≈ 75.6 m, so from a cell's centre its edges are
// ≈ 65.5 m away (√3/2 × edge) and the nearest points of the second ring ≈ 151 m (2 × edge).
describe('diskCover', () => {
  it('covers the centre cell alone for a radius 0 or below the inner radius', () => {
    expect(diskCover(CENTRE, 0, 10)).toEqual([origin]);
    expect(diskCover(CENTRE, 40, 10)).toEqual([origin]);
  });

  it('adds the first ring between the inner radius and twice the edge', () => {
    const ring1 = gridDisk(origin, 1).sort();
    expect(diskCover(CENTRE, 70, 10)).toEqual(ring1);
    expect(diskCover(CENTRE, 140, 10)).toEqual(ring1);
  });

  it('adds second-ring cells once the radius passes twice the edge', () => {
    const cells = diskCover(CENTRE, 160, 10);
    expect(cells.length).toBeGreaterThan(7);
    expect(gridDisk(origin, 1).every((c) => cells.includes(c))).toBe(true);
    expect(cells.every((c) => gridDisk(origin, 2).includes(c))).toBe(true);
  });

  it('covers an operation radius of 150 m around a real address with a dozen cells', () => {
    const cells = diskCover(HOTEL_DE_VILLE, 150, 10);
    // π × 150² ≈ 0.071 km² ≈ 4.8 cells of area, plus every cell the circle clips.
    expect(cells).toContain(origin);
    expect(cells.length).toBeGreaterThanOrEqual(7);
    expect(cells.length).toBeLessThanOrEqual(19);
  });

  it('grows the search beyond its first guess for large radii', () => {
    const cells = diskCover(HOTEL_DE_VILLE, 1_000, 9);
    // π km² ≈ 30 res-9 cells of 0.105 km², plus the rim.
    expect(cells.length).toBeGreaterThan(30);
    expect(cells.length).toBeLessThan(70);
  });

  it.each([
    ['a negative radius', () => diskCover(CENTRE, -1, 10), GeoErrorCode.InvalidQuantity],
    ['an infinite radius', () => diskCover(CENTRE, Infinity, 10), GeoErrorCode.InvalidQuantity],
    ['a bad centre', () => diskCover(at(5.3, 91), 10, 10), GeoErrorCode.InvalidCoordinate],
    ['a bad resolution', () => diskCover(CENTRE, 10, 20), GeoErrorCode.InvalidResolution],
  ])('throws GeoError on %s', (_why, call, code) => {
    expect(geoErrorOf(call)).toMatchObject({ code });
  });
});
