import type { Position } from '@app/contracts';
import { distance, length, lineString } from '@turf/turf';
import {
  areNeighborCells,
  cellToBoundary,
  cellToLatLng,
  gridDisk,
  gridPathCells,
  latLngToCell,
} from 'h3-js';
import { GeoErrorCode } from './geo.error';
import { routeCover } from './route-cover';
import { geoErrorOf } from '../test/geo-error-of';

const at = (lon: number, lat: number): Position => ({ lon, lat });
/** Vieux-Port (Quai des Belges) → La Canebière → Réformés, real points. */
const CANEBIERE = [
  at(5.37428, 43.29548),
  at(5.3745, 43.2958),
  at(5.3795, 43.2972),
  at(5.3856, 43.2989),
];
const cellOf = (p: Position, res = 10) => latLngToCell(p.lat, p.lon, res);
const centreOf = (cell: string): Position => {
  const [lat, lng] = cellToLatLng(cell);
  return at(lng, lat);
};
const metres = (a: Position, b: Position) =>
  distance([a.lon, a.lat], [b.lon, b.lat], { units: 'meters' });

/** The point `m` metres from `p` towards `q` (local flat approximation, fine below 100 m). */
const towards = (p: Position, q: Position, m: number): Position => {
  const d = metres(p, q);
  return at(p.lon + ((q.lon - p.lon) * m) / d, p.lat + ((q.lat - p.lat) * m) / d);
};

describe('routeCover', () => {
  it('covers a line inside one cell with that cell alone, from 0 m to its length', () => {
    const c = cellOf(CANEBIERE[0]!);
    const centre = centreOf(c);
    const line = [centre, towards(centre, CANEBIERE[3]!, 20)];
    const cover = routeCover(line, 10);
    expect(cover.path).toEqual([c]);
    expect(cover.cells).toEqual([{ cell: c, enterMetres: 0, exitMetres: cover.lengthMetres }]);
    expect(cover.lengthMetres).toBeCloseTo(20, 2);
  });

  it('measures great-circle metres as turf does: 0.01° of longitude at 43.3° N is ≈ 809.2 m', () => {
    const cover = routeCover([at(5.37, 43.3), at(5.38, 43.3)], 10);
    expect(cover.lengthMetres).toBeCloseTo(809.2, 1);
    expect(cover.lengthMetres).toBeCloseTo(metres(at(5.37, 43.3), at(5.38, 43.3)), 6);
    const march = routeCover(CANEBIERE, 10);
    const turfLength = length(lineString(CANEBIERE.map((p) => [p.lon, p.lat])), {
      units: 'meters',
    });
    expect(march.lengthMetres).toBeCloseTo(turfLength, 6);
  });

  it('crosses from a cell to its neighbour half-way between their centres', () => {
    const a = cellOf(CANEBIERE[0]!);
    const b = gridDisk(a, 1).find((c) => c !== a)!;
    const line = [centreOf(a), centreOf(b)];
    const cover = routeCover(line, 10);
    expect(cover.path).toEqual([a, b]);
    const [first, second] = cover.cells;
    // ≈ 131 m between centres at res 10 (√3 × a 75.6 m edge); the shared edge is half-way.
    expect(cover.lengthMetres).toBeGreaterThan(125);
    expect(cover.lengthMetres).toBeLessThan(137);
    expect(first!.exitMetres).toBeCloseTo(cover.lengthMetres / 2, 0);
    expect(second!.enterMetres).toBeCloseTo(first!.exitMetres, 3);
    expect(second!.exitMetres).toBeCloseTo(cover.lengthMetres, 6);
  });

  it('covers the corner of a cell that the line clips between two samples', () => {
    const c = cellOf(CANEBIERE[2]!);
    const centre = centreOf(c);
    const [vLat, vLng] = cellToBoundary(c)[0]!;
    const vertex = at(vLng, vLat);
    // 1 m inside the cell from its vertex, then a line across the corner, perpendicular to the
    // vertex's radius: 10 m back and 50 m on, so that no half-edge sample falls in the cell. The
    // corner's angle is 120°, so the line is in the cell for 2 × tan 60° ≈ 3.5 m, from ≈ 8.3 m.
    const inside = towards(vertex, centre, 1);
    const cos = Math.cos((vertex.lat * Math.PI) / 180);
    const ahead = at(
      inside.lon - (vertex.lat - centre.lat) / cos,
      inside.lat + (vertex.lon - centre.lon) * cos,
    );
    const start = towards(inside, ahead, -10);
    const end = towards(inside, ahead, 50);
    expect(cellOf(start)).not.toBe(c);
    expect(cellOf(end)).not.toBe(c);
    expect(cellOf(towards(start, end, 30))).not.toBe(c);
    expect(cellOf(inside)).toBe(c);

    const cover = routeCover([start, end], 10);
    expect(cover.path).toContain(c);
    expect(cover.path).toHaveLength(3);
    // What sampling and a grid line alone would have drawn between the end cells misses it.
    expect(gridPathCells(cellOf(start), cellOf(end))).not.toContain(c);
    const span = cover.cells.find((s) => s.cell === c)!;
    expect(span.enterMetres).toBeGreaterThan(8);
    expect(span.exitMetres).toBeLessThan(12);
  });

  it('keeps each cell once, in first-entry order, from its first entry to its last exit', () => {
    const there = [CANEBIERE[0]!, CANEBIERE[1]!, CANEBIERE[2]!];
    const back = [...there, ...there.slice(0, -1).reverse()];
    const out = routeCover(there, 10);
    const round = routeCover(back, 10);
    expect(round.lengthMetres).toBeCloseTo(2 * out.lengthMetres, 6);
    expect(round.cells.map((s) => s.cell)).toEqual(out.cells.map((s) => s.cell));
    expect(round.path.length).toBe(2 * out.path.length - 1);
    const first = round.cells[0]!;
    expect(first.enterMetres).toBe(0);
    expect(first.exitMetres).toBeCloseTo(round.lengthMetres, 6);
    for (let i = 1; i < round.path.length; i++)
      expect(areNeighborCells(round.path[i - 1]!, round.path[i]!)).toBe(true);
  });

  it('covers the Canebière as one corridor of neighbours, in route order', () => {
    const cover = routeCover(CANEBIERE, 10);
    expect(cover.path[0]).toBe(cellOf(CANEBIERE[0]!));
    expect(cover.path[cover.path.length - 1]).toBe(cellOf(CANEBIERE[3]!));
    // ≈ 1 km at ≈ 131 m between centres: a dozen cells, more than a straight grid line needs.
    expect(cover.cells.length).toBeGreaterThanOrEqual(8);
    expect(cover.cells.length).toBeLessThanOrEqual(16);
    const enters = cover.cells.map((s) => s.enterMetres);
    expect([...enters].sort((a, b) => a - b)).toEqual(enters);
    for (const s of cover.cells) expect(s.exitMetres).toBeGreaterThanOrEqual(s.enterMetres);
  });

  it('takes one position, or repeated ones, as a point', () => {
    const p = CANEBIERE[0]!;
    expect(routeCover([p], 10)).toEqual({
      resolution: 10,
      lengthMetres: 0,
      cells: [{ cell: cellOf(p), enterMetres: 0, exitMetres: 0 }],
      path: [cellOf(p)],
    });
    expect(routeCover([p, p, p], 10).path).toEqual([cellOf(p)]);
  });

  it('accepts every resolution 0–15 and covers more cells at finer ones', () => {
    const counts = [0, 5, 8, 10, 12, 15].map((res) => routeCover(CANEBIERE, res).cells.length);
    expect(counts[0]).toBe(1);
    for (let i = 1; i < counts.length; i++)
      expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(counts[5]).toBeGreaterThan(1000);
  });

  it.each([
    ['resolution 16', () => routeCover(CANEBIERE, 16), GeoErrorCode.InvalidResolution],
    ['resolution 9.5', () => routeCover(CANEBIERE, 9.5), GeoErrorCode.InvalidResolution],
    ['no position', () => routeCover([], 10), GeoErrorCode.InvalidGeometry],
    [
      'lat and lon swapped',
      () => routeCover([at(43.3, 5.37), at(5.37, 95)]),
      GeoErrorCode.InvalidCoordinate,
    ],
    ['NaN', () => routeCover([at(Number.NaN, 43.3)]), GeoErrorCode.InvalidCoordinate],
  ])('throws GeoError on %s', (_why, call, code) => {
    expect(geoErrorOf(call)).toMatchObject({ code, retriable: false });
  });
});
