import erfc from '@stdlib/math-base-special-erfc';
import { getResolution, gridDisk, isValidCell } from 'h3-js';
import { TensionError, TensionErrorCode } from './tension.error';

/** The resolution hotspots are computed at. */
export const HOTSPOT_RESOLUTION = 9;
/** The false-discovery rate Benjamini–Hochberg controls, unless configured otherwise. */
export const DEFAULT_HOTSPOT_ALPHA = 0.05;

/** Gi* of one unit of the study area. */
export interface GiStar {
  /** Σ_j w_ij x_j over the unit's neighbourhood, itself included. */
  readonly localSum: number;
  /** W_i: how many units the neighbourhood holds (binary weights), itself included. */
  readonly neighbours: number;
  /** The z-score; 0 where it is undefined (see {@link giStar}). */
  readonly z: number;
  /** Two-sided p-value under the normal approximation: P(|Z| ≥ |z|). */
  readonly p: number;
}

/**
 * Getis–Ord Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary weights: `neighbours[i]` lists
 * the indices of unit i's neighbours, and i itself is always counted once (w_ii = 1, whether or
 * not the list names it; duplicates count once). With n units, mean x̄ and standard deviation
 * S = √(Σx²/n − x̄²) over all of them, W_i = |neighbourhood|:
 *
 *   z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²) / (n − 1)))
 *
 * which is what PySAL's `esda.G_Local(y, w, transform='B', star=True)` gives as `Zs`. Where that
 * is 0/0 — fewer than 2 units, a constant input (S = 0, all values equal), or a neighbourhood
 * that is the whole study area (n W_i = W_i²) — esda gives NaN; here z = 0 and p = 1: no unit
 * stands out. p is two-sided, P(|Z| ≥ |z|) = erfc(|z|/√2), for hot and cold spots alike (esda's
 * `p_norm` is the one-sided 1 − Φ(|z|), half of it). The mean and variance are taken in two
 * passes, in index order, so the same input gives the same bits.
 */
export function giStar(
  values: readonly number[],
  neighbours: readonly (readonly number[])[],
): GiStar[] {
  const n = values.length;
  if (neighbours.length !== n)
    throw new TensionError(
      TensionErrorCode.InvalidHotspotInput,
      `giStar: ${n} values but ${neighbours.length} neighbour lists`,
    );
  for (const v of values)
    if (!Number.isFinite(v))
      throw new TensionError(
        TensionErrorCode.InvalidHotspotInput,
        `giStar: a value is not finite (${v})`,
      );
  let sum = 0;
  for (const v of values) sum += v;
  const mean = n === 0 ? 0 : sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  const s = n === 0 ? 0 : Math.sqrt(squares / n);
  const constant = values.every((v) => v === values[0]);
  return values.map((_, i) => {
    const hood = new Set<number>([i]);
    for (const j of neighbours[i] ?? []) {
      if (!Number.isInteger(j) || j < 0 || j >= n)
        throw new TensionError(
          TensionErrorCode.InvalidHotspotInput,
          `giStar: unit ${i} names neighbour ${j}, not one of the ${n} units`,
        );
      hood.add(j);
    }
    let localSum = 0;
    for (const j of [...hood].sort((a, b) => a - b)) localSum += values[j] as number;
    const w = hood.size;
    const spread = (n * w - w * w) / (n - 1);
    if (n < 2 || constant || s === 0 || spread <= 0) return { localSum, neighbours: w, z: 0, p: 1 };
    const z = (localSum - mean * w) / (s * Math.sqrt(spread));
    return { localSum, neighbours: w, z, p: twoSidedP(z) };
  });
}

/** P(|Z| ≥ |z|) for a standard normal Z, accurate in the tails (no 1 − Φ cancellation). */
export function twoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * Benjamini–Hochberg step-up adjusted p-values (q-values): q_(k) = min over j ≥ k of
 * p_(j) · m / j, capped at 1, for the p-values sorted in increasing order (ties in index order).
 * Rejecting every test with q ≤ α controls the false-discovery rate at α (independent or
 * positively dependent tests).
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => (p[a] as number) - (p[b] as number) || a - b);
  const q = new Array<number>(m).fill(1);
  let least = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1] as number;
    least = Math.min(least, ((p[i] as number) * m) / rank);
    q[i] = least;
  }
  return q;
}

/** One cell of a window's hotspot analysis. */
export interface CellHotspot {
  readonly cell: string;
  /** The cell's value (0 for a cell of the study area with none). */
  readonly value: number;
  readonly localSum: number;
  readonly neighbours: number;
  readonly z: number;
  readonly p: number;
  /** Benjamini–Hochberg adjusted p-value over the window's study area. */
  readonly q: number;
  /** HOT: q ≤ α and z > 0; COLD: q ≤ α and z < 0; NONE otherwise. */
  readonly spot: 'HOT' | 'COLD' | 'NONE';
}

/** A window's analysis: its study area's size, mean and standard deviation, and each cell. */
export interface HotspotAnalysis {
  readonly cells: readonly CellHotspot[];
  readonly studyArea: number;
  readonly mean: number;
  readonly sd: number;
  readonly alpha: number;
}

/**
 * Gi* over H3 cells of one resolution: the study area is every cell with a value (> 0) and the
 * cells of their 1-rings (value 0 where they have none); weights are binary on each cell's
 * 1-ring, the cell included; the p-values of the whole study area are adjusted together
 * (Benjamini–Hochberg) and a cell is a hot (cold) spot when its q ≤ `alpha` and z > 0 (< 0).
 * Cells are in increasing order of their index, whatever the order of `values`.
 */
export function cellHotspots(
  values: ReadonlyMap<string, number>,
  alpha: number = DEFAULT_HOTSPOT_ALPHA,
): HotspotAnalysis {
  if (!(alpha > 0 && alpha < 1))
    throw new TensionError(
      TensionErrorCode.InvalidHotspotInput,
      `hotspot alpha ${alpha} is not in (0, 1)`,
    );
  let resolution: number | undefined;
  const area = new Set<string>();
  for (const [cell, value] of values) {
    if (!isValidCell(cell))
      throw new TensionError(TensionErrorCode.InvalidCell, `'${cell}' is not an H3 cell`);
    const r = getResolution(cell);
    if (resolution !== undefined && r !== resolution)
      throw new TensionError(
        TensionErrorCode.InvalidHotspotInput,
        `hotspots take cells of one resolution; ${cell} is at ${r}, others at ${resolution}`,
      );
    resolution = r;
    if (value > 0) for (const c of gridDisk(cell, 1)) area.add(c);
  }
  const cells = [...area].sort();
  const index = new Map(cells.map((c, i) => [c, i]));
  const x = cells.map((c) => values.get(c) ?? 0);
  const hoods = cells.map((c) =>
    gridDisk(c, 1)
      .map((d) => index.get(d))
      .filter((j): j is number => j !== undefined),
  );
  const stats = giStar(x, hoods);
  const q = benjaminiHochberg(stats.map((s) => s.p));
  const n = cells.length;
  const mean = n === 0 ? 0 : x.reduce((a, b) => a + b, 0) / n;
  const sd = n === 0 ? 0 : Math.sqrt(x.reduce((a, b) => a + (b - mean) * (b - mean), 0) / n);
  return {
    studyArea: n,
    mean,
    sd,
    alpha,
    cells: cells.map((cell, i) => {
      const s = stats[i] as GiStar;
      const qi = q[i] as number;
      return {
        cell,
        value: x[i] as number,
        localSum: s.localSum,
        neighbours: s.neighbours,
        z: s.z,
        p: s.p,
        q: qi,
        spot: qi <= alpha && s.z > 0 ? 'HOT' : qi <= alpha && s.z < 0 ? 'COLD' : 'NONE',
      };
    }),
  };
}
