import type { Polygon, Position } from '@app/contracts';
import { cellToBoundary, cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { footprintCover } from './footprint-cover';
import { GeoErrorCode } from './geo.error';
import { geoErrorOf } from '../test/geo-error-of';

const at = (lon: number, lat: number): Position => ({ lon, lat });
/** Place Félix Baret, in front of the Préfecture. */
const PREFECTURE = at(5.37952, 43.2913);
const cellOf = (p: Position, res = 10) => latLngToCell(p.lat, p.lon, res);

/** A closed square ring of side `sideDeg` degrees of latitude centred on `c`, counterclockwise. */
const square = (c: Position, sideDeg: number): Position[] => {
  const h = sideDeg / 2;
  return [
    at(c.lon - h, c.lat - h),
    at(c.lon + h, c.lat - h),
    at(c.lon + h, c.lat + h),
    at(c.lon - h, c.lat + h),
    at(c.lon - h, c.lat - h),
  ];
};

/** The boundary of `cell` scaled by `factor` about its centre, as a closed ring. */
const scaledCell = (cell: string, factor: number): Polygon => {
  const [clat, clng] = cellToLatLng(cell);
  const ring = cellToBoundary(cell).map(([lat, lng]) =>
    at(clng + (lng - clng) * factor, clat + (lat - clat) * factor),
  );
  return { rings: [[...ring, ring[0]!]] };
};

describe('footprintCover', () => {
  it('covers a polygon inside one cell with that cell', () => {
    const c = cellOf(PREFECTURE);
    expect(footprintCover(scaledCell(c, 0.99), 10)).toEqual([c]);
  });

  it('covers a cell grown by 1 % with the cell and its six neighbours', () => {
    const c = cellOf(PREFECTURE);
    expect(footprintCover(scaledCell(c, 1.01), 10)).toEqual(gridDisk(c, 1).sort());
  });

  it('is never empty: a 1 cm square, a 1 cm segment, a point', () => {
    const cm = 1e-7; // ≈ 1 cm of latitude
    expect(footprintCover({ rings: [square(PREFECTURE, cm)] }, 10)).toEqual([cellOf(PREFECTURE)]);
    expect(
      footprintCover({ rings: [[PREFECTURE, at(PREFECTURE.lon + cm, PREFECTURE.lat)]] }, 10),
    ).toEqual([cellOf(PREFECTURE)]);
    expect(footprintCover({ rings: [[PREFECTURE]] }, 15)).toEqual([cellOf(PREFECTURE, 15)]);
  });

  it('covers the cells a thin polygon runs through, though no cell centre is inside it', () => {
    // 500 m east–west, 0.5 m wide, along the Canebière's latitude.
    const w = 0.25 / 111_195;
    const ring = [
      at(5.375, 43.2975 - w),
      at(5.381, 43.2975 - w),
      at(5.381, 43.2975 + w),
      at(5.375, 43.2975 + w),
      at(5.375, 43.2975 - w),
    ];
    const cells = footprintCover({ rings: [ring] }, 10);
    // ≈ 485 m at ≈ 131 m between centres: at least four cells, each end's among them.
    expect(cells.length).toBeGreaterThanOrEqual(4);
    expect(cells).toContain(cellOf(at(5.375, 43.2975)));
    expect(cells).toContain(cellOf(at(5.381, 43.2975)));
  });

  it('leaves out the cells wholly inside a hole and keeps those on its edge', () => {
    const c = cellOf(PREFECTURE);
    const [clat, clng] = cellToLatLng(c);
    const centre = at(clng, clat);
    // 0.01° × 0.01° (≈ 810 m × 1.1 km) with a 0.006° hole (≈ 490 m × 670 m) around the centre of
    // the Préfecture's cell: the cell and its first ring (≤ 210 m from the centre) are inside it.
    const outer = square(centre, 0.01);
    const hole = square(centre, 0.006).reverse();
    const withHole = footprintCover({ rings: [outer, hole] }, 10);
    const solid = footprintCover({ rings: [outer] }, 10);
    expect(solid).toContain(c);
    expect(withHole).not.toContain(c);
    for (const inner of gridDisk(c, 1)) expect(withHole).not.toContain(inner);
    // Cells on the hole's edge overlap the polygon: a point just outside the hole is covered.
    expect(withHole).toContain(cellOf(at(centre.lon + 0.0031, centre.lat)));
    expect(withHole.length).toBeLessThanOrEqual(solid.length - 7);
    expect(withHole.every((cell) => solid.includes(cell))).toBe(true);
  });

  it('reads rings in [lon, lat] order whatever their orientation, closed or not', () => {
    const ring = square(PREFECTURE, 0.003);
    const cells = footprintCover({ rings: [ring] }, 10);
    expect(footprintCover({ rings: [[...ring].reverse()] }, 10)).toEqual(cells);
    expect(footprintCover({ rings: [ring.slice(0, -1)] }, 10)).toEqual(cells);
    expect(cells).toContain(cellOf(PREFECTURE));
    // ≈ 330 m × 240 m ≈ 0.08 km² over ≈ 0.015 km² cells, plus the cells the boundary clips.
    expect(cells.length).toBeGreaterThanOrEqual(6);
    expect(cells.length).toBeLessThanOrEqual(20);
  });

  it.each([
    ['no ring', { rings: [] }, GeoErrorCode.InvalidGeometry],
    ['an empty ring', { rings: [[]] }, GeoErrorCode.InvalidGeometry],
    [
      'a bad position',
      { rings: [[at(5.3, 43.3), at(200, 43.3), at(5.3, 43.4)]] },
      GeoErrorCode.InvalidCoordinate,
    ],
  ])('throws GeoError on %s', (_why, polygon: Polygon, code) => {
    expect(geoErrorOf(() => footprintCover(polygon, 10))).toMatchObject({ code });
  });

  it('throws GeoError on a resolution out of range', () => {
    expect(
      geoErrorOf(() => footprintCover({ rings: [square(PREFECTURE, 0.001)] }, -1)),
    ).toMatchObject({ code: GeoErrorCode.InvalidResolution });
  });
});
