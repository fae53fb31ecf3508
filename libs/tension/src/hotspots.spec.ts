import { gridDisk, latLngToCell } from 'h3-js';
import { benjaminiHochberg, cellHotspots, giStar, HOTSPOT_RESOLUTION, twoSidedP } from './hotspots';
import { TensionError } from './tension.error';

describe('giStar', () => {
  it('gives the textbook z-score (three units on a line)', () => {
    // n = 3, mean 3, S = √(14/3); unit 0: neighbourhood {0, 1}, sum 3, W = 2.
    const [a, b, c] = giStar([1, 2, 6], [[1], [0, 2], [1]]);
    const s = Math.sqrt(14 / 3);
    expect(a?.z).toBeCloseTo((3 - 3 * 2) / (s * Math.sqrt((3 * 2 - 4) / 2)), 12);
    expect(a?.neighbours).toBe(2);
    // Unit 1's neighbourhood is the whole study area: 0/0, defined as 0.
    expect(b).toEqual({ localSum: 9, neighbours: 3, z: 0, p: 1 });
    expect(c?.z).toBeCloseTo((8 - 6) / s, 12);
    expect(c?.p).toBeCloseTo(twoSidedP((8 - 6) / s), 15);
  });

  it('counts the unit itself once, named or not, and a duplicate once', () => {
    const plain = giStar([1, 5, 2, 0], [[1], [0], [3], [2]]);
    const named = giStar([1, 5, 2, 0], [[0, 1, 1], [1, 0], [3, 2], [2]]);
    expect(named).toEqual(plain);
  });

  it('gives an isolated unit a neighbourhood of itself: (x − mean) / S', () => {
    const values = [4, 1, 1, 0, 2];
    const result = giStar(values, [[], [2], [1, 3], [2], []]);
    const mean = 8 / 5;
    const s = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 5);
    expect(result[0]?.neighbours).toBe(1);
    expect(result[0]?.z).toBeCloseTo((4 - mean) / s, 12);
  });

  it('gives z = 0 and p = 1 everywhere for a constant input (esda: NaN)', () => {
    for (const value of [0, 3, 0.1])
      for (const r of giStar([value, value, value, value], [[1], [0, 2], [1, 3], [2]]))
        expect([r.z, r.p]).toEqual([0, 1]);
    expect(giStar([7], [[]])).toEqual([{ localSum: 7, neighbours: 1, z: 0, p: 1 }]);
  });

  it('refuses lists that do not match and values that are not finite', () => {
    expect(() => giStar([1, 2], [[1]])).toThrow(TensionError);
    expect(() => giStar([1, Number.NaN], [[1], [0]])).toThrow(TensionError);
    expect(() => giStar([1, 2], [[2], [0]])).toThrow(/neighbour 2/);
  });
});

describe('twoSidedP', () => {
  it('is P(|Z| ≥ |z|), exact in the tails', () => {
    expect(twoSidedP(0)).toBe(1);
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedP(-1.959963984540054)).toBeCloseTo(0.05, 12);
    // 1 − Φ(8) computed as a difference would be 0 or off by half; erfc keeps it.
    expect(twoSidedP(8) / 1.2441921148543639e-15).toBeCloseTo(1, 10);
  });
});

describe('benjaminiHochberg', () => {
  it('adjusts step-up, monotone in p, capped at 1', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    expect(q[0]).toBeCloseTo(0.04, 15);
    expect(q[1]).toBeCloseTo(0.16 / 3, 15);
    expect(q[2]).toBeCloseTo(0.16 / 3, 15);
    expect(q[3]).toBeCloseTo(0.2, 15);
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(benjaminiHochberg([1, 1, 1])).toEqual([1, 1, 1]);
  });

  it('rejects none at α when no p reaches the first threshold α/m', () => {
    const q = benjaminiHochberg([0.02, 0.03, 0.04, 0.05]);
    expect(q.every((v) => v > 0.04)).toBe(true);
  });
});

describe('cellHotspots', () => {
  const centre = latLngToCell(43.2965, 5.3698, HOTSPOT_RESOLUTION);

  it('takes the valued cells and their rings as the study area, in index order', () => {
    const analysis = cellHotspots(new Map([[centre, 5]]));
    expect(analysis.studyArea).toBe(7);
    expect(analysis.cells.map((c) => c.cell)).toEqual([...gridDisk(centre, 1)].sort());
    expect(analysis.cells.find((c) => c.cell === centre)?.value).toBe(5);
    // The centre's neighbourhood is the whole area: undefined, so 0.
    expect(analysis.cells.find((c) => c.cell === centre)?.z).toBe(0);
    expect(analysis.cells.every((c) => c.spot === 'NONE')).toBe(true);
  });

  it('finds a hot spot in a cluster over a quiet background, at any input order', () => {
    const background = gridDisk(centre, 6);
    const values = new Map<string, number>(background.map((c, i) => [c, 1 + (i % 3) * 0.1]));
    for (const c of gridDisk(centre, 1)) values.set(c, 40);
    const analysis = cellHotspots(values);
    const hot = analysis.cells.filter((c) => c.spot === 'HOT').map((c) => c.cell);
    expect(hot).toContain(centre);
    expect(hot.length).toBeGreaterThan(0);
    expect(analysis.cells.every((c) => c.q >= c.p)).toBe(true);
    const reversed = cellHotspots(new Map([...values].reverse()));
    expect(reversed).toEqual(analysis);
    // A stricter α finds no more.
    const strict = cellHotspots(values, 1e-12);
    expect(strict.cells.filter((c) => c.spot === 'HOT').length).toBeLessThanOrEqual(hot.length);
  });

  it('is empty without any positive value, and refuses mixed resolutions and a bad α', () => {
    expect(cellHotspots(new Map([[centre, 0]])).cells).toEqual([]);
    const coarse = latLngToCell(43.2965, 5.3698, 8);
    expect(() =>
      cellHotspots(
        new Map([
          [centre, 1],
          [coarse, 1],
        ]),
      ),
    ).toThrow(/one resolution/);
    expect(() => cellHotspots(new Map([[centre, 1]]), 0)).toThrow(TensionError);
    expect(() => cellHotspots(new Map([['nope', 1]]))).toThrow(/not an H3 cell/);
  });
});
