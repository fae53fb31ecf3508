import {
  cellHotspots,
  DEFAULT_HOTSPOT_ALPHA,
  HOTSPOT_RESOLUTION,
  type HotspotAnalysis,
} from '@app/tension';
import { cellToBoundary } from 'h3-js';
import type { Pool, PoolClient } from 'pg';

/** A hotspot window: a local day, or an ISO week (Monday to Sunday), in Europe/Paris. */
export type HotspotWindowKind = 'day' | 'week';
export const HOTSPOT_WINDOW_KINDS: readonly HotspotWindowKind[] = ['day', 'week'];

/** A window by its kind and first local day (`YYYY-MM-DD`; a Monday for a week). */
export interface HotspotWindow {
  readonly kind: HotspotWindowKind;
  readonly start: string;
}

export interface HotspotWindowOutcome extends HotspotWindow {
  readonly studyArea: number;
  readonly hot: number;
  readonly cold: number;
}

/** A row of the `hotspot` table, as `cortege hotspots list` prints it. */
export interface StoredHotspot {
  readonly kind: HotspotWindowKind;
  readonly start: string;
  readonly end: string;
  readonly cell: string;
  readonly value: number;
  readonly z: number;
  readonly p: number;
  readonly q: number;
  readonly spot: 'HOT' | 'COLD' | 'NONE';
  readonly alpha: number;
  readonly studyArea: number;
}

/** Serialises the recomputations of one window (two at once would write the same rows). */
const HOTSPOT_LOCK_CLASS = 7_407_010;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` + `days`, on the calendar (no time zone involved). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The window of `kind` holding the local day `day`. */
export function windowOf(kind: HotspotWindowKind, day: string): HotspotWindow {
  if (kind === 'day') return { kind, start: day };
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return { kind, start: addDays(day, -((weekday + 6) % 7)) };
}

export const windowEnd = (w: HotspotWindow): string => addDays(w.start, w.kind === 'day' ? 1 : 7);

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The local day (`YYYY-MM-DD`, Europe/Paris) of the instant `ms`, as the windows count days. */
export const parisDay = (ms: number): string => PARIS_DAY.format(ms);

/**
 * The local days of the resolution-9 buckets among `rows` (slices or rows of `cell_tension`),
 * once each, in order: the days whose hotspot windows they may change.
 */
export function hotspotDaysOf(
  rows: readonly { readonly resolution: number; readonly bucketStart: number }[],
): string[] {
  const buckets = new Set<number>();
  for (const row of rows) if (row.resolution === HOTSPOT_RESOLUTION) buckets.add(row.bucketStart);
  return [...new Set([...buckets].map(parisDay))].sort();
}

/** The windows of `kinds` holding any of `days`, once each, in order (days, then weeks). */
export function windowsOfDays(
  days: Iterable<string>,
  kinds: readonly HotspotWindowKind[] = HOTSPOT_WINDOW_KINDS,
): HotspotWindow[] {
  const seen = new Map<string, HotspotWindow>();
  for (const kind of kinds)
    for (const day of days) {
      const w = windowOf(kind, day);
      seen.set(`${w.kind}|${w.start}`, w);
    }
  return [...seen.values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.start.localeCompare(b.start),
  );
}

/** A value kept to 9 decimals, as the scores are. */
const round9 = (v: number) => Math.round(v * 1e9) / 1e9;

/**
 * The hotspots of `cell_tension` (README, "Hotspots"): per window, the value of a resolution-9
 * cell is its tension integrated over the window, Σ score × bucket length in hours ("score
 * hours"), summed in Node in (cell, bucket) order so the same rows give the same bits; Gi* and
 * Benjamini–Hochberg by `cellHotspots` of `@app/tension`. A window is replaced whole, in one
 * transaction, under a lock of its own.
 */
export class HotspotStore {
  constructor(
    private readonly pool: Pool,
    private readonly bucketMinutes: number,
  ) {}

  /** Each window of `kinds` that holds resolution-9 tension or stored hotspots, in order. */
  async windows(
    kinds: readonly HotspotWindowKind[] = HOTSPOT_WINDOW_KINDS,
  ): Promise<HotspotWindow[]> {
    const { rows } = await this.pool.query<{ day: string }>(
      `SELECT DISTINCT to_char((bucket_start AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS day
         FROM cell_tension WHERE resolution = $1
       UNION
       SELECT to_char(window_start, 'YYYY-MM-DD') FROM hotspot
       ORDER BY 1`,
      [HOTSPOT_RESOLUTION],
    );
    return windowsOfDays(
      rows.map((r) => r.day),
      kinds,
    );
  }

  /** The cells' values over `window` (score hours, 9 decimals), in cell order. */
  async values(
    window: HotspotWindow,
    db: Pool | PoolClient = this.pool,
  ): Promise<Map<string, number>> {
    const { rows } = await db.query<{ cell: string; score: number }>(
      `SELECT cell, score FROM cell_tension
        WHERE resolution = $1
          AND bucket_start >= ($2::date::timestamp AT TIME ZONE 'Europe/Paris')
          AND bucket_start < ($3::date::timestamp AT TIME ZONE 'Europe/Paris')
        ORDER BY cell, bucket_start`,
      [HOTSPOT_RESOLUTION, window.start, windowEnd(window)],
    );
    const hours = this.bucketMinutes / 60;
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(r.cell, (sums.get(r.cell) ?? 0) + r.score);
    return new Map([...sums].map(([cell, sum]) => [cell, round9(sum * hours)]));
  }

  /** Recomputes `window` from `cell_tension` and replaces its rows. */
  async recompute(
    window: HotspotWindow,
    alpha: number = DEFAULT_HOTSPOT_ALPHA,
  ): Promise<HotspotWindowOutcome> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        HOTSPOT_LOCK_CLASS,
        `${window.kind}|${window.start}`,
      ]);
      const analysis: HotspotAnalysis = cellHotspots(await this.values(window, client), alpha);
      await client.query('DELETE FROM hotspot WHERE window_kind = $1 AND window_start = $2', [
        window.kind,
        window.start,
      ]);
      const cells = analysis.cells;
      if (cells.length > 0)
        await client.query(
          `INSERT INTO hotspot (window_kind, window_start, window_end, cell, resolution, value,
                                local_sum, neighbours, z, p, q, spot, alpha, study_area, geom)
           SELECT $1, $2::date, $3::date, c.cell, $4, c.value, c.local_sum, c.neighbours, c.z,
                  c.p, c.q, c.spot, $5, $6, ST_SetSRID(ST_GeomFromGeoJSON(c.geom), 4326)
             FROM unnest($7::text[], $8::float8[], $9::float8[], $10::int[], $11::float8[],
                         $12::float8[], $13::float8[], $14::text[], $15::text[])
                  AS c(cell, value, local_sum, neighbours, z, p, q, spot, geom)`,
          [
            window.kind,
            window.start,
            windowEnd(window),
            HOTSPOT_RESOLUTION,
            alpha,
            analysis.studyArea,
            cells.map((c) => c.cell),
            cells.map((c) => c.value),
            cells.map((c) => c.localSum),
            cells.map((c) => c.neighbours),
            cells.map((c) => c.z),
            cells.map((c) => c.p),
            cells.map((c) => c.q),
            cells.map((c) => c.spot),
            cells.map((c) =>
              JSON.stringify({ type: 'Polygon', coordinates: [cellToBoundary(c.cell, true)] }),
            ),
          ],
        );
      await client.query('COMMIT');
      return {
        ...window,
        studyArea: analysis.studyArea,
        hot: cells.filter((c) => c.spot === 'HOT').length,
        cold: cells.filter((c) => c.spot === 'COLD').length,
      };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Recomputes every window {@link windows} lists (those left without data are emptied); with
   * `days` (`from` ≤ day < `to`), only the windows that hold one of those days.
   */
  async recomputeAll(
    alpha: number = DEFAULT_HOTSPOT_ALPHA,
    kinds: readonly HotspotWindowKind[] = HOTSPOT_WINDOW_KINDS,
    days?: { readonly from: string; readonly to: string },
  ): Promise<HotspotWindowOutcome[]> {
    const outcomes: HotspotWindowOutcome[] = [];
    for (const window of await this.windows(kinds))
      if (days === undefined || (window.start < days.to && windowEnd(window) > days.from))
        outcomes.push(await this.recompute(window, alpha));
    return outcomes;
  }

  /** The stored rows of the windows of `kind` (all if undefined) that hold `day`, if given. */
  async list(
    filter: { readonly kind?: HotspotWindowKind; readonly day?: string } = {},
  ): Promise<StoredHotspot[]> {
    const { rows } = await this.pool.query<StoredHotspot>(
      `SELECT window_kind AS kind, to_char(window_start, 'YYYY-MM-DD') AS start,
              to_char(window_end, 'YYYY-MM-DD') AS "end", cell, value, z, p, q, spot, alpha,
              study_area AS "studyArea"
         FROM hotspot
        WHERE ($1::text IS NULL OR window_kind = $1)
          AND ($2::date IS NULL OR (window_start <= $2::date AND window_end > $2::date))
        ORDER BY window_kind, window_start, z DESC, cell`,
      [filter.kind ?? null, filter.day ?? null],
    );
    return rows;
  }
}
