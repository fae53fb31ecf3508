import type { Pool } from 'pg';
import {
  AGENDA_RESOLUTION,
  agendaDays,
  buildAgenda,
  type AgendaEntry,
  type AgendaEvent,
  type AgendaObservation,
  type PlacedAgendaAlert,
} from '@app/tension';

/** What one agenda asks for: the first local day, how many days, the level's reference. */
export interface AgendaQuery {
  /** Local day (Europe/Paris), `YYYY-MM-DD`. */
  readonly from: string;
  readonly days: number;
  /** The score a level is measured against: the tension model's zone threshold. */
  readonly reference: number;
}

/** The agenda with what it was computed from. */
export interface Agenda {
  readonly from: string;
  readonly days: number;
  readonly reference: number;
  readonly resolution: number;
  /** False when no address is imported in the gazetteer: no cell can be placed in an arrondissement. */
  readonly gazetteer: boolean;
  readonly entries: readonly AgendaEntry[];
}

interface Row {
  day: string;
  arrondissement: number;
  peak_score: number;
  peak_conflict: number;
  events: { eventId: string; kind: AgendaEvent['kind']; inConflict: boolean }[] | null;
}

/** Today in Marseille, `YYYY-MM-DD`. */
export function localToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/**
 * The tension agenda (README, "The agenda"), read from `cell_tension` at resolution 9: per
 * local day and arrondissement, the peak score and conflict of its cells (a cell is in the
 * arrondissement of the gazetteer address nearest its centre, within about 2 km; cells
 * farther from any address, outside Marseille, are left out), the events present in them and
 * whether each met another (conflict > 0 in a cell and bucket it is in); and the active
 * conflict alerts whose interval meets the day, in the arrondissement of their first meeting
 * point. Levels by `buildAgenda`. Read-only; the same tables give the same agenda.
 */
export async function readAgenda(pool: Pool, query: AgendaQuery): Promise<Agenda> {
  const days = agendaDays(query.from, query.days);
  const { rows: present } = await pool.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM gazetteer_address) AS present`,
  );
  const gazetteer = present[0]?.present === true;
  let observations: AgendaObservation[] = [];
  if (gazetteer) {
    const { rows } = await pool.query<Row>(
      `WITH t AS (
         SELECT to_char((bucket_start AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS day,
                cell, score, conflict, event_ids, geom
           FROM cell_tension
          WHERE resolution = $1
            AND (bucket_start AT TIME ZONE 'Europe/Paris')::date BETWEEN $2::date AND $3::date
            AND score > 0),
       -- once per distinct cell: inlined, the planner ran the nearest-address search per row
       placed AS MATERIALIZED (
         SELECT c.cell,
                (SELECT a.code_insee::int - 13200 FROM gazetteer_address a
                  WHERE a.code_insee BETWEEN '13201' AND '13216'
                    AND ST_DWithin(a.geom, c.centre, 0.02)
                  ORDER BY a.geom <-> c.centre LIMIT 1) AS arrondissement
           FROM (SELECT DISTINCT ON (cell) cell, ST_Centroid(geom) AS centre
                   FROM t ORDER BY cell) c),
       cells AS (
         SELECT t.*, p.arrondissement FROM t JOIN placed p USING (cell)
          WHERE p.arrondissement IS NOT NULL),
       peaks AS (
         SELECT day, arrondissement, max(score) AS peak_score, max(conflict) AS peak_conflict
           FROM cells GROUP BY day, arrondissement),
       present AS (
         SELECT c.day, c.arrondissement, id AS event_id, bool_or(c.conflict > 0) AS in_conflict
           FROM cells c, unnest(c.event_ids) AS id
          GROUP BY c.day, c.arrondissement, id)
       SELECT k.day, k.arrondissement, k.peak_score, k.peak_conflict, ev.events
         FROM peaks k
         LEFT JOIN (
           SELECT p.day, p.arrondissement,
                  json_agg(json_build_object('eventId', p.event_id, 'kind', e.kind,
                                             'inConflict', p.in_conflict)
                           ORDER BY p.event_id) AS events
             FROM present p JOIN event e ON e.event_id = p.event_id
            GROUP BY p.day, p.arrondissement) ev USING (day, arrondissement)
        ORDER BY k.day, k.arrondissement`,
      [AGENDA_RESOLUTION, days[0], days[days.length - 1]],
    );
    observations = rows.map((r) => ({
      day: r.day,
      arrondissement: r.arrondissement,
      peakScore: Number(r.peak_score),
      peakConflict: Number(r.peak_conflict),
      events: r.events ?? [],
    }));
  }
  // Active alerts whose interval meets each local day, in the arrondissement of their first
  // meeting point (null without a gazetteer: left out).
  const { rows: alerts } = await pool.query<PlacedAgendaAlert>(
    `SELECT to_char(d, 'YYYY-MM-DD') AS day, a.arrondissement,
            a.event_a || ':' || a.event_b AS "alertId", a.severity, a.rule
       FROM generate_series($1::date, $2::date, interval '1 day') AS d
       JOIN alert a
         ON a.status = 'ACTIVE' AND a.arrondissement IS NOT NULL
        AND a.start_at < ((d::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')
        AND a.end_at > (d::date::timestamp AT TIME ZONE 'Europe/Paris')
      ORDER BY 1, 2, 3`,
    [days[0], days[days.length - 1]],
  );
  return {
    from: query.from,
    days: query.days,
    reference: query.reference,
    resolution: AGENDA_RESOLUTION,
    gazetteer,
    entries: buildAgenda(observations, query, alerts),
  };
}
