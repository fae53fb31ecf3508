import type { TimeInterval } from '@app/contracts';
import { cellToParent, getResolution, gridDisk, isValidCell } from 'h3-js';
import { intensity } from './intensity';
import { assertValidLocatedEvent, type LocatedEvent } from './located-event';
import {
  assertValidTensionModel,
  bucketMsOf,
  DEFAULT_TENSION_MODEL,
  pairWeightOf,
  type TensionModel,
} from './tension.model';
import { TensionError, TensionErrorCode } from './tension.error';
import {
  assertValidInterval,
  bucketStartOf,
  clipTo,
  lengthOf,
  overlapLength,
  unionOf,
} from './time-bucket';

/** The tension of one H3 cell during one time bucket. */
export interface CellTension {
  /** H3 resolution of `cell`. */
  readonly resolution: number;
  /** H3 cell index (hex). */
  readonly cell: string;
  /** Start of the bucket, UTC ms, aligned to the epoch; the bucket lasts `bucketMinutes`. */
  readonly bucketStart: number;
  /** Σ intensity × presence of the events in the cell. */
  readonly load: number;
  /** Σ over pairs of events in the cell or its 1-ring of pairWeight × min intensity × overlap. */
  readonly conflict: number;
  /** `load + conflict`. */
  readonly score: number;
  /** Number of `eventIds`. */
  readonly eventCount: number;
  /** Events that add to the score: present in the cell, or in a conflicting pair of its 1-ring; sorted. */
  readonly eventIds: readonly string[];
}

interface ScoredEvent {
  readonly event: LocatedEvent;
  readonly intensity: number;
}

/** eventId → sorted disjoint intervals, by cell. */
type Occupancy = Map<string, Map<string, TimeInterval[]>>;

/**
 * Restricts scoring to some rows: for a (resolution, cell), the bucket starts wanted, or
 * `undefined` for none. Rows outside the scope are not computed; rows inside are exactly those
 * of an unrestricted run (the aggregator rescores only what a change made stale).
 */
export type ScoreScope = (resolution: number, cell: string) => ReadonlySet<number> | undefined;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Scores every (resolution, cell, bucket) the events reach, for every resolution of the model.
 *
 * Presence cells must be at least as fine as the finest resolution scored (10 by default). At a
 * coarser resolution an event's cells are replaced by their parents and its intervals in one
 * parent are united, so an event in several children counts once there (never a sum of children,
 * since the conflict term does not add up). The 1-ring of a cell is `gridDisk(cell, 1)` at the
 * same resolution. A row exists when an event is present in the cell during the bucket or when
 * the conflict is > 0 (a cell between two events that meet has conflict and no load).
 *
 * Events are processed in `eventId` order, so the result does not depend on the input order.
 * Rows are sorted by resolution (ascending), cell, bucket.
 *
 * @throws TensionError `invalid_model`, `invalid_event`, `duplicate_event`, `invalid_cell` (not a
 *   cell, or coarser than a resolution scored), `invalid_interval`.
 */
export function scoreCells(
  events: readonly LocatedEvent[],
  model: TensionModel = DEFAULT_TENSION_MODEL,
  scope?: ScoreScope,
): CellTension[] {
  assertValidTensionModel(model);
  const finest = Math.max(...model.resolutions);
  const scored = [...events].sort((a, b) => byCodeUnit(a.eventId, b.eventId));
  const byId = new Map<string, ScoredEvent>();
  for (const event of scored) {
    assertValidLocatedEvent(event);
    if (byId.has(event.eventId))
      throw new TensionError(
        TensionErrorCode.DuplicateEvent,
        `event ${event.eventId} appears more than once`,
      );
    for (const presence of event.cells) {
      if (!isValidCell(presence.cell) || getResolution(presence.cell) < finest)
        throw new TensionError(
          TensionErrorCode.InvalidCell,
          `event ${event.eventId}: ${String(presence.cell)} is not an H3 cell at resolution ≥ ${finest}`,
        );
      assertValidInterval(presence);
    }
    byId.set(event.eventId, { event, intensity: intensity(event, model) });
  }

  const rows: CellTension[] = [];
  for (const resolution of model.resolutions)
    // One row at a time: a spread of a city's rows would overflow the call stack.
    for (const row of scoreResolution(
      occupancyAt(scored, resolution),
      byId,
      resolution,
      model,
      scope,
    ))
      rows.push(row);
  return rows.sort(
    (a, b) =>
      a.resolution - b.resolution || byCodeUnit(a.cell, b.cell) || a.bucketStart - b.bucketStart,
  );
}

/** Each event's united intervals per cell at `resolution`; inner maps in eventId order. */
function occupancyAt(events: readonly LocatedEvent[], resolution: number): Occupancy {
  const raw = new Map<string, Map<string, TimeInterval[]>>();
  for (const event of events)
    for (const { cell, startAt, endAt } of event.cells) {
      const parent = getResolution(cell) === resolution ? cell : cellToParent(cell, resolution);
      let inCell = raw.get(parent);
      if (inCell === undefined) raw.set(parent, (inCell = new Map<string, TimeInterval[]>()));
      let intervals = inCell.get(event.eventId);
      if (intervals === undefined) inCell.set(event.eventId, (intervals = []));
      intervals.push({ startAt, endAt });
    }
  for (const inCell of raw.values())
    for (const [eventId, intervals] of inCell) inCell.set(eventId, unionOf(intervals));
  return raw;
}

function scoreResolution(
  occupancy: Occupancy,
  byId: ReadonlyMap<string, ScoredEvent>,
  resolution: number,
  model: TensionModel,
  scope: ScoreScope | undefined,
): CellTension[] {
  const bucketMs = bucketMsOf(model);
  const candidates = new Set<string>();
  for (const cell of occupancy.keys()) for (const near of gridDisk(cell, 1)) candidates.add(near);

  const rows: CellTension[] = [];
  for (const cell of candidates) {
    const wanted = scope?.(resolution, cell);
    if (scope !== undefined && wanted === undefined) continue;
    const own = occupancy.get(cell) ?? new Map<string, TimeInterval[]>();
    const nearRaw = new Map<string, TimeInterval[]>();
    for (const ringCell of gridDisk(cell, 1))
      for (const [eventId, intervals] of occupancy.get(ringCell) ?? [])
        nearRaw.set(eventId, [...(nearRaw.get(eventId) ?? []), ...intervals]);
    if (own.size === 0 && nearRaw.size < 2) continue;
    const near = [...nearRaw.keys()]
      .sort(byCodeUnit)
      .map((eventId) => ({ eventId, intervals: unionOf(nearRaw.get(eventId) ?? []) }));
    // Bucket → the near events present in it (in eventId order) with their clipped intervals:
    // each event visits only its own buckets, so a cell's cost follows what is really there.
    const byBucket = new Map<number, { eventId: string; intervals: TimeInterval[] }[]>();
    for (const { eventId, intervals } of near)
      for (const interval of intervals)
        for (
          let bucketStart = bucketStartOf(interval.startAt, bucketMs);
          bucketStart < interval.endAt;
          bucketStart += bucketMs
        ) {
          if (wanted !== undefined && !wanted.has(bucketStart)) continue;
          const clipped = {
            startAt: Math.max(interval.startAt, bucketStart),
            endAt: Math.min(interval.endAt, bucketStart + bucketMs),
          };
          let inBucket = byBucket.get(bucketStart);
          if (inBucket === undefined) byBucket.set(bucketStart, (inBucket = []));
          const last = inBucket[inBucket.length - 1];
          if (last?.eventId === eventId) last.intervals.push(clipped);
          else inBucket.push({ eventId, intervals: [clipped] });
        }

    for (const bucketStart of [...byBucket.keys()].sort((a, b) => a - b)) {
      const bucketEnd = bucketStart + bucketMs;
      const present = byBucket.get(bucketStart) ?? [];
      const contributors = new Set<string>();
      let load = 0;
      for (const { eventId } of present) {
        const mine = own.get(eventId);
        if (mine === undefined) continue;
        const covered = lengthOf(clipTo(mine, bucketStart, bucketEnd));
        if (covered <= 0) continue;
        contributors.add(eventId);
        load += intensityOf(byId, eventId) * (covered / bucketMs);
      }
      let conflict = 0;
      for (let i = 0; i < present.length; i += 1)
        for (let j = i + 1; j < present.length; j += 1) {
          const a = present[i] as (typeof present)[number];
          const b = present[j] as (typeof present)[number];
          const overlap = overlapLength(a.intervals, b.intervals) / bucketMs;
          if (overlap <= 0) continue;
          const ea = byId.get(a.eventId) as ScoredEvent;
          const eb = byId.get(b.eventId) as ScoredEvent;
          const term =
            pairWeightOf(model, ea.event, eb.event) *
            Math.min(ea.intensity, eb.intensity) *
            overlap;
          if (term <= 0) continue;
          conflict += term;
          contributors.add(a.eventId);
          contributors.add(b.eventId);
        }
      if (contributors.size === 0) continue;
      const eventIds = [...contributors].sort(byCodeUnit);
      rows.push({
        resolution,
        cell,
        bucketStart,
        load: fixedScore(load),
        conflict: fixedScore(conflict),
        score: fixedScore(load + conflict),
        eventCount: eventIds.length,
        eventIds,
      });
    }
  }
  return rows;
}

/**
 * Scores are kept to 9 decimals: the sums above are floating-point and the events' ids decide
 * their order, so without a fixed precision the same events under other ids differ in the last
 * bits, and a score on the zone threshold tips a zone in or out.
 */
export const SCORE_DECIMALS = 9;
const fixedScore = (value: number): number =>
  Math.round(value * 10 ** SCORE_DECIMALS) / 10 ** SCORE_DECIMALS;

const intensityOf = (byId: ReadonlyMap<string, ScoredEvent>, eventId: string): number =>
  (byId.get(eventId) as ScoredEvent).intensity;
