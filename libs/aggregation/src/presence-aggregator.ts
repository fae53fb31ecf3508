import { supersedes, type EventKind, type OperationTheme, type Presence } from '@app/contracts';
import {
  assertValidTensionModel,
  scoreCells,
  tensionZones,
  zonePolygon,
  bucketMsOf,
  type CellTension,
  type LocatedEvent,
  type TensionModel,
} from '@app/tension';
import { cellToBoundary } from 'h3-js';
import type { ConsumedPosition } from '@app/kafka';
import type { Pool, PoolClient } from 'pg';
import { copyRows } from './copy-rows';
import { RecomputePlan, scoredAncestors } from './recompute-plan';

/** One presence record and where it was read (the position is stored with its effects). */
export interface PresenceInput extends ConsumedPosition {
  readonly record: Presence;
}

/** What one batch did. */
export interface BatchOutcome {
  /** Records that replaced an event's presence in a region (or removed it). */
  readonly applied: number;
  /** Records not newer than what the region already holds: ignored. */
  readonly stale: number;
  /** Records below the stored position (already applied before a restart): ignored. */
  readonly replayed: number;
  /** Presence rows written. */
  readonly presenceRows: number;
  /** `cell_tension` rows that changed: inserted, updated or deleted. */
  readonly cellRows: number;
  /** Zones written. */
  readonly zones: number;
}

/** (resolution, bucket start) pairs as parallel arrays, for `unnest`. */
interface ZoneSlices {
  readonly resolutions: number[];
  readonly buckets: Date[];
}

/**
 * The PostgreSQL channel on which each batch that changed the aggregates is announced. The
 * notification is sent inside the batch's transaction, so PostgreSQL delivers it only if the
 * batch commits, and after it commits: a listener never hears of a change it cannot read yet.
 * Payload: {@link TensionChange} as JSON.
 */
export const TENSION_CHANNEL = 'cortege_tension';

/** What a notification on {@link TENSION_CHANNEL} says of the batch that committed. */
export interface TensionChange {
  /** Events whose presence changed. */
  readonly events: number;
  readonly cellRows: number;
  readonly zones: number;
}

/** Serialises aggregator instances: each batch reads the presence around the cells it changes. */
/** The advisory lock that serialises the live aggregator's batches (and a rebuild's swap). */
export const AGGREGATION_LOCK = 7_407_001;

const EMPTY: BatchOutcome = {
  applied: 0,
  stale: 0,
  replayed: 0,
  presenceRows: 0,
  cellRows: 0,
  zones: 0,
};

interface Attributes {
  readonly kind: EventKind;
  readonly theme: OperationTheme | null;
  readonly peopleExpected: number | null;
  readonly peopleDeclared: number | null;
  readonly carsExpected: number | null;
  readonly carsDeclared: number | null;
}

/**
 * The cell's outline, closed, as hex EWKB (a polygon with SRID 4326), for COPY into a geometry:
 * binary doubles, which PostgreSQL reads much faster than the text of WKT, and equal to it.
 */
const cellPolygonEwkb = (cell: string): string => {
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
};

/** Copies scored rows, with each cell's outline, into `table` (`cell_tension` or its staging). */
function copyCellRows(client: PoolClient, table: string, rows: readonly CellTension[]) {
  return copyRows(
    client,
    table,
    [
      'resolution',
      'cell',
      'bucket_start',
      'load',
      'conflict',
      'score',
      'event_count',
      'event_ids',
      'geom',
    ],
    rows.map((row) => [
      row.resolution,
      row.cell,
      new Date(row.bucketStart).toISOString(),
      row.load,
      row.conflict,
      row.score,
      row.eventCount,
      row.eventIds,
      cellPolygonEwkb(row.cell),
    ]),
  );
}

const multiPolygonEwkt = (cells: readonly string[]): string =>
  `SRID=4326;MULTIPOLYGON(${zonePolygon(cells)
    .coordinates.map(
      (polygon) =>
        `(${polygon.map((ring) => `(${ring.map(([lon, lat]) => `${lon} ${lat}`).join(',')})`).join(',')})`,
    )
    .join(',')})`;

/**
 * The aggregator's unit of work: one batch of presence records → one PostgreSQL transaction
 * that replaces each (event, region)'s presence when the record's revision is newer, removes it
 * on a cancel, recomputes every `cell_tension` row and every zone the old or new presence
 * touches with the model of libs/tension, and stores the consumed positions. Replaying records
 * already applied changes nothing, so any crash is recovered by reading again from the stored
 * positions. Instances are serialised by an advisory lock.
 */
export class PresenceAggregator {
  constructor(
    private readonly pool: Pool,
    private readonly model: TensionModel,
    /** Names the positions in `consumer_offset`. */
    private readonly consumerGroup: string,
    /**
     * `lock`: the advisory lock serialising batches (a rebuild's own, so that it does not hold
     * up the live aggregator); `notify`: announce each batch on {@link TENSION_CHANNEL}.
     */
    private readonly options: { readonly lock?: number; readonly notify?: boolean } = {},
  ) {
    assertValidTensionModel(model);
  }

  /** The next offset to read per partition of `topic`, as stored with the last batch applied. */
  async storedPositions(topic: string): Promise<Map<number, string>> {
    const { rows } = await this.pool.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset FROM consumer_offset WHERE consumer_group = $1 AND topic = $2`,
      [this.consumerGroup, topic],
    );
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }

  /**
   * Applies `inputs` and stores the positions after them and after `skipped` (records read but
   * dead-lettered), all in one transaction.
   */
  async applyBatch(
    inputs: readonly PresenceInput[],
    skipped: readonly ConsumedPosition[] = [],
    /**
     * The aggregate tables are empty and nothing else writes them (a rebuild's first load):
     * every row is built in memory and copied straight in, with the same results.
     */
    mode: { readonly bulk?: boolean } = {},
  ): Promise<BatchOutcome> {
    if (inputs.length === 0 && skipped.length === 0) return EMPTY;
    const client = await this.pool.connect();
    // A connection lost mid-transaction (PostgreSQL restarted) is also emitted as 'error' on
    // the client, which would end the process unheard; the query in flight rejects anyway.
    const lost = (): void => undefined;
    client.on('error', lost);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const outcome = mode.bulk
        ? await this.applyToEmpty(client, inputs, skipped)
        : await this.apply(client, inputs, skipped);
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.off('error', lost);
      // A client whose rollback failed is not given back to the pool: it is discarded.
      client.release(broken);
    }
  }

  private async apply(
    client: PoolClient,
    inputs: readonly PresenceInput[],
    skipped: readonly ConsumedPosition[],
  ): Promise<BatchOutcome> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [this.options.lock ?? AGGREGATION_LOCK]);
    const fresh = await this.notYetApplied(client, inputs);
    const winners = latestPerRegion(fresh);
    const changes = await this.newerThanStored(client, winners);
    const plan = new RecomputePlan(this.model);

    let presenceRows = 0;
    let cellRows = 0;
    let zones = 0;
    if (changes.length > 0) {
      await this.replaceEvents(client, changes);
      const moved = new Set<string>();
      presenceRows = await this.replacePresence(client, changes, plan, moved);
      await this.recordRegions(client, changes);
      if (!plan.isEmpty) {
        const changed = [...new Set(changes.map((c) => c.eventId))];
        const recomputed = await this.recomputeCells(client, plan, changed, [...moved]);
        cellRows = recomputed.written;
        zones = await this.recomputeZones(client, recomputed.slices, recomputed.attributes);
      }
    }
    await this.storePositions(client, [...inputs, ...skipped]);
    if (changes.length > 0 && this.options.notify !== false) {
      const change: TensionChange = { events: changes.length, cellRows, zones };
      await client.query('SELECT pg_notify($1, $2)', [TENSION_CHANNEL, JSON.stringify(change)]);
    }
    return {
      applied: changes.length,
      stale: fresh.length - changes.length,
      replayed: inputs.length - fresh.length,
      presenceRows,
      cellRows,
      zones,
    };
  }

  /** Drops the records below the stored position of their partition (locking those rows). */
  private async notYetApplied(
    client: PoolClient,
    inputs: readonly PresenceInput[],
  ): Promise<PresenceInput[]> {
    if (inputs.length === 0) return [];
    const topics = [...new Set(inputs.map((i) => i.topic))];
    const { rows } = await client.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset FROM consumer_offset
        WHERE consumer_group = $1 AND topic = ANY($2::text[]) FOR UPDATE`,
      [this.consumerGroup, topics],
    );
    const next = new Map(rows.map((r) => [`${r.topic}|${r.partition}`, BigInt(r.next_offset)]));
    return inputs.filter((i) => BigInt(i.offset) >= (next.get(`${i.topic}|${i.partition}`) ?? 0n));
  }

  /** The winners newer than what each (event, region) holds, locking their ledger rows. */
  private async newerThanStored(client: PoolClient, winners: PresenceInput[]): Promise<Presence[]> {
    const { rows } = await client.query<{ event_id: string; region: string; revision: number }>(
      `SELECT r.event_id, r.region, r.revision
         FROM event_region r
         JOIN unnest($1::uuid[], $2::text[]) AS k(event_id, region) USING (event_id, region)
          FOR UPDATE OF r`,
      [winners.map((w) => w.record.eventId), winners.map((w) => w.record.region)],
    );
    const held = new Map(rows.map((r) => [`${r.event_id}|${r.region}`, r.revision]));
    return winners
      .map((w) => w.record)
      .filter((r) => supersedes(r.revision, held.get(`${r.eventId}|${r.region}`)));
  }

  /**
   * The `event` row follows the newest revision seen across the event's regions: an UPSERT of
   * at least that revision writes it, a CANCEL of at least that revision deletes it.
   */
  private async replaceEvents(client: PoolClient, changes: readonly Presence[]): Promise<void> {
    const newest = new Map<string, Presence>();
    // An UPSERT without attributes (the event left a region) says nothing of the event itself.
    for (const change of changes.filter((c) => c.action === 'CANCEL' || c.kind !== null)) {
      const known = newest.get(change.eventId);
      if (
        known === undefined ||
        change.revision > known.revision ||
        (change.revision === known.revision && change.region > known.region)
      )
        newest.set(change.eventId, change);
    }
    const { rows } = await client.query<{ event_id: string; revision: number }>(
      `SELECT event_id, max(revision)::int AS revision FROM event_region
        WHERE event_id = ANY($1::uuid[]) GROUP BY event_id`,
      [[...newest.keys()]],
    );
    const held = new Map(rows.map((r) => [r.event_id, r.revision]));
    const current = [...newest.values()].filter((p) => p.revision >= (held.get(p.eventId) ?? 0));
    const cancelled = current.filter((p) => p.action === 'CANCEL').map((p) => p.eventId);
    if (cancelled.length > 0)
      await client.query(`DELETE FROM event WHERE event_id = ANY($1::uuid[])`, [cancelled]);
    const upserts = current.filter((p) => p.action === 'UPSERT');
    if (upserts.length === 0) return;
    // `people` and `cars` are the larger count known, `crowdOf`/`carsOf` (@app/contracts) in
    // SQL: greatest() skips nulls, and leaves null (unknown) where both are. The geometry goes to the typed column of its shape (`presenceProblem`
    // lets no other shape through; the table's check would refuse it).
    await client.query(
      `INSERT INTO event (event_id, revision, kind, subject, description, start_at, end_at,
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
         located_at = EXCLUDED.located_at`,
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

  /**
   * Deletes each changed region's presence and writes the new one (COPY via a staging table);
   * adds to `moved` the events that lost presence rows.
   */
  private async replacePresence(
    client: PoolClient,
    changes: readonly Presence[],
    plan: RecomputePlan,
    moved: Set<string>,
  ): Promise<number> {
    const { rows: old } = await client.query<{
      event_id: string;
      cell: string;
      start_at: Date;
      end_at: Date;
    }>(
      `DELETE FROM event_presence p
        USING unnest($1::uuid[], $2::text[]) AS k(event_id, region)
        WHERE p.event_id = k.event_id AND p.region = k.region
        RETURNING p.event_id, p.cell, p.start_at, p.end_at`,
      [changes.map((c) => c.eventId), changes.map((c) => c.region)],
    );
    for (const row of old) {
      plan.touch({ cell: row.cell, startAt: row.start_at.getTime(), endAt: row.end_at.getTime() });
      moved.add(row.event_id);
    }
    const fresh = changes.flatMap((c) => c.cells.map((cell) => ({ change: c, cell })));
    if (fresh.length === 0) return 0;
    for (const { cell } of fresh) plan.touch(cell);
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_presence
         (LIKE event_presence INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    );
    const count = await copyRows(
      client,
      'stage_presence',
      ['event_id', 'region', 'cell', 'parents', 'revision', 'start_at', 'end_at'],
      fresh.map(({ change, cell }) => [
        change.eventId,
        change.region,
        cell.cell,
        scoredAncestors(cell.cell, this.model),
        change.revision,
        new Date(cell.startAt).toISOString(),
        new Date(cell.endAt).toISOString(),
      ]),
    );
    // A route through a cell twice gives two intervals; the same one twice is one row.
    await client.query(
      `INSERT INTO event_presence (event_id, region, cell, parents, revision, start_at, end_at)
       SELECT DISTINCT ON (cell, event_id, start_at)
              event_id, region, cell, parents, revision, start_at, end_at
         FROM stage_presence ORDER BY cell, event_id, start_at, end_at DESC`,
    );
    return count;
  }

  /** Remembers, per (event, region), the revision applied and the event's scoring attributes. */
  private async recordRegions(client: PoolClient, changes: readonly Presence[]): Promise<void> {
    await client.query(
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

  /** Each event's attributes from its newest UPSERT region record. */
  private async attributes(
    client: PoolClient,
    eventIds: readonly string[],
  ): Promise<Map<string, Attributes>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await client.query<{
      event_id: string;
      kind: EventKind;
      theme: OperationTheme | null;
      people_expected: number | null;
      people_declared: number | null;
      cars_expected: number | null;
      cars_declared: number | null;
    }>(
      `SELECT DISTINCT ON (event_id) event_id, kind, theme, people_expected, people_declared,
              cars_expected, cars_declared
         FROM event_region
        WHERE event_id = ANY($1::uuid[]) AND kind IS NOT NULL
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
   * Rescores the stale rows from the presence they read (loaded whole from `event_presence`,
   * every resolution from the fine cells, never from children's scores) and writes the
   * difference. Only rows a changed event contributes to, before or after, can differ: a row
   * without it either way keeps its load (its own events) and its conflict (pairs of unchanged
   * events). So those rows are upserted (skipping equal values) and the stale rows that held
   * an event that lost presence (`moved`) and no longer exist are deleted; an event that only
   * gained presence is in every row it was in before. Returns the rows written and the
   * (resolution, bucket) slices whose zones may differ.
   */
  private async recomputeCells(
    client: PoolClient,
    plan: RecomputePlan,
    changed: readonly string[],
    moved: readonly string[],
  ): Promise<{ written: number; slices: ZoneSlices; attributes: Map<string, Attributes> }> {
    const inputs = plan.inputs();
    const { rows: presence } = await client.query<{
      event_id: string;
      cell: string;
      start_at: Date;
      end_at: Date;
    }>(
      `SELECT event_id, cell, start_at, end_at FROM event_presence
        WHERE parents && $1::text[] AND start_at < $3 AND end_at > $2`,
      [inputs.cells, new Date(inputs.from), new Date(inputs.to)],
    );
    const cellsOf = new Map<string, { cell: string; startAt: number; endAt: number }[]>();
    for (const row of presence) {
      let cells = cellsOf.get(row.event_id);
      if (cells === undefined) cellsOf.set(row.event_id, (cells = []));
      cells.push({ cell: row.cell, startAt: row.start_at.getTime(), endAt: row.end_at.getTime() });
    }
    const attributes = await this.attributes(client, [...cellsOf.keys()]);
    const events: LocatedEvent[] = [];
    for (const [eventId, cells] of cellsOf) {
      const a = attributes.get(eventId);
      if (a !== undefined) events.push({ eventId, ...a, cells });
    }
    const isChanged = new Set(changed);
    const { rows: before } = await client.query<{
      resolution: number;
      cell: string;
      bucket_start: Date;
    }>(`SELECT resolution, cell, bucket_start FROM cell_tension WHERE event_ids && $1::uuid[]`, [
      moved,
    ]);
    const held = new Set(
      before.map((r) => `${r.resolution}|${r.cell}|${r.bucket_start.getTime()}`),
    );
    const scored = scoreCells(events, this.model, (resolution, cell) =>
      plan.bucketsOf(resolution, cell),
    ).filter(
      (row) =>
        row.eventIds.some((eventId) => isChanged.has(eventId)) ||
        held.has(`${row.resolution}|${row.cell}|${row.bucketStart}`),
    );

    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_cell_tension
         (LIKE cell_tension INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    );
    await copyCellRows(client, 'stage_cell_tension', scored);
    // Rows that held a changed event, inside the stale part of the map, and exist no more.
    // (Outside it, e.g. in a region of the event that did not change, they stay as they are.)
    const staged = new Set(scored.map((r) => `${r.resolution}|${r.cell}|${r.bucketStart}`));
    const vanished = before.filter(
      (r) =>
        plan.bucketsOf(r.resolution, r.cell)?.has(r.bucket_start.getTime()) === true &&
        !staged.has(`${r.resolution}|${r.cell}|${r.bucket_start.getTime()}`),
    );
    const { rows: gone } = await client.query<{ resolution: number; bucket_start: Date }>(
      `DELETE FROM cell_tension t
        USING unnest($1::smallint[], $2::text[], $3::timestamptz[])
           AS k(resolution, cell, bucket_start)
        WHERE t.resolution = k.resolution AND t.cell = k.cell AND t.bucket_start = k.bucket_start
        RETURNING t.resolution, t.bucket_start`,
      [
        vanished.map((r) => r.resolution),
        vanished.map((r) => r.cell),
        vanished.map((r) => r.bucket_start),
      ],
    );
    const { rows: written } = await client.query<{ resolution: number; bucket_start: Date }>(
      `INSERT INTO cell_tension AS t SELECT * FROM stage_cell_tension
       ON CONFLICT (cell, resolution, bucket_start) DO UPDATE SET
         load = EXCLUDED.load, conflict = EXCLUDED.conflict, score = EXCLUDED.score,
         event_count = EXCLUDED.event_count, event_ids = EXCLUDED.event_ids
       WHERE (t.load, t.conflict, t.score, t.event_count, t.event_ids)
             IS DISTINCT FROM (EXCLUDED.load, EXCLUDED.conflict, EXCLUDED.score,
                               EXCLUDED.event_count, EXCLUDED.event_ids)
       RETURNING t.resolution, t.bucket_start`,
    );
    // Zones of every slice a changed event is in (its kind may change with equal scores).
    const slices = new Map<string, { resolution: number; bucketStart: number }>();
    const add = (resolution: number, bucketStart: number) =>
      slices.set(`${resolution}|${bucketStart}`, { resolution, bucketStart });
    for (const row of scored) add(row.resolution, row.bucketStart);
    for (const row of [...gone, ...written]) add(row.resolution, row.bucket_start.getTime());
    return {
      written: gone.length + written.length,
      attributes,
      slices: {
        resolutions: [...slices.values()].map((s) => s.resolution),
        buckets: [...slices.values()].map((s) => new Date(s.bucketStart)),
      },
    };
  }

  /**
   * Redraws the zones of every (resolution, bucket) slice given; `known` holds the attributes
   * already read for this batch, so only the other hot events' are queried.
   */
  private async recomputeZones(
    client: PoolClient,
    slices: ZoneSlices,
    known: ReadonlyMap<string, Attributes>,
  ): Promise<number> {
    if (slices.resolutions.length === 0) return 0;
    await client.query(
      `DELETE FROM tension_zone z
        USING unnest($1::smallint[], $2::timestamptz[]) AS k(resolution, bucket_start)
        WHERE z.resolution = k.resolution AND z.bucket_start = k.bucket_start`,
      [slices.resolutions, slices.buckets],
    );
    const { rows } = await client.query<{
      resolution: number;
      cell: string;
      bucket_start: Date;
      load: number;
      conflict: number;
      score: number;
      event_ids: string[];
    }>(
      `SELECT t.resolution, t.cell, t.bucket_start, t.load, t.conflict, t.score, t.event_ids
         FROM cell_tension t
         JOIN unnest($1::smallint[], $2::timestamptz[]) AS k(resolution, bucket_start)
           USING (resolution, bucket_start)
        WHERE t.score >= $3`,
      [slices.resolutions, slices.buckets, this.model.zoneThreshold],
    );
    if (rows.length === 0) return 0;
    const hot: CellTension[] = rows.map((r) => ({
      resolution: r.resolution,
      cell: r.cell,
      bucketStart: r.bucket_start.getTime(),
      load: r.load,
      conflict: r.conflict,
      score: r.score,
      eventCount: r.event_ids.length,
      eventIds: r.event_ids,
    }));
    const unknown = [...new Set(hot.flatMap((r) => r.eventIds))].filter((id) => !known.has(id));
    const kindOf = new Map(
      [...known, ...(await this.attributes(client, unknown))].map(([eventId, a]) => [
        eventId,
        a.kind,
      ]),
    );
    return this.writeZones(client, hot, kindOf);
  }

  /** Draws the zones of `hot` (cells at or above the threshold) and copies them in. */
  private async writeZones(
    client: PoolClient,
    hot: readonly CellTension[],
    kindOf: ReadonlyMap<string, EventKind>,
  ): Promise<number> {
    const zones = tensionZones(hot, this.model, kindOf);
    const bucketMs = bucketMsOf(this.model);
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_tension_zone
         (LIKE tension_zone INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    );
    await copyRows(
      client,
      'stage_tension_zone',
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
    await client.query(`INSERT INTO tension_zone SELECT * FROM stage_tension_zone`);
    return zones.length;
  }

  /**
   * `apply` on empty tables (see `applyBatch`'s `bulk`): every winner is a change; the presence,
   * the scores of every cell and bucket and the zones are computed from the winners in memory,
   * as `apply` would compute them from the tables, and copied straight in.
   */
  private async applyToEmpty(
    client: PoolClient,
    inputs: readonly PresenceInput[],
    skipped: readonly ConsumedPosition[],
  ): Promise<BatchOutcome> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [this.options.lock ?? AGGREGATION_LOCK]);
    const changes = latestPerRegion(inputs).map((w) => w.record);
    await this.replaceEvents(client, changes);
    await this.recordRegions(client, changes);
    // One row per (cell, event, start), the longest: what `replacePresence`'s DISTINCT ON keeps.
    const presence = new Map<string, { change: Presence; cell: Presence['cells'][number] }>();
    for (const change of changes)
      for (const cell of change.cells) {
        const key = `${cell.cell}|${change.eventId}|${cell.startAt}`;
        const known = presence.get(key);
        if (known === undefined || cell.endAt > known.cell.endAt)
          presence.set(key, { change, cell });
      }
    const rows = [...presence.values()];
    await copyRows(
      client,
      'event_presence',
      ['event_id', 'region', 'cell', 'parents', 'revision', 'start_at', 'end_at'],
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
    // Each event's attributes from its newest region record that has them, as `attributes`.
    const attributes = new Map<string, { revision: number; region: string; a: Attributes }>();
    for (const c of changes) {
      if (c.kind === null) continue;
      const known = attributes.get(c.eventId);
      if (
        known &&
        (known.revision > c.revision || (known.revision === c.revision && known.region > c.region))
      )
        continue;
      attributes.set(c.eventId, {
        revision: c.revision,
        region: c.region,
        a: {
          kind: c.kind,
          theme: c.theme,
          peopleExpected: c.peopleExpected,
          peopleDeclared: c.peopleDeclared,
          carsExpected: c.carsExpected,
          carsDeclared: c.carsDeclared,
        },
      });
    }
    const cellsOf = new Map<string, { cell: string; startAt: number; endAt: number }[]>();
    for (const { change, cell } of rows) {
      let cells = cellsOf.get(change.eventId);
      if (cells === undefined) cellsOf.set(change.eventId, (cells = []));
      cells.push({ cell: cell.cell, startAt: cell.startAt, endAt: cell.endAt });
    }
    const events: LocatedEvent[] = [];
    for (const [eventId, cells] of cellsOf) {
      const known = attributes.get(eventId);
      if (known !== undefined) events.push({ eventId, ...known.a, cells });
    }
    const scored = scoreCells(events, this.model);
    await copyCellRows(client, 'cell_tension', scored);
    const kindOf = new Map([...attributes].map(([eventId, { a }]) => [eventId, a.kind]));
    const zones = await this.writeZones(
      client,
      scored.filter((row) => row.score >= this.model.zoneThreshold),
      kindOf,
    );
    await this.storePositions(client, [...inputs, ...skipped]);
    return {
      applied: changes.length,
      stale: inputs.length - changes.length,
      replayed: 0,
      presenceRows: rows.length,
      cellRows: scored.length,
      zones,
    };
  }

  /** Stores, per partition, the offset after the last record of the batch (never backwards). */
  private async storePositions(
    client: PoolClient,
    inputs: readonly ConsumedPosition[],
  ): Promise<void> {
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const input of inputs) {
      const key = `${input.topic}|${input.partition}`;
      const offset = BigInt(input.offset) + 1n;
      const known = next.get(key);
      if (known === undefined || offset > known.offset)
        next.set(key, { topic: input.topic, partition: input.partition, offset });
    }
    const positions = [...next.values()];
    await client.query(
      `INSERT INTO consumer_offset (consumer_group, topic, partition, next_offset)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
       ON CONFLICT (consumer_group, topic, partition) DO UPDATE
         SET next_offset = greatest(consumer_offset.next_offset, EXCLUDED.next_offset)`,
      [
        this.consumerGroup,
        positions.map((p) => p.topic),
        positions.map((p) => p.partition),
        positions.map((p) => p.offset.toString()),
      ],
    );
  }
}

/** Per (event, region), the record of the highest revision (the later one on a tie). */
function latestPerRegion(inputs: readonly PresenceInput[]): PresenceInput[] {
  const latest = new Map<string, PresenceInput>();
  for (const input of inputs) {
    const key = `${input.record.eventId}|${input.record.region}`;
    const known = latest.get(key);
    if (known === undefined || input.record.revision >= known.record.revision)
      latest.set(key, input);
  }
  return [...latest.values()];
}
