import type { Polygon, Position } from '@app/contracts';
import { destination } from '@turf/turf';
import { POLYGON_TO_CELLS_FLAGS, polygonToCellsExperimental } from 'h3-js';
import { footprintCover } from '@app/geo';
import { SeededRandom } from './seeded-random';

// footprintCover no longer calls h3-js `polygonToCellsExperimental` (its walk down from
// resolution 0 made it most of the locator's time): this checks that the cover still holds every
// cell that function finds with overlapping containment, over random polygons inside Marseille —
// small and large, with long edges (where edges straight in degrees and great-circle arcs part by
// centimetres) and with holes.

const at = (lon: number, lat: number): Position => ({ lon, lat });
const move = (p: Position, metres: number, degrees: number): Position => {
  const [lon, lat] = destination([p.lon, p.lat], metres, degrees, { units: 'meters' }).geometry
    .coordinates as [number, number];
  return at(lon, lat);
};

/** A ring of 3–9 vertices around `centre`, closed, star-shaped about it (no gap of 180° or more). */
function star(rng: SeededRandom, centre: Position, rMin: number, rMax: number): Position[] {
  for (;;) {
    const n = rng.int(3, 9);
    const angles = Array.from({ length: n }, () => rng.between(0, 360)).sort((a, b) => a - b);
    const gaps = angles.map((a, i) => (i === 0 ? a + 360 - angles[n - 1]! : a - angles[i - 1]!));
    if (gaps.some((g) => g >= 180)) continue;
    const ring = angles.map((a) => move(centre, rng.between(rMin, rMax), a));
    return [...ring, ring[0]!];
  }
}

describe('footprintCover, beside h3-js polygonToCellsExperimental (overlapping)', () => {
  it('holds every cell h3-js finds, for 160 random polygons at res 9–11', () => {
    const rng = new SeededRandom(20261206);
    const failures: string[] = [];
    for (let i = 0; i < 160; i++) {
      const res = rng.pick([9, 10, 11, 11]);
      const centre = at(rng.between(5.28, 5.48), rng.between(43.2, 43.38));
      const [rMin, rMax] = rng.pick([
        [5, 120],
        [50, 400],
        // Long edges: where the two readings part by centimetres, slivers of cells are at stake.
        [1000, 3000],
        [1000, 3000],
      ] as const);
      const outer = star(rng, centre, rMin, rMax);
      // Scaled towards the centre of a star-shaped ring, the copy stays inside it.
      const hole = outer
        .map((p) =>
          at(centre.lon + (p.lon - centre.lon) * 0.4, centre.lat + (p.lat - centre.lat) * 0.4),
        )
        .reverse();
      const polygon: Polygon = { rings: rng.next() < 0.3 ? [outer, hole] : [outer] };
      const cover = new Set(footprintCover(polygon, res));
      const h3 = polygonToCellsExperimental(
        polygon.rings.map((ring) => ring.map((p) => [p.lon, p.lat])),
        res,
        POLYGON_TO_CELLS_FLAGS.containmentOverlapping,
        true,
      );
      const missing = h3.filter((cell) => !cover.has(cell));
      if (missing.length > 0)
        failures.push(`case ${i} (res ${res}, ${rMin}–${rMax} m): misses ${missing.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });
});
