import type { AlertSeverity } from '@app/contracts';
import { cellToLatLng, gridDisk, isValidCell } from 'h3-js';
import { ruleFor, type AlertRule, type RuleSubject } from './alert-rules';
import { TensionError, TensionErrorCode } from './tension.error';

/** An event's presence in one H3 cell during `[startAt, endAt)`, UTC milliseconds. */
export interface ConflictPresence {
  readonly eventId: string;
  readonly cell: string;
  readonly startAt: number;
  readonly endAt: number;
}

/** Where and when two events meet: the raw overlap, before any rule. */
export interface PairOverlap {
  /** The smaller event id (string order), then the other. */
  readonly eventA: string;
  readonly eventB: string;
  /** Every cell of either event that takes part in a meeting, sorted. */
  readonly cells: readonly string[];
  /** The first meeting's start and the last one's end, UTC ms: `[startAt, endAt)`. */
  readonly startAt: number;
  readonly endAt: number;
  /** The cell where they first meet (the earliest start; the smaller cell on a tie). */
  readonly firstCell: string;
}

/** The pair key of two event ids, order-free: `smaller:greater`. */
export const pairKeyOf = (x: string, y: string): string => (x < y ? `${x}:${y}` : `${y}:${x}`);

/**
 * Where the events of `touched` meet others in space and time: two presence rows meet when
 * one's cell is the other's or one of its six neighbours (the H3 1-ring, so a march passing
 * next to a static demonstration counts) and their intervals share a positive length (an
 * interval ending when the other starts does not meet it: ends are exclusive).
 *
 * `presence` must hold every row of the touched events and every row within their 1-rings;
 * rows further away are ignored. Returns one overlap per pair with at least one touched event,
 * in pair-key order. Cells are H3 indexes of one resolution; throws `InvalidCell` on a string
 * that is not one, `InvalidInterval` on an empty or non-finite interval.
 */
export function pairOverlaps(
  presence: readonly ConflictPresence[],
  touched: ReadonlySet<string>,
): PairOverlap[] {
  const byCell = new Map<string, ConflictPresence[]>();
  for (const row of presence) {
    if (!isValidCell(row.cell))
      throw new TensionError(TensionErrorCode.InvalidCell, `not an H3 cell: ${row.cell}`);
    if (!(Number.isFinite(row.startAt) && Number.isFinite(row.endAt) && row.endAt > row.startAt))
      throw new TensionError(
        TensionErrorCode.InvalidInterval,
        `event ${row.eventId} in ${row.cell}: [${row.startAt}, ${row.endAt}) is not an interval`,
      );
    const rows = byCell.get(row.cell);
    if (rows === undefined) byCell.set(row.cell, [row]);
    else rows.push(row);
  }
  interface Gathering {
    eventA: string;
    eventB: string;
    cells: Set<string>;
    startAt: number;
    endAt: number;
    firstCell: string;
  }
  const pairs = new Map<string, Gathering>();
  for (const row of presence) {
    if (!touched.has(row.eventId)) continue;
    for (const near of gridDisk(row.cell, 1))
      for (const other of byCell.get(near) ?? []) {
        if (other.eventId === row.eventId) continue;
        const from = Math.max(row.startAt, other.startAt);
        const to = Math.min(row.endAt, other.endAt);
        if (from >= to) continue;
        const key = pairKeyOf(row.eventId, other.eventId);
        const first = row.cell < other.cell ? row.cell : other.cell;
        const known = pairs.get(key);
        if (known === undefined) {
          const [eventA, eventB] = key.split(':') as [string, string];
          pairs.set(key, {
            eventA,
            eventB,
            cells: new Set([row.cell, other.cell]),
            startAt: from,
            endAt: to,
            firstCell: first,
          });
          continue;
        }
        known.cells.add(row.cell).add(other.cell);
        if (from < known.startAt || (from === known.startAt && first < known.firstCell))
          known.firstCell = first;
        known.startAt = Math.min(known.startAt, from);
        known.endAt = Math.max(known.endAt, to);
      }
  }
  return [...pairs.keys()].sort().map((key) => {
    const g = pairs.get(key) as Gathering;
    return { ...g, cells: [...g.cells].sort() };
  });
}

/** An event as an alert names it. */
export interface AlertSubject extends RuleSubject {
  readonly revision: number;
}

/** A conflict: an overlap that a pair rule makes an alert. */
export interface Conflict extends PairOverlap {
  /** The rule's name (`KIND[/THEME]:KIND[/THEME]`) and the severity it gives. */
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly kindA: RuleSubject['kind'];
  readonly kindB: RuleSubject['kind'];
  readonly revisionA: number;
  readonly revisionB: number;
  /** The centre of `firstCell`, `[lon, lat]` WGS84 degrees. */
  readonly point: readonly [number, number];
}

/**
 * The overlaps a rule makes conflicts. An overlap whose event is not in `events` (cancelled
 * meanwhile) gives none.
 */
export function conflictsOf(
  overlaps: readonly PairOverlap[],
  events: ReadonlyMap<string, AlertSubject>,
  rules: readonly AlertRule[],
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const overlap of overlaps) {
    const a = events.get(overlap.eventA);
    const b = events.get(overlap.eventB);
    if (a === undefined || b === undefined) continue;
    const rule = ruleFor(rules, a, b);
    if (rule === undefined) continue;
    const [lat, lng] = cellToLatLng(overlap.firstCell);
    conflicts.push({
      ...overlap,
      rule: rule.name,
      severity: rule.severity,
      kindA: a.kind,
      kindB: b.kind,
      revisionA: a.revision,
      revisionB: b.revision,
      point: [lng, lat],
    });
  }
  return conflicts;
}
