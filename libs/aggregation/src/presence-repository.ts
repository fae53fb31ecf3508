import type { Presence } from '@app/contracts';
import type { ConsumedPosition } from '@app/kafka';
import {
  bucketMsOf,
  unionOf,
  zonePolygon,
  type CellTension,
  type TensionModel,
  type TensionZone,
} from '@app/tension';
import { cellToBoundary, cellToParent, getResolution } from 'h3-js';
import type { PoolClient } from 'pg';
import type { CellDiff, CellKey, Slice } from './cell-diff';
import { copyRows } from './copy-rows';
import type { EventAttributes } from './presence-rules';
import { scoredAncestors, type CellRange, type PresenceSpan } from './recompute-plan';

/** One `event_presence` row as the model reads it. */
export interface StoredPresence extends PresenceSpan {
  readonly eventId: string;
}

/**
 * The cell's outline, closed, as hex EWKB (a polygon with SRID 4326), for COPY into a geometry:
 * binary doubles, which PostgreSQL reads much faster than the text of WKT, and equal to it.
 */
function cellPolygonEwkb(cell: string): string {
  const ring = cellToBoundary(cell, true);
  const wkb = Buffer.allocUnsafe(17 + ring.length * 16);
  wkb.writeUInt8(1, 0); // little-endian
  wkb.writeUInt32LE(0x20000003, 1); // a polygon, with an SRID
  wkb.writeUInt32LE(4326, 5);
  wkb.writeUInt32LE(1, 9); // one ring
  wkb.writeUInt32LE(ring.length, 13);
  ring.forEach(([lon, lat], i) => {
    wkb.writeDoubleLE(lon, 17 + i * 16);
    wkb.writeDoubleLE(lat, 25 + i * 16);
  });
  return wkb.toString('hex');
}

const multiPolygonEwkt = (cells: readonly string[]): string =>
  `SRID=4326;MULTIPOLYGON(${zonePolygon(cells)
    .coordinates.map(
      (polygon) =>
        `(${polygon.map((ring) => `(${ring.map(([lon, lat]) => `${lon} ${lat}`).join(',')})`).join(',')})`,
    )
    .join(',')})`;

const CELL_COLUMNS = [
  'resolution',
  'cell',
  'bucket_start',
  'load',
  'conflict',
  'score',
  'event_count',
  'event_ids',
] as const;

const cellValues = (row: CellTension) => [
  row.resolution,
  row.cell,
  new Date(row.bucketStart).toISOString(),
  row.load,
  row.conflict,
  row.score,
  row.eventIds.length,
  row.eventIds,
];

/** An `event_presence` row as the model reads it. */
interface PresenceRow {
  readonly event_id: string;
  readonly cell: string;
  readonly start_at: Date;
  readonly end_at: Date;
}

/** A `cell_tension` row as read (outline left out), and the columns that read it from `t`. */
interface CellRow {
  readonly resolution: number;
  readonly cell: string;
  readonly bucket_start: Date;
  readonly load: number;
  readonly conflict: number;
  readonly score: number;
  readonly event_count: number;
  readonly event_ids: string[];
}
const CELL_READ = CELL_COLUMNS.map((c) => `t.${c}`).join(', ');

const PRESENCE_COLUMNS = [
  'event_id',
  'region',
  'cell',
  'parents',
  'revision',
  'start_at',
  'end_at',
] as const;

const ranges = (rows: readonly CellRange[]) => [
  rows.map((r) => r.resolution),
  rows.map((r) => r.cell),
  rows.map((r) => new Date(r.from)),
  rows.map((r) => new Date(r.to)),
];

/**
 * What the aggregator reads and writes in PostgreSQL, inside the transaction of `client`: the
 * ledger (`event_region`), the events, the presence, the scores, the zones and the positions.
 * It decides nothing: the planner (presence-rules, recompute-plan, cell-diff) does.
 */
export class PresenceRepository {
  /** Outlines already drawn in this batch: a cell's outline is written once per bucket. */
  private readonly outlines = new Map<string, string>();

  constructor(
    private readonly client: PoolClient,
    private readonly model: TensionModel,
  ) {}

  /** Takes the advisory lock `key` until the transaction ends; shared or alone. */
  async lock(key: number, mode: 'shared' | 'exclusive'): Promise<void> {
    await this.client.query(
      mode === 'shared'
        ? 'SELECT pg_advisory_xact_lock_shared($1)'
        : 'SELECT pg_advisory_xact_lock($1)',
      [key],
    );
  }

  /**
   * Takes the advisory locks (`namespace`, key) of `keys` until the transaction ends, in
   * ascending order (unnest yields them as given, sorted here): two batches that need some of
   * the same keys take them in the same order, so they queue and never deadlock.
   */
  async lockAll(namespace: number, keys: Iterable<number>): Promise<void> {
    const sorted = [...new Set(keys)].sort((a, b) => a - b);
    if (sorted.length === 0) return;
    await this.client.query(
      `SELECT count(pg_advisory_xact_lock($1::int, k)) FROM unnest($2::int[]) AS k`,
      [namespace, sorted],
    );
  }

  /** The next offset per (topic, partition) stored by `group`, locking those rows. */
  async positionsForUpdate(group: string, topics: readonly string[]): Promise<Map<string, bigint>> {
    const { rows } = await this.client.query<{
      topic: string;
      partition: number;
      next_offset: string;
    }>(
      `SELECT topic, partition, next_offset FROM consumer_offset
        WHERE consumer_group = $1 AND topic = ANY($2::text[]) FOR UPDATE`,
      [group, topics],
    );
    return new Map(rows.map((r) => [`${r.topic}|${r.partition}`, BigInt(r.next_offset)]));
  }

  /** The revision each (event, region) of `records` holds, locking those ledger rows. */
  async heldRevisions(records: readonly Presence[]): Promise<Map<string, number>> {
    const { rows } = await this.client.query<{
      event_id: string;
      region: string;
      revision: number;
    }>(
      `SELECT r.event_id, r.region, r.revision
         FROM event_region r
         JOIN unnest($1::uuid[], $2::text[]) AS k(event_id, region) USING (event_id, region)
          FOR UPDATE OF r`,
      [records.map((r) => r.eventId), records.map((r) => r.region)],
    );
    return new Map(rows.map((r) => [`${r.event_id}|${r.region}`, r.revision]));
  }

  /** The newest revision any region of each event holds. */
  async eventRevisions(eventIds: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.client.query<{ event_id: string; revision: number }>(
      `SELECT event_id, max(revision)::int AS revision FROM event_region
        WHERE event_id = ANY($1::uuid[]) GROUP BY event_id`,
      [eventIds],
    );
    return new Map(rows.map((r) => [r.event_id, r.revision]));
  }

  /**
   * Deletes the cancelled events and writes the others' newest revision. A row is never set
   * back to an older revision, whatever the order in which two batches commit.
   */
  async writeEvents(cancelled: readonly string[], upserts: readonly Presence[]): Promise<void> {
    if (cancelled.length > 0)
      await this.client.query(`DELETE FROM event WHERE event_id = ANY($1::uuid[])`, [cancelled]);
    if (upserts.length === 0) return;
    // `people` and `cars` are the larger count known, `crowdOf`/`carsOf` (@app/contracts) in
    // SQL: greatest() skips nulls, and leaves null (unknown) where both are. The geometry goes
    // to the typed column of its shape (`presenceProblem` lets no other shape through; the
    // table's check would refuse it).
    await this.client.query(
      `INSERT INTO event AS ev (event_id, revision, kind, subject, description, start_at, end_at,
                          people_expected, people_declared, cars_expected, cars_declared,
                          people, cars, organiser_status, theme, geocode_quality,
                          route_geom, footprint_geom, points_geom, located_at)
       SELECT e.event_id, e.revision, e.kind, e.subject, e.description, e.start_at, e.end_at,
              e.people_expected, e.people_declared, e.cars_expected, e.cars_declared,
              greatest(e.people_expected, e.people_declared),
              greatest(e.cars_expected, e.cars_declared),
              e.organiser_status, e.theme, e.geocode_quality,
              CASE WHEN GeometryType(s.g) = 'LINESTRING' THEN s.g END,
              CASE WHEN GeometryType(s.g) = 'POLYGON' THEN s.g END,
              CASE WHEN GeometryType(s.g) IN ('POINT', 'MULTIPOINT') THEN ST_Multi(s.g) END,
              e.located_at
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::timestamptz[], $8::int[], $9::int[], $10::int[],
                     $11::int[], $12::text[], $13::text[], $14::text[], $15::text[],
                     $16::timestamptz[])
           AS e(event_id, revision, kind, subject, description, start_at, end_at,
                people_expected, people_declared, cars_expected, cars_declared,
                organiser_status, theme, geocode_quality, geometry, located_at)
        CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(e.geometry), 4326) AS g) s
       ON CONFLICT (event_id) DO UPDATE SET
         revision = EXCLUDED.revision, kind = EXCLUDED.kind, subject = EXCLUDED.subject,
         description = EXCLUDED.description, start_at = EXCLUDED.start_at,
         end_at = EXCLUDED.end_at, people_expected = EXCLUDED.people_expected,
         people_declared = EXCLUDED.people_declared, cars_expected = EXCLUDED.cars_expected,
         cars_declared = EXCLUDED.cars_declared, people = EXCLUDED.people, cars = EXCLUDED.cars,
         organiser_status = EXCLUDED.organiser_status, theme = EXCLUDED.theme,
         geocode_quality = EXCLUDED.geocode_quality, route_geom = EXCLUDED.route_geom,
         footprint_geom = EXCLUDED.footprint_geom, points_geom = EXCLUDED.points_geom,
         located_at = EXCLUDED.located_at
       WHERE ev.revision <= EXCLUDED.revision`,
      [
        upserts.map((p) => p.eventId),
        upserts.map((p) => p.revision),
        upserts.map((p) => p.kind),
        upserts.map((p) => p.subject),
        upserts.map((p) => p.description),
        upserts.map((p) => new Date(p.startAt as number)),
        upserts.map((p) => new Date(p.endAt as number)),
        upserts.map((p) => p.peopleExpected),
        upserts.map((p) => p.peopleDeclared),
        upserts.map((p) => p.carsExpected),
        upserts.map((p) => p.carsDeclared),
        upserts.map((p) => p.organiserStatus),
        upserts.map((p) => p.theme),
        upserts.map((p) => p.geocodeQuality),
        upserts.map((p) => p.geometry),
        upserts.map((p) => new Date(p.locatedAt)),
      ],
    );
  }

  /** The presence rows each changed (event, region) holds now. */
  async presenceOf(changes: readonly Presence[]): Promise<StoredPresence[]> {
    const { rows } = await this.client.query<PresenceRow>(
      `SELECT p.event_id, p.cell, p.start_at, p.end_at
         FROM event_presence p
         JOIN unnest($1::uuid[], $2::text[]) AS k(event_id, region) USING (event_id, region)`,
      [changes.map((c) => c.eventId), changes.map((c) => c.region)],
    );
    return rows.map(toPresence);
  }

  /** The presence rows of every region of `eventIds`. */
  async presenceOfEvents(eventIds: readonly string[]): Promise<StoredPresence[]> {
    const { rows } = await this.client.query<PresenceRow>(
      `SELECT event_id, cell, start_at, end_at FROM event_presence
        WHERE event_id = ANY($1::uuid[])`,
      [eventIds],
    );
    return rows.map(toPresence);
  }

  /**
   * Deletes every row of `eventIds` from `event`, `event_region` and `event_presence`; returns
   * how many events had rows and how many presence rows went.
   */
  async removeEvents(
    eventIds: readonly string[],
  ): Promise<{ readonly events: number; readonly presenceRows: number }> {
    const { rows } = await this.client.query<{ events: number; presence_rows: number }>(
      `WITH p AS (DELETE FROM event_presence WHERE event_id = ANY($1::uuid[]) RETURNING event_id),
            r AS (DELETE FROM event_region WHERE event_id = ANY($1::uuid[]) RETURNING event_id),
            e AS (DELETE FROM event WHERE event_id = ANY($1::uuid[]) RETURNING event_id)
       SELECT (SELECT count(*)::int FROM p) AS presence_rows,
              (SELECT count(DISTINCT event_id)::int
                 FROM (SELECT event_id FROM r UNION ALL SELECT event_id FROM e) x) AS events`,
      [eventIds],
    );
    return { events: rows[0]?.events ?? 0, presenceRows: rows[0]?.presence_rows ?? 0 };
  }

  /** Replaces each changed (event, region)'s presence by its record's cells. */
  async replacePresence(changes: readonly Presence[]): Promise<number> {
    await this.client.query(
      `DELETE FROM event_presence p
        USING unnest($1::uuid[], $2::text[]) AS k(event_id, region)
        WHERE p.event_id = k.event_id AND p.region = k.region`,
      [changes.map((c) => c.eventId), changes.map((c) => c.region)],
    );
    const fresh = changes.flatMap((c) => c.cells.map((cell) => ({ change: c, cell })));
    if (fresh.length === 0) return 0;
    await this.client.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_presence
         (LIKE event_presence INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    );
    const count = await this.copyPresence(
      'stage_presence',
      fresh.map(({ change, cell }) => ({ change, cell })),
    );
    // A route through a cell twice gives two intervals; the same one twice is one row.
    await this.client.query(
      `INSERT INTO event_presence (${PRESENCE_COLUMNS.join(', ')})
       SELECT DISTINCT ON (cell, event_id, start_at) ${PRESENCE_COLUMNS.join(', ')}
         FROM stage_presence ORDER BY cell, event_id, start_at, end_at DESC`,
    );
    return count;
  }

  /** Copies presence rows, each with its scored ancestors, into `table`. */
  copyPresence(
    table: string,
    rows: readonly { change: Presence; cell: Presence['cells'][number] }[],
  ): Promise<number> {
    return copyRows(
      this.client,
      table,
      PRESENCE_COLUMNS,
      rows.map(({ change, cell }) => [
        change.eventId,
        change.region,
        cell.cell,
        scoredAncestors(cell.cell, this.model),
        change.revision,
        new Date(cell.startAt).toISOString(),
        new Date(cell.endAt).toISOString(),
      ]),
    );
  }

  /** Remembers, per (event, region), the revision applied and the event's scoring attributes. */
  async recordRegions(changes: readonly Presence[]): Promise<void> {
    await this.client.query(
      `INSERT INTO event_region (event_id, region, revision, action, kind, theme,
                                 people_expected, people_declared, cars_expected, cars_declared)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[],
                            $7::int[], $8::int[], $9::int[], $10::int[])
       ON CONFLICT (event_id, region) DO UPDATE SET
         revision = EXCLUDED.revision, action = EXCLUDED.action, kind = EXCLUDED.kind,
         theme = EXCLUDED.theme, people_expected = EXCLUDED.people_expected,
         people_declared = EXCLUDED.people_declared, cars_expected = EXCLUDED.cars_expected,
         cars_declared = EXCLUDED.cars_declared`,
      [
        changes.map((c) => c.eventId),
        changes.map((c) => c.region),
        changes.map((c) => c.revision),
        changes.map((c) => c.action),
        changes.map((c) => c.kind),
        changes.map((c) => c.theme),
        changes.map((c) => c.peopleExpected),
        changes.map((c) => c.peopleDeclared),
        changes.map((c) => c.carsExpected),
        changes.map((c) => c.carsDeclared),
      ],
    );
  }

  /** Each event's attributes from its newest region record that has them (presence-rules). */
  async attributes(eventIds: readonly string[]): Promise<Map<string, EventAttributes>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.client.query<{
      event_id: string;
      kind: EventAttributes['kind'];
      theme: EventAttributes['theme'];
      people_expected: number | null;
      people_declared: number | null;
      cars_expected: number | null;
      cars_declared: number | null;
    }>(
      `SELECT DISTINCT ON (event_id) event_id, kind, theme, people_expected, people_declared,
              cars_expected, cars_declared
         FROM event_region
        WHERE event_id = ANY($1::uuid[]) AND action = 'UPSERT' AND kind IS NOT NULL
        ORDER BY event_id, revision DESC, region DESC`,
      [eventIds],
    );
    return new Map(
      rows.map((r) => [
        r.event_id,
        {
          kind: r.kind,
          theme: r.theme,
          peopleExpected: r.people_expected,
          peopleDeclared: r.people_declared,
          carsExpected: r.cars_expected,
          carsDeclared: r.cars_declared,
        },
      ]),
    );
  }

  /**
   * The presence rows in the cells of `reads` during their runs: what the stale rows read.
   * PostgreSQL reads each row once, through the `parents` index, for the cells and the hours
   * the runs cover (the runs of every cell, merged); the rows outside their own cell's runs
   * are then left out here, so the model rescores only what each stale row needs.
   */
  async presenceIn(reads: readonly CellRange[]): Promise<StoredPresence[]> {
    if (reads.length === 0) return [];
    const runs = new Map<string, CellRange[]>();
    for (const range of reads) {
      const known = runs.get(range.cell);
      if (known === undefined) runs.set(range.cell, [range]);
      else known.push(range);
    }
    const windows = unionOf(reads.map((r) => ({ startAt: r.from, endAt: r.to })));
    const { rows } = await this.client.query<PresenceRow>(
      `SELECT p.event_id, p.cell, p.start_at, p.end_at
         FROM event_presence p
        WHERE p.parents && $1::text[]
          AND tstzrange(p.start_at, p.end_at) &&
              (SELECT range_agg(tstzrange(w.from_at, w.to_at))
                 FROM unnest($2::timestamptz[], $3::timestamptz[]) AS w(from_at, to_at))`,
      [
        [...runs.keys()],
        windows.map((w) => new Date(w.startAt)),
        windows.map((w) => new Date(w.endAt)),
      ],
    );
    const resolutions = [...new Set(reads.map((r) => r.resolution))];
    const ancestors = new Map<string, string[]>();
    const read = (row: StoredPresence): boolean => {
      let mine = ancestors.get(row.cell);
      if (mine === undefined) {
        const own = getResolution(row.cell);
        mine = resolutions.filter((r) => r <= own).map((r) => cellToParent(row.cell, r));
        ancestors.set(row.cell, mine);
      }
      return mine.some((cell) =>
        (runs.get(cell) ?? []).some((run) => row.startAt < run.to && row.endAt > run.from),
      );
    };
    return rows.map(toPresence).filter(read);
  }

  /**
   * The `cell_tension` rows of the stale part of the map: per (resolution, cell), one range
   * scan of its key over the time its runs span; the rows outside the runs are left out here.
   */
  async cellsIn(rows: readonly CellRange[]): Promise<CellTension[]> {
    if (rows.length === 0) return [];
    const spans = new Map<string, CellRange>();
    const runs = new Map<string, CellRange[]>();
    for (const range of rows) {
      const key = `${range.resolution}|${range.cell}`;
      const span = spans.get(key);
      spans.set(
        key,
        span === undefined
          ? range
          : { ...span, from: Math.min(span.from, range.from), to: Math.max(span.to, range.to) },
      );
      const known = runs.get(key);
      if (known === undefined) runs.set(key, [range]);
      else known.push(range);
    }
    const { rows: stored } = await this.client.query<CellRow>(
      // LATERAL: one scan of the primary key per cell, whatever the planner guesses of unnest.
      `SELECT ${CELL_READ} FROM unnest($1::smallint[], $2::text[], $3::timestamptz[], $4::timestamptz[])
           AS k(resolution, cell, from_at, to_at)
        CROSS JOIN LATERAL (
              SELECT * FROM cell_tension t
               WHERE t.cell = k.cell AND t.resolution = k.resolution
                 AND t.bucket_start >= k.from_at AND t.bucket_start < k.to_at
             ) t`,
      ranges([...spans.values()]),
    );
    return stored
      .map(toCellTension)
      .filter((row) =>
        (runs.get(`${row.resolution}|${row.cell}`) ?? []).some(
          (run) => row.bucketStart >= run.from && row.bucketStart < run.to,
        ),
      );
  }

  /**
   * Writes `diff`: deletes, then the new rows copied straight in (with their outlines), then
   * the changed values of the others (their outline stays). Returns the rows written.
   */
  async writeCells(diff: CellDiff): Promise<number> {
    if (diff.deletes.length > 0)
      await this.client.query(
        `DELETE FROM cell_tension t
          USING unnest($1::smallint[], $2::text[], $3::timestamptz[])
             AS k(resolution, cell, bucket_start)
          WHERE t.cell = k.cell AND t.resolution = k.resolution
            AND t.bucket_start = k.bucket_start`,
        [
          diff.deletes.map((r) => r.resolution),
          diff.deletes.map((r) => r.cell),
          diff.deletes.map((r: CellKey) => new Date(r.bucketStart)),
        ],
      );
    if (diff.inserts.length > 0) await this.copyCells('cell_tension', diff.inserts);
    if (diff.updates.length > 0) {
      await this.client.query(
        `CREATE TEMP TABLE IF NOT EXISTS stage_cell_values ON COMMIT DELETE ROWS AS
           SELECT ${CELL_COLUMNS.join(', ')} FROM cell_tension WITH NO DATA`,
      );
      await copyRows(this.client, 'stage_cell_values', CELL_COLUMNS, diff.updates.map(cellValues));
      await this.client.query(
        `UPDATE cell_tension t
            SET load = s.load, conflict = s.conflict, score = s.score,
                event_count = s.event_count, event_ids = s.event_ids
           FROM stage_cell_values s
          WHERE t.cell = s.cell AND t.resolution = s.resolution
            AND t.bucket_start = s.bucket_start`,
      );
    }
    return diff.deletes.length + diff.inserts.length + diff.updates.length;
  }

  /** Copies scored rows, each with its cell's outline, into `table`. */
  async copyCells(table: string, rows: readonly CellTension[]): Promise<number> {
    return copyRows(this.client, table, [...CELL_COLUMNS, 'geom'], this.withOutlines(rows));
  }

  private *withOutlines(rows: readonly CellTension[]) {
    for (const row of rows) {
      let outline = this.outlines.get(row.cell);
      if (outline === undefined) this.outlines.set(row.cell, (outline = cellPolygonEwkb(row.cell)));
      yield [...cellValues(row), outline];
    }
  }

  /** The rows at or above the zone threshold in `slices`. */
  async hotCells(slices: readonly Slice[]): Promise<CellTension[]> {
    const { rows } = await this.client.query<CellRow>(
      `SELECT ${CELL_READ} FROM cell_tension t
         JOIN unnest($1::smallint[], $2::timestamptz[]) AS k(resolution, bucket_start)
           USING (resolution, bucket_start)
        WHERE t.score >= $3`,
      [
        slices.map((s) => s.resolution),
        slices.map((s) => new Date(s.bucketStart)),
        this.model.zoneThreshold,
      ],
    );
    return rows.map(toCellTension);
  }

  /** Replaces the zones of `slices` by `zones`. */
  async replaceZones(slices: readonly Slice[], zones: readonly TensionZone[]): Promise<void> {
    await this.client.query(
      `DELETE FROM tension_zone z
        USING unnest($1::smallint[], $2::timestamptz[]) AS k(resolution, bucket_start)
        WHERE z.resolution = k.resolution AND z.bucket_start = k.bucket_start`,
      [slices.map((s) => s.resolution), slices.map((s) => new Date(s.bucketStart))],
    );
    await this.copyZones(zones);
  }

  /** Copies `zones` into `tension_zone`. */
  async copyZones(zones: readonly TensionZone[]): Promise<void> {
    if (zones.length === 0) return;
    const bucketMs = bucketMsOf(this.model);
    await copyRows(
      this.client,
      'tension_zone',
      [
        'zone_id',
        'resolution',
        'bucket_start',
        'bucket_end',
        'peak_score',
        'peak_cell',
        'cell_count',
        'event_ids',
        'kinds',
        'geom',
        'cells',
      ],
      zones.map((zone) => [
        `${zone.resolution}:${new Date(zone.bucketStart).toISOString()}:${zone.cells[0] ?? ''}`,
        zone.resolution,
        new Date(zone.bucketStart).toISOString(),
        new Date(zone.bucketStart + bucketMs).toISOString(),
        zone.peakScore,
        zone.peakCell,
        zone.cells.length,
        zone.eventIds,
        zone.kinds,
        multiPolygonEwkt(zone.cells),
        zone.cells,
      ]),
    );
  }

  /** Stores, per partition, the offset after the last record of `inputs` (never backwards). */
  async storePositions(group: string, inputs: readonly ConsumedPosition[]): Promise<void> {
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const input of inputs) {
      const key = `${input.topic}|${input.partition}`;
      const offset = BigInt(input.offset) + 1n;
      const known = next.get(key);
      if (known === undefined || offset > known.offset)
        next.set(key, { topic: input.topic, partition: input.partition, offset });
    }
    const positions = [...next.values()];
    await this.client.query(
      `INSERT INTO consumer_offset (consumer_group, topic, partition, next_offset)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
       ON CONFLICT (consumer_group, topic, partition) DO UPDATE
         SET next_offset = greatest(consumer_offset.next_offset, EXCLUDED.next_offset)`,
      [
        group,
        positions.map((p) => p.topic),
        positions.map((p) => p.partition),
        positions.map((p) => p.offset.toString()),
      ],
    );
  }

  async notify(channel: string, payload: unknown): Promise<void> {
    await this.client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
  }
}

function toPresence(row: PresenceRow): StoredPresence {
  return {
    eventId: row.event_id,
    cell: row.cell,
    startAt: row.start_at.getTime(),
    endAt: row.end_at.getTime(),
  };
}

function toCellTension(row: CellRow): CellTension {
  return {
    resolution: row.resolution,
    cell: row.cell,
    bucketStart: row.bucket_start.getTime(),
    load: row.load,
    conflict: row.conflict,
    score: row.score,
    eventCount: row.event_count,
    eventIds: row.event_ids,
  };
}
