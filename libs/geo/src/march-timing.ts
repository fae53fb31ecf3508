import type { RouteCover } from './route-cover';

/** A half-open interval of UTC instants in milliseconds, `[startAt, endAt)`. */
export interface TimeWindow {
  readonly startAt: number;
  readonly endAt: number;
}

/** When an event occupies an H3 cell: `[startAt, endAt)`, UTC milliseconds, startAt < endAt. */
export interface PresenceInterval {
  readonly cell: string;
  readonly startAt: number;
  readonly endAt: number;
}

/** How a march moves along its route. */
export interface MarchTiming {
  /** Speed of the head (and the tail), metres per millisecond. */
  readonly speedMetresPerMs: number;
  /** Length of the column from head to tail, metres. */
  readonly columnMetres: number;
}

const KMH_TO_METRES_PER_MS = 1000 / 3_600_000;

/**
 * Length in metres of a march's column: `people ÷ (densityPerM2 × streetWidthMetres)` — the
 * crowd's area (m²) spread over the street's width (m). 0 people give 0 m.
 */
export function columnLengthMetres(
  people: number,
  densityPerM2: number,
  streetWidthMetres: number,
): number {
  return people / (densityPerM2 * streetWidthMetres);
}

/**
 * Speed of a march's head in metres per millisecond: the slower of the walking speed
 * (`walkingSpeedKmh`, km/h) and the speed the declared schedule implies (`lengthMetres` metres
 * over `durationMs` milliseconds).
 */
export function marchSpeedMetresPerMs(
  lengthMetres: number,
  durationMs: number,
  walkingSpeedKmh: number,
): number {
  return Math.min(walkingSpeedKmh * KMH_TO_METRES_PER_MS, lengthMetres / durationMs);
}

/**
 * When a march occupies each cell of its route's cover. The head leaves the route's first position
 * at `window.startAt` (UTC ms) and advances at `timing.speedMetresPerMs`; a cell is occupied from
 * the head's arrival where the route first enters it (`enterMetres`) to the tail's departure where
 * the route last leaves it (`exitMetres + columnMetres`), rounded outward to whole milliseconds and
 * clipped to the window. Cells whose clipped interval is empty (the head reaches them after the end)
 * are dropped. A cell the route comes back to gets one interval, from its first entry to its last
 * exit: conservative, as the cover is. In the cover's first-entry order.
 */
export function marchIntervals(
  cover: RouteCover,
  window: TimeWindow,
  timing: MarchTiming,
): PresenceInterval[] {
  const { speedMetresPerMs: speed, columnMetres } = timing;
  if (!(speed > 0) || !Number.isFinite(speed))
    return cover.cells.map(({ cell }) => ({ cell, ...window }));
  const out: PresenceInterval[] = [];
  for (const { cell, enterMetres, exitMetres } of cover.cells) {
    const startAt = Math.max(window.startAt, Math.floor(window.startAt + enterMetres / speed));
    const endAt = Math.min(
      window.endAt,
      Math.ceil(window.startAt + (exitMetres + columnMetres) / speed),
    );
    if (startAt < endAt) out.push({ cell, startAt, endAt });
  }
  return out;
}
