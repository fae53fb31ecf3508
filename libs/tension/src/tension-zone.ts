import { eventKindValues, type EventKind } from '@app/contracts';
import type { LonLat } from '@app/geo';
import { cellsToMultiPolygon, getResolution, gridDisk, isValidCell } from 'h3-js';
import type { CellTension } from './cell-score';
import type { LocatedEvent } from './located-event';
import { TensionError, TensionErrorCode } from './tension.error';
import {
  assertValidTensionModel,
  bucketMsOf,
  DEFAULT_TENSION_MODEL,
  type TensionModel,
} from './tension.model';

/** A connected set of hot cells (score ≥ threshold) in one bucket at one resolution. */
export interface TensionZone {
  readonly resolution: number;
  /** Start of the bucket, UTC ms. */
  readonly bucketStart: number;
  /** H3 cells of the zone, sorted. */
  readonly cells: readonly string[];
  readonly peakScore: number;
  /** The cell with the highest score (the smallest index on a tie). */
  readonly peakCell: string;
  /** Events contributing to any cell of the zone, sorted. */
  readonly eventIds: readonly string[];
  /** Their kinds, each once, in `eventKindValues` order. */
  readonly kinds: readonly EventKind[];
}

/** Zones that overlap in space over consecutive buckets, as one span of time. */
export interface ZoneSpan {
  readonly resolution: number;
  /** Start of the first bucket, UTC ms. */
  readonly startBucket: number;
  /** Start of the last bucket, UTC ms (the span ends `bucketMinutes` later). */
  readonly endBucket: number;
  /** Union of the zones' cells, sorted. */
  readonly cells: readonly string[];
  readonly peakScore: number;
  readonly peakCell: string;
  /** Start of the bucket of the peak, UTC ms (the earliest on a tie). */
  readonly peakBucket: number;
  readonly eventIds: readonly string[];
  readonly kinds: readonly EventKind[];
  /** The zones of the span, by bucket then first cell. */
  readonly zones: readonly TensionZone[];
}

/** A GeoJSON MultiPolygon: polygons of rings of `[lon, lat]` WGS84 degrees, rings closed. */
export interface GeoJsonMultiPolygon {
  readonly type: 'MultiPolygon';
  readonly coordinates: LonLat[][][];
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** eventId → kind, for `tensionZones`. */
export const kindsById = (
  events: readonly Pick<LocatedEvent, 'eventId' | 'kind'>[],
): ReadonlyMap<string, EventKind> => new Map(events.map((e) => [e.eventId, e.kind]));

const kindsOf = (
  eventIds: Iterable<string>,
  kindOf: ReadonlyMap<string, EventKind>,
): EventKind[] => {
  const kinds = new Set<EventKind>();
  for (const eventId of eventIds) {
    const kind = kindOf.get(eventId);
    if (kind === undefined)
      throw new TensionError(TensionErrorCode.UnknownEvent, `no kind given for event ${eventId}`);
    kinds.add(kind);
  }
  return eventKindValues.filter((kind) => kinds.has(kind));
};

/**
 * One zone per (resolution, bucket, connected component of cells whose score ≥
 * `model.zoneThreshold`); cells are connected when they are H3 neighbours (`gridDisk(cell, 1)`).
 * Sorted by resolution, bucket, first cell.
 *
 * @throws TensionError `invalid_model`; `unknown_event` when `kindOf` lacks an event of a hot row.
 */
export function tensionZones(
  rows: readonly CellTension[],
  model: TensionModel = DEFAULT_TENSION_MODEL,
  kindOf: ReadonlyMap<string, EventKind> = new Map(),
): TensionZone[] {
  assertValidTensionModel(model);
  const groups = new Map<string, Map<string, CellTension>>();
  for (const row of rows) {
    if (row.score < model.zoneThreshold) continue;
    const key = `${row.resolution}/${row.bucketStart}`;
    let hot = groups.get(key);
    if (hot === undefined) groups.set(key, (hot = new Map<string, CellTension>()));
    hot.set(row.cell, row);
  }
  const zones: TensionZone[] = [];
  for (const hot of groups.values()) {
    const seen = new Set<string>();
    for (const start of [...hot.keys()].sort(byCodeUnit)) {
      if (seen.has(start)) continue;
      seen.add(start);
      const component: CellTension[] = [];
      const queue = [start];
      for (let cell = queue.pop(); cell !== undefined; cell = queue.pop()) {
        component.push(hot.get(cell) as CellTension);
        for (const near of gridDisk(cell, 1))
          if (hot.has(near) && !seen.has(near)) {
            seen.add(near);
            queue.push(near);
          }
      }
      zones.push(zoneOf(component, kindOf));
    }
  }
  return zones.sort(
    (a, b) =>
      a.resolution - b.resolution ||
      a.bucketStart - b.bucketStart ||
      byCodeUnit(a.cells[0] ?? '', b.cells[0] ?? ''),
  );
}

function zoneOf(component: CellTension[], kindOf: ReadonlyMap<string, EventKind>): TensionZone {
  const sorted = [...component].sort((a, b) => byCodeUnit(a.cell, b.cell));
  const first = sorted[0] as CellTension;
  let peak = first;
  for (const row of sorted) if (row.score > peak.score) peak = row;
  const eventIds = [...new Set(sorted.flatMap((row) => row.eventIds))].sort(byCodeUnit);
  return {
    resolution: first.resolution,
    bucketStart: first.bucketStart,
    cells: sorted.map((row) => row.cell),
    peakScore: peak.score,
    peakCell: peak.cell,
    eventIds,
    kinds: kindsOf(eventIds, kindOf),
  };
}

/**
 * Groups zones of one resolution whose cell sets share a cell in consecutive buckets (bucket
 * starts `bucketMinutes` apart) into time spans, transitively. Sorted by resolution, start,
 * first cell.
 *
 * @throws TensionError `invalid_model`.
 */
export function zoneSpan(
  zones: readonly TensionZone[],
  model: TensionModel = DEFAULT_TENSION_MODEL,
): ZoneSpan[] {
  assertValidTensionModel(model);
  const bucketMs = bucketMsOf(model);
  const ordered = [...zones].sort(
    (a, b) =>
      a.resolution - b.resolution ||
      a.bucketStart - b.bucketStart ||
      byCodeUnit(a.cells[0] ?? '', b.cells[0] ?? ''),
  );
  const parent = ordered.map((_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    parent[i] = r;
    return r;
  };
  const byBucket = new Map<string, number[]>();
  ordered.forEach((zone, i) => {
    const key = `${zone.resolution}/${zone.bucketStart}`;
    byBucket.set(key, [...(byBucket.get(key) ?? []), i]);
  });
  ordered.forEach((zone, i) => {
    const cells = new Set(zone.cells);
    for (const j of byBucket.get(`${zone.resolution}/${zone.bucketStart + bucketMs}`) ?? [])
      if ((ordered[j] as TensionZone).cells.some((cell) => cells.has(cell))) {
        const [a, b] = [root(i), root(j)];
        parent[Math.max(a, b)] = Math.min(a, b);
      }
  });
  const spans = new Map<number, TensionZone[]>();
  ordered.forEach((zone, i) => {
    const r = root(i);
    spans.set(r, [...(spans.get(r) ?? []), zone]);
  });
  return [...spans.values()].map(spanOf);
}

function spanOf(zones: TensionZone[]): ZoneSpan {
  const first = zones[0] as TensionZone;
  let peak = first;
  for (const zone of zones)
    if (
      zone.peakScore > peak.peakScore ||
      (zone.peakScore === peak.peakScore &&
        zone.bucketStart === peak.bucketStart &&
        zone.peakCell < peak.peakCell)
    )
      peak = zone;
  const kinds = new Set(zones.flatMap((zone) => zone.kinds));
  return {
    resolution: first.resolution,
    startBucket: first.bucketStart,
    endBucket: zones.reduce((last, zone) => Math.max(last, zone.bucketStart), first.bucketStart),
    cells: [...new Set(zones.flatMap((zone) => zone.cells))].sort(byCodeUnit),
    peakScore: peak.peakScore,
    peakCell: peak.peakCell,
    peakBucket: peak.bucketStart,
    eventIds: [...new Set(zones.flatMap((zone) => zone.eventIds))].sort(byCodeUnit),
    kinds: eventKindValues.filter((kind) => kinds.has(kind)),
    zones,
  };
}

/**
 * The outline of a set of H3 cells as a GeoJSON MultiPolygon, `[lon, lat]` WGS84 degrees
 * (h3-js `cellsToMultiPolygon(cells, true)`); repeated cells count once; no cells → no polygon.
 *
 * @throws TensionError `invalid_cell` for an invalid index or cells of mixed resolutions.
 */
export function zonePolygon(cells: readonly string[]): GeoJsonMultiPolygon {
  const unique = [...new Set(cells)].sort(byCodeUnit);
  const resolutions = new Set<number>();
  for (const cell of unique) {
    if (!isValidCell(cell))
      throw new TensionError(TensionErrorCode.InvalidCell, `${cell} is not an H3 cell`);
    resolutions.add(getResolution(cell));
  }
  if (resolutions.size > 1)
    throw new TensionError(
      TensionErrorCode.InvalidCell,
      `cells of one zone must share a resolution, got ${[...resolutions].join(', ')}`,
    );
  return {
    type: 'MultiPolygon',
    coordinates: cellsToMultiPolygon(unique, true),
  };
}
