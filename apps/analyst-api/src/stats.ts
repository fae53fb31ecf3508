import type { Pool } from 'pg';
import { eventKindValues, type EventKind } from '@app/contracts';
import { invalidParameter } from './analyst.error';
import {
  parseBbox,
  parseDatetime,
  parseEnumList,
  refuseUnknown,
  single,
  type Bbox,
  type Interval,
  type RawQuery,
} from './query-params';
import { EVENT_GEOM, eventMeets } from './features.repository';
import { SqlParams } from './sql-params';

/** What a breakdown can be by, and the SQL column of each. */
export const STATS_DIMENSIONS = ['day', 'kind', 'organiserStatus', 'arrondissement'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

const COLUMN: Readonly<Record<StatsDimension, string>> = {
  day: 'day',
  kind: 'kind',
  organiserStatus: 'organiser_status',
  arrondissement: 'arrondissement',
};

export interface StatsQuery {
  readonly groupBy: readonly StatsDimension[];
  readonly datetime: Interval | undefined;
  readonly bbox: Bbox | undefined;
  readonly kinds: readonly EventKind[] | undefined;
}

/** One group of a breakdown: its dimension values, and its counts unless suppressed. */
export type StatsGroup = Record<string, string | number | null | boolean>;

export function parseStatsQuery(query: RawQuery): StatsQuery {
  refuseUnknown(query, ['groupBy', 'datetime', 'bbox', 'kind', 'f']);
  const format = single(query, 'f');
  if (format !== undefined && format !== 'json') throw invalidParameter('f', 'only json is served');
  const groupBy = parseEnumList('groupBy', single(query, 'groupBy') ?? 'day', STATS_DIMENSIONS);
  if (new Set(groupBy).size !== groupBy.length)
    throw invalidParameter('groupBy', 'a dimension is repeated');
  const datetime = single(query, 'datetime');
  const bbox = single(query, 'bbox');
  const kind = single(query, 'kind');
  return {
    groupBy,
    datetime: datetime === undefined ? undefined : parseDatetime(datetime),
    bbox: bbox === undefined ? undefined : parseBbox(bbox),
    kinds: kind === undefined ? undefined : parseEnumList('kind', kind, eventKindValues),
  };
}

/**
 * Events and people per group (`people` = the larger of expected and declared). The day is the
 * local day (Europe/Paris) an event starts; the arrondissement (1–16) is that of the gazetteer
 * address nearest a point of the event, within about 2 km, else null.
 */
export async function countEvents(pool: Pool, query: StatsQuery): Promise<StatsGroup[]> {
  const params = new SqlParams();
  const where: string[] = [];
  if (query.datetime?.start != null)
    where.push(`e.end_at > ${params.add(new Date(query.datetime.start))}`);
  if (query.datetime?.end != null)
    where.push(`e.start_at <= ${params.add(new Date(query.datetime.end))}`);
  if (query.kinds) where.push(`e.kind = ANY(${params.add(query.kinds)}::text[])`);
  if (query.bbox) {
    const [a, b, c, d] = query.bbox.map((v) => params.add(v));
    const box = `ST_MakeEnvelope(${a}, ${b}, ${c}, ${d}, 4326)`;
    where.push(eventMeets(box), `ST_Intersects(${EVENT_GEOM}, ${box})`);
  }
  let arrondissement = 'NULL::int';
  if (query.groupBy.includes('arrondissement')) {
    const { rows } = await pool.query<{ present: boolean }>(
      `SELECT to_regclass('gazetteer_address') IS NOT NULL AS present`,
    );
    if (rows[0]?.present)
      arrondissement = `(SELECT a.code_insee::int - 13200 FROM gazetteer_address a
                          WHERE ST_DWithin(a.geom, ST_PointOnSurface(${EVENT_GEOM}), 0.02)
                          ORDER BY a.geom <-> ST_PointOnSurface(${EVENT_GEOM}) LIMIT 1)`;
  }
  const dims = query.groupBy.map((d) => COLUMN[d]);
  const { rows } = await pool.query<Record<string, unknown>>(
    `WITH e AS (
       SELECT to_char((e.start_at AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS day,
              e.kind, e.organiser_status, ${arrondissement} AS arrondissement,
              coalesce(e.people, 0) AS people
         FROM event e ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''})
     SELECT ${dims.join(', ')}, count(*)::int AS events, sum(people)::bigint AS people
       FROM e GROUP BY ${dims.join(', ')} ORDER BY ${dims.join(', ')}`,
    params.values,
  );
  return rows.map((row) => {
    const group: StatsGroup = {};
    for (const d of query.groupBy) group[d] = (row[COLUMN[d]] as string | number | null) ?? null;
    group.events = row.events as number;
    group.people = Number(row.people);
    return group;
  });
}

/**
 * Organiser status can reveal political opinion: in a breakdown by it, a group of fewer than
 * `k` events is suppressed (its counts removed). So that a suppressed group cannot be had by
 * subtraction from the totals of the same other dimensions (a breakdown without organiser
 * status), a parent with exactly one suppressed group also loses its smallest visible one.
 * Breakdowns not by organiser status are returned whole.
 */
export function suppressSmallGroups(
  groups: readonly StatsGroup[],
  groupBy: readonly StatsDimension[],
  k: number,
): { groups: StatsGroup[]; suppressed: number } {
  if (!groupBy.includes('organiserStatus')) return { groups: [...groups], suppressed: 0 };
  const hide = new Set<number>();
  groups.forEach((g, i) => {
    if ((g.events as number) < k) hide.add(i);
  });
  const parents = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const key = JSON.stringify(groupBy.filter((d) => d !== 'organiserStatus').map((d) => g[d]));
    parents.set(key, [...(parents.get(key) ?? []), i]);
  });
  for (const members of parents.values()) {
    const hidden = members.filter((i) => hide.has(i));
    const visible = members.filter((i) => !hide.has(i));
    if (hidden.length === 1 && visible.length > 0) {
      const smallest = visible.reduce((a, b) =>
        (groups[a]?.events as number) <= (groups[b]?.events as number) ? a : b,
      );
      hide.add(smallest);
    }
  }
  return {
    groups: groups.map((g, i) => {
      if (!hide.has(i)) return g;
      const dims: StatsGroup = {};
      for (const d of groupBy) dims[d] = g[d] ?? null;
      return { ...dims, suppressed: true };
    }),
    suppressed: hide.size,
  };
}
