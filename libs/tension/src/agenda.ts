import type { EventKind } from '@app/contracts';
import { TensionError, TensionErrorCode } from './tension.error';

/** Marseille's arrondissements, 1–16: the agenda has a row for each, every day. */
export const ARRONDISSEMENTS: readonly number[] = Array.from({ length: 16 }, (_, i) => i + 1);

/** The H3 resolution whose cell scores the agenda reads (≈ 0.1 km², a block or two). */
export const AGENDA_RESOLUTION = 9;

/** Most days one agenda covers. */
export const MAX_AGENDA_DAYS = 366;

/** An event behind a day's level: never free text, only its id and kind. */
export interface AgendaEvent {
  readonly eventId: string;
  readonly kind: EventKind;
  /** Present in a cell and bucket where the model's conflict term is > 0. */
  readonly inConflict: boolean;
}

/** An active conflict alert (README, "Conflict alerts") whose interval meets the day. */
export interface AgendaAlert {
  /** `smaller:greater` event id, as in the alerts collection and on `cortege.alerts.v1`. */
  readonly alertId: string;
  readonly severity: 'LOW' | 'MEDIUM' | 'HIGH';
  readonly rule: string;
}

/** An alert placed on a day and in its arrondissement (its first meeting point's). */
export interface PlacedAgendaAlert extends AgendaAlert {
  readonly day: string;
  readonly arrondissement: number;
}

/** What the tables say of one arrondissement on one local day (read by `libs/aggregation`). */
export interface AgendaObservation {
  /** Local day (Europe/Paris), `YYYY-MM-DD`. */
  readonly day: string;
  readonly arrondissement: number;
  /** Highest score of a cell of the arrondissement in a bucket of the day. */
  readonly peakScore: number;
  /** Highest conflict term of a cell of the arrondissement in a bucket of the day. */
  readonly peakConflict: number;
  readonly events: readonly AgendaEvent[];
}

/** One line of the agenda: a day, an arrondissement, its level and what is behind it. */
export interface AgendaEntry extends AgendaObservation {
  /** 1 (nothing declared) to 10; see `tensionLevel`. */
  readonly level: number;
  /** Whether two of its events meet (`peakConflict` > 0). */
  readonly conflict: boolean;
  /** The active alerts of the day placed in the arrondissement, by id. */
  readonly alerts: readonly AgendaAlert[];
}

/**
 * The level, 1 to 10, of a day's peak score against a reference (the model's zone threshold):
 * `1` when nothing is declared (peak 0), else `1 + ⌈9 × peak / (peak + reference)⌉`. A peak
 * equal to the reference (a zone of tension) is level 6; level 10 needs a peak above 8 times
 * the reference. Monotonic, bounded, and the same peak always gives the same level.
 */
export function tensionLevel(peakScore: number, reference: number): number {
  if (!Number.isFinite(reference) || reference <= 0)
    throw new TensionError(
      TensionErrorCode.InvalidAgenda,
      `the agenda's reference must be a positive number, got ${reference}`,
    );
  if (!Number.isFinite(peakScore) || peakScore < 0)
    throw new TensionError(
      TensionErrorCode.InvalidAgenda,
      `a peak score must be a finite number ≥ 0, got ${peakScore}`,
    );
  if (peakScore === 0) return 1;
  return Math.min(10, 1 + Math.ceil((9 * peakScore) / (peakScore + reference)));
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `day` is a real calendar day written `YYYY-MM-DD`. */
export function isAgendaDay(day: string): boolean {
  const m = DAY.exec(day);
  if (m === null) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day;
}

/** `days` consecutive calendar days from `from` (`YYYY-MM-DD`), in order. */
export function agendaDays(from: string, days: number): string[] {
  if (!isAgendaDay(from))
    throw new TensionError(
      TensionErrorCode.InvalidAgenda,
      `expected a day YYYY-MM-DD, not '${from}'`,
    );
  if (!Number.isInteger(days) || days < 1 || days > MAX_AGENDA_DAYS)
    throw new TensionError(
      TensionErrorCode.InvalidAgenda,
      `the agenda covers 1 to ${MAX_AGENDA_DAYS} days, not ${days}`,
    );
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) =>
    new Date(start + i * 86_400_000).toISOString().slice(0, 10),
  );
}

/**
 * The agenda of `days` days from `from`: one entry per day and arrondissement, day by day and
 * arrondissement by arrondissement, with its level; a day without observation in an
 * arrondissement is level 1 with no events. Observations and alerts outside the days or of no
 * arrondissement 1–16 are left out. Events and alerts are listed by id. Pure: the same
 * observations and alerts give the same agenda.
 */
export function buildAgenda(
  observations: readonly AgendaObservation[],
  options: { readonly from: string; readonly days: number; readonly reference: number },
  alerts: readonly PlacedAgendaAlert[] = [],
): AgendaEntry[] {
  const byKey = new Map<string, AgendaObservation>();
  for (const o of observations) byKey.set(`${o.day}|${o.arrondissement}`, o);
  const alertsByKey = new Map<string, AgendaAlert[]>();
  for (const { day, arrondissement, ...alert } of alerts) {
    const key = `${day}|${arrondissement}`;
    alertsByKey.set(key, [...(alertsByKey.get(key) ?? []), alert]);
  }
  const byId =
    <T>(id: (t: T) => string) =>
    (a: T, b: T) =>
      id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;
  const entries: AgendaEntry[] = [];
  for (const day of agendaDays(options.from, options.days))
    for (const arrondissement of ARRONDISSEMENTS) {
      const o = byKey.get(`${day}|${arrondissement}`);
      const peakScore = o?.peakScore ?? 0;
      const peakConflict = o?.peakConflict ?? 0;
      entries.push({
        day,
        arrondissement,
        level: tensionLevel(peakScore, options.reference),
        peakScore,
        peakConflict,
        conflict: peakConflict > 0,
        events: [...(o?.events ?? [])].sort(byId((e) => e.eventId)),
        alerts: [...(alertsByKey.get(`${day}|${arrondissement}`) ?? [])].sort(
          byId((a) => a.alertId),
        ),
      });
    }
  return entries;
}
