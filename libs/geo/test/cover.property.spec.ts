import type { Polygon, Position } from '@app/contracts';
import {
  bearing,
  booleanPointInPolygon,
  destination,
  distance,
  length,
  lineString,
  pointToLineDistance,
  polygon as turfPolygon,
} from '@turf/turf';
import {
  areNeighborCells,
  cellToBoundary,
  cellToLatLng,
  getHexagonEdgeLengthAvg,
  latLngToCell,
  UNITS,
} from 'h3-js';
import { diskCover, footprintCover, locateEvent, locatorModel, routeCover } from '@app/geo';
import { march, operation, rally, visit } from './kinded-events';
import { SeededRandom } from './seeded-random';

// Properties of the covers and of the time model over random geometry inside Marseille, checked
// with turf (an independent great-circle implementation) and plain h3-js `latLngToCell`.

const MARSEILLE = { minLon: 5.28, maxLon: 5.48, minLat: 43.2, maxLat: 43.38 };
const RESOLUTIONS = [8, 9, 10, 11];
const at = (lon: number, lat: number): Position => ({ lon, lat });
const xy = (p: Position): [number, number] => [p.lon, p.lat];
const cellOf = (p: Position, res: number) => latLngToCell(p.lat, p.lon, res);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const edge = (res: number) => getHexagonEdgeLengthAvg(res, UNITS.m);

/** `metres` from `p` on the initial bearing `degrees` (great circle, turf). */
const move = (p: Position, metres: number, degrees: number): Position => {
  const [lon, lat] = destination(xy(p), metres, degrees, { units: 'meters' }).geometry
    .coordinates as [number, number];
  return at(lon, lat);
};

const randomPoint = (rng: SeededRandom): Position =>
  at(
    rng.between(MARSEILLE.minLon, MARSEILLE.maxLon),
    rng.between(MARSEILLE.minLat, MARSEILLE.maxLat),
  );

/** Points every `step` metres along each great-circle segment of `line`, ends included (turf). */
function samplesAlong(line: readonly Position[], step: number): Position[] {
  const out: Position[] = [];
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const d = distance(xy(a), xy(b), { units: 'meters' });
    const heading = bearing(xy(a), xy(b));
    for (let m = 0; m < d; m += step) out.push(move(a, m, heading));
  }
  out.push(line[line.length - 1]!);
  return out;
}

/** A random walk of 2–9 positions with steps from 1 cm to 3 km, kept inside Marseille. */
function randomWalk(rng: SeededRandom): Position[] {
  const line = [randomPoint(rng)];
  const n = rng.int(2, 9);
  while (line.length < n) {
    const last = line[line.length - 1]!;
    const next = move(last, rng.logBetween(0.01, 3000), rng.between(0, 360));
    line.push(
      at(
        clamp(next.lon, MARSEILLE.minLon, MARSEILLE.maxLon),
        clamp(next.lat, MARSEILLE.minLat, MARSEILLE.maxLat),
      ),
    );
  }
  return line;
}

/** The hardest lines for a cover: along cell edges, vertex to vertex, and through cell centres. */
function gridWalk(rng: SeededRandom, res: number): Position[] {
  const cell = cellOf(randomPoint(rng), res);
  if (rng.next() < 0.5) {
    const ring = cellToBoundary(cell).map(([lat, lng]) => at(lng, lat));
    return [...ring, ring[0]!];
  }
  const [lat, lng] = cellToLatLng(cell);
  const centre = at(lng, lat);
  return [centre, move(centre, rng.between(1, 5) * edge(res), rng.pick([0, 30, 60, 90, 120]))];
}

/** A route that goes out and comes back over itself, with a repeated position. */
function outAndBack(rng: SeededRandom): Position[] {
  const out = randomWalk(rng);
  return [...out, out[out.length - 1]!, ...out.slice(0, -1).reverse()];
}

/** Checks one route at one resolution; returns what is wrong, if anything. */
function routeProblems(line: readonly Position[], res: number, sampleStep: number): string[] {
  const problems: string[] = [];
  const cover = routeCover(line, res);
  const covered = new Set(cover.path);
  for (let i = 1; i < cover.path.length; i++) {
    const [a, b] = [cover.path[i - 1]!, cover.path[i]!];
    if (a !== b && !areNeighborCells(a, b))
      problems.push(`path ${i}: ${a} and ${b} not neighbours`);
  }
  const unique = cover.cells.map((s) => s.cell);
  if (new Set(unique).size !== unique.length) problems.push('a cell listed twice');
  if (unique.length !== covered.size || unique.some((c) => !covered.has(c)))
    problems.push('cells and path hold different cells');
  cover.cells.forEach((s, i) => {
    if (s.exitMetres < s.enterMetres) problems.push(`${s.cell} left before entered`);
    if (i > 0 && s.enterMetres < cover.cells[i - 1]!.enterMetres - 1e-9)
      problems.push(`${s.cell} out of first-entry order`);
  });
  if (cover.cells[0]?.enterMetres !== 0) problems.push('first cell not entered at 0 m');
  const turfLength = length(lineString(line.map(xy)), { units: 'meters' });
  if (Math.abs(cover.lengthMetres - turfLength) > 1e-6 * Math.max(1, turfLength))
    problems.push(`length ${cover.lengthMetres} m, turf says ${turfLength} m`);
  const lastExit = Math.max(...cover.cells.map((s) => s.exitMetres));
  if (Math.abs(lastExit - cover.lengthMetres) > 1e-6 * Math.max(1, turfLength))
    problems.push(`last exit ${lastExit} m, length ${cover.lengthMetres} m`);
  for (const p of line)
    if (!covered.has(cellOf(p, res))) problems.push(`vertex ${JSON.stringify(p)} not covered`);
  for (const p of samplesAlong(line, sampleStep))
    if (!covered.has(cellOf(p, res))) {
      problems.push(`sample ${JSON.stringify(p)} not covered`);
      break;
    }
  return problems;
}

describe('routeCover, over random routes inside Marseille', () => {
  it('gives contiguous corridors holding every point of 400 routes at res 8–11', () => {
    const rng = new SeededRandom(20260501);
    const failures: string[] = [];
    for (let i = 0; i < 400; i++) {
      const res = rng.pick(RESOLUTIONS);
      const kind = rng.pick(['walk', 'walk', 'grid', 'back'] as const);
      const line =
        kind === 'grid' ? gridWalk(rng, res) : kind === 'back' ? outAndBack(rng) : randomWalk(rng);
      // Sampled at a step that never lines up with the cover's own half-edge samples.
      const problems = routeProblems(line, res, edge(res) / 7.3);
      if (problems.length > 0)
        failures.push(`case ${i} (${kind}, res ${res}): ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('holds every point at 1 m steps along a few routes', () => {
    const rng = new SeededRandom(13001);
    const failures: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = RESOLUTIONS[i % RESOLUTIONS.length]!;
      const start = randomPoint(rng);
      const line = [start];
      for (let k = 0; k < 4; k++)
        line.push(move(line[line.length - 1]!, rng.between(100, 600), rng.between(0, 360)));
      const problems = routeProblems(line, res, 1);
      if (problems.length > 0) failures.push(`case ${i} (res ${res}): ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});

/** A star-shaped polygon of 3–9 vertices around `centre`, radii in [rMin, rMax] metres. */
function star(rng: SeededRandom, centre: Position, rMin: number, rMax: number): Position[] {
  const n = rng.int(3, 9);
  const angles = Array.from({ length: n }, () => rng.between(0, 360)).sort((a, b) => a - b);
  const ring = angles.map((a) => move(centre, rng.between(rMin, rMax), a));
  return [...ring, ring[0]!];
}

/** A rectangle `long` × `wide` metres around `centre`, turned `heading` degrees. */
function strip(centre: Position, long: number, wide: number, heading: number): Position[] {
  const a = move(centre, long / 2, heading);
  const b = move(centre, long / 2, heading + 180);
  const ring = [
    move(a, wide / 2, heading + 90),
    move(b, wide / 2, heading + 90),
    move(b, wide / 2, heading - 90),
    move(a, wide / 2, heading - 90),
  ];
  return [...ring, ring[0]!];
}

function randomPolygon(rng: SeededRandom): { what: string; polygon: Polygon } {
  const centre = randomPoint(rng);
  switch (rng.pick(['small', 'tiny', 'thin', 'holed'] as const)) {
    case 'small':
      return { what: 'small', polygon: { rings: [star(rng, centre, 5, 300)] } };
    case 'tiny':
      return { what: 'tiny', polygon: { rings: [star(rng, centre, 0.005, 1)] } };
    case 'thin':
      return {
        what: 'thin',
        polygon: {
          rings: [
            strip(centre, rng.between(20, 600), rng.logBetween(0.01, 1), rng.between(0, 180)),
          ],
        },
      };
    case 'holed': {
      const outer = star(rng, centre, 100, 600);
      // Scaled towards the centre of a star-shaped ring, the copy stays inside it.
      const hole = outer.map((p) =>
        at(centre.lon + (p.lon - centre.lon) * 0.4, centre.lat + (p.lat - centre.lat) * 0.4),
      );
      return { what: 'holed', polygon: { rings: [outer, hole.reverse()] } };
    }
  }
}

describe('footprintCover, over random polygons inside Marseille', () => {
  it('never comes out empty and holds every vertex and inner point of 300 polygons', () => {
    const rng = new SeededRandom(13006);
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = rng.pick(RESOLUTIONS);
      const { what, polygon } = randomPolygon(rng);
      const cells = new Set(footprintCover(polygon, res));
      const problems: string[] = [];
      if (cells.size === 0) problems.push('empty cover');
      for (const ring of polygon.rings)
        for (const p of ring)
          if (!cells.has(cellOf(p, res))) problems.push(`vertex ${JSON.stringify(p)} not covered`);
      const shape = turfPolygon(polygon.rings.map((r) => r.map(xy)));
      const lons = polygon.rings[0]!.map((p) => p.lon);
      const lats = polygon.rings[0]!.map((p) => p.lat);
      for (let k = 0; k < 200; k++) {
        const p = at(
          rng.between(Math.min(...lons), Math.max(...lons)),
          rng.between(Math.min(...lats), Math.max(...lats)),
        );
        if (booleanPointInPolygon(xy(p), shape) && !cells.has(cellOf(p, res))) {
          problems.push(`inner point ${JSON.stringify(p)} not covered`);
          break;
        }
      }
      if (problems.length > 0)
        failures.push(`case ${i} (${what}, res ${res}): ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('diskCover, over random disks inside Marseille', () => {
  it('holds every point within the radius and only cells that come within it', () => {
    const rng = new SeededRandom(13002);
    const failures: string[] = [];
    for (let i = 0; i < 150; i++) {
      const res = rng.pick(RESOLUTIONS);
      const centre = randomPoint(rng);
      const radius = rng.pick([0, rng.logBetween(0.1, 10), rng.between(10, 800)]);
      const cells = diskCover(centre, radius, res);
      const covered = new Set(cells);
      const problems: string[] = [];
      if (!covered.has(cellOf(centre, res))) problems.push('centre not covered');
      for (let k = 0; k < 100; k++) {
        const p = move(centre, radius * Math.sqrt(rng.next()) * 0.9999, rng.between(0, 360));
        if (!covered.has(cellOf(p, res))) {
          problems.push(`point ${JSON.stringify(p)} within ${radius} m not covered`);
          break;
        }
      }
      // Every cell is within the radius: checked on 40 of them drawn at random, turf is slow.
      for (let k = 0; k < Math.min(40, cells.length); k++) {
        const cell = rng.pick(cells);
        if (cell === cellOf(centre, res)) continue;
        const boundary = cellToBoundary(cell, true);
        const gap = pointToLineDistance(xy(centre), lineString(boundary), { units: 'meters' });
        if (gap > radius * 1.001 + 0.05)
          problems.push(`${cell} is ${gap} m away, radius ${radius} m`);
      }
      if (problems.length > 0) failures.push(`case ${i} (res ${res}): ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('presence intervals, over random events inside Marseille', () => {
  it('lie within the event’s interval, start before they end, on covered cells', () => {
    const rng = new SeededRandom(13013);
    const failures: string[] = [];
    const day = Date.parse('2026-05-01T00:00:00Z');
    for (let i = 0; i < 200; i++) {
      const res = rng.pick(RESOLUTIONS);
      const model = locatorModel({
        resolution: res,
        regionResolution: 5,
        walkingSpeedKmh: rng.between(0.5, 5),
      });
      const startAt = day + rng.int(0, 86_400_000);
      const endAt = startAt + rng.int(60_000, 8 * 3_600_000);
      const people = rng.pick([null, 0, rng.int(1, 100), rng.int(100, 100_000)]);
      const line = randomWalk(rng);
      const places = [randomPoint(rng), randomPoint(rng)];
      const kind = rng.pick(['march', 'march', 'rally', 'operation', 'visit'] as const);
      const kinded =
        kind === 'march'
          ? march({ startAt, endAt, peopleExpected: people, route: { coordinates: line } })
          : kind === 'rally'
            ? rally({
                startAt,
                endAt,
                peopleDeclared: people,
                footprint: rng.next() < 0.5 ? null : { rings: [star(rng, places[0]!, 1, 200)] },
              })
            : kind === 'operation'
              ? operation({ startAt, endAt })
              : visit({ startAt, endAt, addresses: ['a', 'b'] });
      const located = locateEvent(kinded, kind === 'rally' ? [places[0]!] : places, model);
      const problems: string[] = [];
      if (located.geocodeQuality !== 'exact') problems.push(`quality ${located.geocodeQuality}`);
      else {
        if (located.presence.length === 0) problems.push('no presence');
        for (const p of located.presence) {
          if (!(p.startAt >= startAt && p.endAt <= endAt && p.startAt < p.endAt))
            problems.push(`${p.cell} [${p.startAt}, ${p.endAt}) outside [${startAt}, ${endAt})`);
          if (!Number.isInteger(p.startAt) || !Number.isInteger(p.endAt))
            problems.push(`${p.cell} not whole ms`);
        }
        if (new Set(located.presence.map((p) => p.cell)).size !== located.presence.length)
          problems.push('a cell twice');
        if (kind === 'march') {
          const cover = new Set(routeCover(line, res).path);
          if (located.presence.some((p) => !cover.has(p.cell)))
            problems.push('a cell off the corridor');
          if (located.presence[0]!.startAt !== startAt) problems.push('head not off at the start');
        }
      }
      if (problems.length > 0)
        failures.push(`case ${i} (${kind}, res ${res}): ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
