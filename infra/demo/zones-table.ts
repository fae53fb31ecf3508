import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import type { Agenda } from '@app/aggregation';
import { CORTEGE_ZONE, type EventKind } from '@app/contracts';
import type { MarseilleDay } from './marseille-day';

/** One zone of tension as the demo shows it, read through the analysts' views. */
export interface ZoneRow {
  readonly bucketStart: Date;
  readonly bucketEnd: Date;
  readonly peakScore: number;
  readonly cells: number;
  readonly km2: number;
  /** The gazetteer's named place nearest the zone's centre. */
  readonly near: string | null;
  readonly eventIds: readonly string[];
  /** Events involved by kind, from `v_events`. */
  readonly byKind: Readonly<Partial<Record<EventKind, number>>>;
}

const KIND_LABEL: Record<EventKind, readonly [string, string]> = {
  MOVING_DEMONSTRATION: ['march', 'marches'],
  STATIC_DEMONSTRATION: ['rally', 'rallies'],
  SCHEDULED_OPERATION: ['operation', 'operations'],
  OFFICIAL_VISIT: ['visit', 'visits'],
};

/** The `limit` hottest zones of the day at resolution 10, by peak score. */
export async function topZones(pool: Pool, day: MarseilleDay, limit = 10): Promise<ZoneRow[]> {
  const start = DateTime.fromISO(day.day, { zone: CORTEGE_ZONE }).startOf('day');
  const { rows } = await pool.query<{
    bucket_start: Date;
    bucket_end: Date;
    peak_score: number;
    cell_count: number;
    km2: number;
    near: string | null;
    event_ids: string[];
    by_kind: Record<EventKind, number> | null;
  }>(
    `SELECT z.bucket_start, z.bucket_end, z.peak_score, z.cell_count,
            ST_Area(z.geom::geography) / 1e6 AS km2,
            (SELECT p.name FROM gazetteer_place p ORDER BY p.geom <-> ST_Centroid(z.geom) LIMIT 1) AS near,
            z.event_ids::text[] AS event_ids,
            (SELECT json_object_agg(k.kind, k.n) FROM
               (SELECT e.kind, count(*)::int AS n FROM v_events e
                 WHERE e.event_id = ANY(z.event_ids) GROUP BY e.kind) k) AS by_kind
       FROM v_zones z
      WHERE z.resolution = 10 AND z.bucket_start >= $1 AND z.bucket_start < $2
      ORDER BY z.peak_score DESC, z.bucket_start, z.zone_id
      LIMIT $3`,
    [start.toJSDate(), start.plus({ days: 1 }).toJSDate(), limit],
  );
  return rows.map((r) => ({
    bucketStart: r.bucket_start,
    bucketEnd: r.bucket_end,
    peakScore: r.peak_score,
    cells: r.cell_count,
    km2: r.km2,
    near: r.near,
    eventIds: r.event_ids,
    byKind: r.by_kind ?? {},
  }));
}

/** The zones as a text table, in time order, with local times (Europe/Paris). */
export function zonesTable(zones: readonly ZoneRow[], day: MarseilleDay): string {
  if (zones.length === 0) return `No zone of tension on ${day.day}.`;
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: CORTEGE_ZONE }).toFormat('HH:mm');
  const header = ['bucket', 'near', 'area', 'peak', 'events by kind'];
  const lines = [...zones]
    .sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime() || b.peakScore - a.peakScore)
    .map((z) => [
      `${local(z.bucketStart)}–${local(z.bucketEnd)}`,
      z.near ?? '',
      `${z.cells} cells, ${z.km2.toFixed(3)} km²`,
      z.peakScore.toFixed(1),
      Object.entries(z.byKind)
        .map(([kind, n]) => `${n} ${KIND_LABEL[kind as EventKind][n > 1 ? 1 : 0]}`)
        .join(', '),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [
    `Top zones of tension on ${day.day} (resolution 10, local time):`,
    row(header),
    row(widths.map((w) => '-'.repeat(w))),
    ...lines.map(row),
  ].join('\n');
}

/**
 * The day's line of the agenda (`cortege agenda --from DAY --days 1`): each arrondissement's
 * level, `!` where events meet; the quiet ones (level 1) counted.
 */
export function agendaLine(agenda: Agenda): string {
  const tense = agenda.entries.filter((e) => e.level > 1);
  const quiet = agenda.entries.length - tense.length;
  const cells = tense.map((e) => `${e.arrondissement}e ${e.level}${e.conflict ? '!' : ''}`);
  return `The day's tension agenda (cortege agenda --from ${agenda.from} --days ${agenda.days}), level 1–10 per arrondissement, ! where events meet:
  ${cells.length > 0 ? cells.join(', ') : 'none above 1'}; ${quiet} arrondissement(s) at 1`;
}
