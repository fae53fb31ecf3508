import { supersedes, type EventKind, type Presence } from '@app/contracts';
import {
  assertValidTensionModel,
  scoreCells,
  tensionZones,
  type CellTension,
  type LocatedEvent,
  type TensionModel,
} from '@app/tension';
import type { ConsumedPosition } from '@app/kafka';
import type { AlertRule } from '@app/tension';
import { recordAggregated } from '@app/submission-status';
import type { Pool, PoolClient } from 'pg';
import { AlertStore, NO_ALERTS } from './alert-store';
import { diffCells, type Slice } from './cell-diff';
import { hotspotDaysOf } from './hotspot-store';
import { PresenceRepository, type StoredPresence } from './presence-repository';
import {
  attributesOf,
  eventWrites,
  hasAttributes,
  latestPerRegion,
  newestPerEvent,
  type EventAttributes,
  type PresenceInput,
} from './presence-rules';
import { RecomputePlan } from './recompute-plan';

export type { PresenceInput } from './presence-rules';

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
  /**
   * The local days (`YYYY-MM-DD`, Europe/Paris) whose resolution-9 tension the batch may have
   * changed, in order: the hotspot windows to recompute once it has committed.
   */
  readonly hotspotDays: readonly string[];
  /** Events marked for their alerts to be recomputed once they settle (`AlertStore.touch`). */
  readonly alerts: number;
}

/** What `forget` removed. */
export interface ForgetOutcome {
  /** Events that had rows (in `event` or its ledger). */
  readonly events: number;
  readonly presenceRows: number;
  /** `cell_tension` rows that changed: updated or deleted. */
  readonly cellRows: number;
  /** Zones written in the slices redrawn. */
  readonly zones: number;
  /** As {@link BatchOutcome.hotspotDays}. */
  readonly hotspotDays: readonly string[];
  /** Alerts retracted because an event went. */
  readonly alerts: number;
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

/**
 * The aggregator's advisory lock. Each live batch holds it shared, so that batches run side by
 * side and a rebuild's swap, which takes it alone, waits for them and holds them off. Under it,
 * a batch locks what it touches (see `PresenceAggregator`), in the lock space (this, key).
 */
export const AGGREGATION_LOCK = 7_407_001;

/** Keys of the lock space, in the order a batch takes them: areas, then events, then slices. */
const AREA_KEYS = 2 ** 29;
const EVENT_KEY_BASE = 2 ** 29;
const EVENT_KEYS = 256;
const SLICE_KEY_BASE = 2 ** 30;
const SLICE_KEYS = 64;

/** FNV-1a: a stable 32-bit hash of a key, for the lock space. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const EMPTY: BatchOutcome = {
  applied: 0,
  stale: 0,
  replayed: 0,
  presenceRows: 0,
  cellRows: 0,
  zones: 0,
  hotspotDays: [],
  alerts: 0,
};

/**
 * The aggregator's unit of work: one batch of presence records → one PostgreSQL transaction
 * that replaces each (event, region)'s presence when the record's revision is newer, removes it
 * on a cancel, rescores every `cell_tension` row and every zone the old or new presence
 * touches with the model of libs/tension, and stores the consumed positions. Replaying records
 * already applied changes nothing, so any crash is recovered by reading again from the stored
 * positions.
 *
 * What changes is decided by the planner (presence-rules, `RecomputePlan`, `diffCells`), pure
 * code; `PresenceRepository` reads and writes. A batch reads only what its stale rows need,
 * bucket by bucket, rescores them in memory and writes the differences.
 *
 * Instances run side by side: a batch locks the areas (cells at `lockResolution`) that hold its
 * stale rows, its events and, before redrawing them, the zones' slices; a batch elsewhere in
 * the city goes on, one that shares an area waits. Locks are taken in one global order, so two
 * batches never wait for each other.
 */
export class PresenceAggregator {
  /** The resolution of the areas a batch locks: one coarser than the coarsest scored. */
  private readonly lockResolution: number;

  constructor(
    private readonly pool: Pool,
    private readonly model: TensionModel,
    /** Names the positions in `consumer_offset`. */
    private readonly consumerGroup: string,
    /**
     * `lock`: the advisory lock and lock space of the batches (a rebuild's own, so that it
     * does not hold up the live aggregator); `notify`: announce each batch on
     * {@link TENSION_CHANNEL}; `whileLocked`: called when a batch holds its locks, before it
     * writes (a test holds a batch open there); `alertRules`: keep the conflict alerts of the
     * events each batch changes (`AlertStore`), under these pair rules (none: no alerts),
     * delivered to `alertWebhooks`.
     */
    private readonly options: {
      readonly lock?: number;
      readonly notify?: boolean;
      readonly whileLocked?: () => Promise<void>;
      readonly alertRules?: readonly AlertRule[];
      /** The webhook targets every alert version is delivered to. */
      readonly alertWebhooks?: readonly string[];
      /** Record the revisions each batch applies as `aggregated` in `submission_status`. */
      readonly submissionStatus?: boolean;
    } = {},
  ) {
    assertValidTensionModel(model);
    this.lockResolution = Math.max(0, Math.min(...model.resolutions) - 1);
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
      const repository = new PresenceRepository(client, this.model);
      const outcome = mode.bulk
        ? await this.applyToEmpty(repository, inputs, skipped)
        : await this.apply(repository, this.alertsOf(client), inputs, skipped, (applied) =>
            this.options.submissionStatus === true
              ? recordAggregated(client, applied, new Date())
              : Promise.resolve(),
          );
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

  private get lock(): number {
    return this.options.lock ?? AGGREGATION_LOCK;
  }

  private alertsOf(client: PoolClient): AlertStore | undefined {
    const rules = this.options.alertRules;
    return rules === undefined
      ? undefined
      : new AlertStore(client, rules, this.options.alertWebhooks);
  }

  private async apply(
    repository: PresenceRepository,
    alertStore: AlertStore | undefined,
    inputs: readonly PresenceInput[],
    skipped: readonly ConsumedPosition[],
    /** The revisions the batch applied, in its transaction (their submission status). */
    applied: (revisions: readonly Presence[]) => Promise<void>,
  ): Promise<BatchOutcome> {
    await repository.lock(this.lock, 'shared');
    const next = await repository.positionsForUpdate(this.consumerGroup, [
      ...new Set(inputs.map((i) => i.topic)),
    ]);
    const fresh = inputs.filter(
      (i) => BigInt(i.offset) >= (next.get(`${i.topic}|${i.partition}`) ?? 0n),
    );
    const winners = latestPerRegion(fresh).map((w) => w.record);
    const held = await repository.heldRevisions(winners);
    const changes = winners.filter((r) =>
      supersedes(r.revision, held.get(`${r.eventId}|${r.region}`)),
    );

    let presenceRows = 0;
    let cellRows = 0;
    let zones = 0;
    let hotspotDays: readonly string[] = [];
    let alertsMarked = 0;
    if (changes.length > 0) {
      // A region's records come from one partition, read by one instance: its presence can be
      // read before the locks, and tells which part of the map the batch makes stale.
      const plan = new RecomputePlan(this.model);
      for (const span of await repository.presenceOf(changes)) plan.touch(span);
      for (const change of changes) for (const cell of change.cells) plan.touch(cell);
      const eventIds = [...new Set(changes.map((c) => c.eventId))];
      await repository.lockAll(this.lock, [
        ...[...plan.areas(this.lockResolution)].map((area) => hash32(area) % AREA_KEYS),
        ...eventIds.map((id) => EVENT_KEY_BASE + (hash32(id) % EVENT_KEYS)),
      ]);
      await this.options.whileLocked?.();

      const { cancelled, upserts } = eventWrites(
        changes,
        await repository.eventRevisions(eventIds),
      );
      await repository.writeEvents(cancelled, upserts);
      presenceRows = await repository.replacePresence(changes);
      await repository.recordRegions(changes);
      alertsMarked = (await alertStore?.touch(eventIds)) ?? 0;
      if (!plan.isEmpty) {
        const stored = await repository.cellsIn(plan.rows());
        const presence = await repository.presenceIn(plan.reads());
        const attributes = await repository.attributes([
          ...new Set(presence.map((p) => p.eventId)),
        ]);
        const scored = scoreCells(locatedEvents(presence, attributes), this.model, (r, cell) =>
          plan.bucketsOf(r, cell),
        );
        const diff = diffCells(stored, scored, new Set(eventIds));
        cellRows = await repository.writeCells(diff);
        zones = await this.redrawZones(repository, diff.slices, attributes);
        hotspotDays = hotspotDaysOf(diff.slices);
      }
    }
    await applied(changes);
    await repository.storePositions(this.consumerGroup, [...inputs, ...skipped]);
    if (changes.length > 0 && this.options.notify !== false) {
      const change: TensionChange = { events: changes.length, cellRows, zones };
      await repository.notify(TENSION_CHANNEL, change);
    }
    return {
      applied: changes.length,
      stale: fresh.length - changes.length,
      replayed: inputs.length - fresh.length,
      presenceRows,
      cellRows,
      zones,
      hotspotDays,
      alerts: alertsMarked,
    };
  }

  /**
   * Removes `eventIds` from the tables, as if they had never been aggregated: their `event`,
   * `event_region` and `event_presence` rows, and their part of every aggregate, recomputed as
   * a batch recomputes it (the same plan, model, cell diff and zones, from the presence that
   * stays). Takes the batches' locks (the aggregation lock shared, then the areas and events,
   * then the slices), so it runs beside the live aggregator. Events not in the tables are
   * skipped; run again, it changes nothing. One transaction; positions are not touched.
   */
  async forget(eventIds: readonly string[]): Promise<ForgetOutcome> {
    const ids = [...new Set(eventIds)].sort();
    if (ids.length === 0)
      return { events: 0, presenceRows: 0, cellRows: 0, zones: 0, hotspotDays: [], alerts: 0 };
    const client = await this.pool.connect();
    const lost = (): void => undefined;
    client.on('error', lost);
    let broken: Error | undefined;
    try {
      for (let attempt = 1; ; attempt += 1) {
        await client.query('BEGIN');
        const repository = new PresenceRepository(client, this.model);
        const outcome = await this.forgetLocked(repository, this.alertsOf(client), ids);
        if (outcome !== undefined) {
          await client.query('COMMIT');
          return outcome;
        }
        // A batch moved one of the events elsewhere between the read and the locks: again.
        await client.query('ROLLBACK');
        if (attempt >= 5)
          throw new Error('the events kept moving while being removed; try again later');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** `forget` in an open transaction; undefined when the presence moved under it. */
  private async forgetLocked(
    repository: PresenceRepository,
    alertStore: AlertStore | undefined,
    ids: readonly string[],
  ): Promise<ForgetOutcome | undefined> {
    await repository.lock(this.lock, 'shared');
    const plan = new RecomputePlan(this.model);
    for (const span of await repository.presenceOfEvents(ids)) plan.touch(span);
    const areas = new Set(
      [...plan.areas(this.lockResolution)].map((area) => hash32(area) % AREA_KEYS),
    );
    await repository.lockAll(this.lock, [
      ...areas,
      ...ids.map((id) => EVENT_KEY_BASE + (hash32(id) % EVENT_KEYS)),
    ]);
    // Read again under the locks: a batch of these events that committed in between may have
    // moved them to areas not locked.
    const held = new RecomputePlan(this.model);
    for (const span of await repository.presenceOfEvents(ids)) held.touch(span);
    if ([...held.areas(this.lockResolution)].some((area) => !areas.has(hash32(area) % AREA_KEYS)))
      return undefined;
    await this.options.whileLocked?.();
    const removed = await repository.removeEvents(ids);
    const alerts = (await alertStore?.sync(ids)) ?? NO_ALERTS;
    let cellRows = 0;
    let zones = 0;
    let hotspotDays: readonly string[] = [];
    if (!held.isEmpty) {
      const stored = await repository.cellsIn(held.rows());
      const presence = await repository.presenceIn(held.reads());
      const attributes = await repository.attributes([...new Set(presence.map((p) => p.eventId))]);
      const scored = scoreCells(locatedEvents(presence, attributes), this.model, (r, cell) =>
        held.bucketsOf(r, cell),
      );
      const diff = diffCells(stored, scored, new Set(ids));
      cellRows = await repository.writeCells(diff);
      zones = await this.redrawZones(repository, diff.slices, attributes);
      hotspotDays = hotspotDaysOf(diff.slices);
    }
    if (removed.events > 0 && this.options.notify !== false) {
      const change: TensionChange = { events: removed.events, cellRows, zones };
      await repository.notify(TENSION_CHANNEL, change);
    }
    return {
      events: removed.events,
      presenceRows: removed.presenceRows,
      cellRows,
      zones,
      hotspotDays,
      alerts: alerts.records.length,
    };
  }

  /**
   * Redraws the zones of every slice given, from the slice's hot rows as committed and as this
   * batch wrote them; `known` holds the attributes already read, so only the other hot events'
   * are queried. A zone may span the city: the slices are locked first, so that two batches
   * redraw one slice one after the other, the second seeing the first's rows.
   */
  private async redrawZones(
    repository: PresenceRepository,
    slices: readonly Slice[],
    known: ReadonlyMap<string, EventAttributes>,
  ): Promise<number> {
    if (slices.length === 0) return 0;
    await repository.lockAll(
      this.lock,
      slices.map((s) => SLICE_KEY_BASE + (hash32(`${s.resolution}|${s.bucketStart}`) % SLICE_KEYS)),
    );
    const hot = await repository.hotCells(slices);
    const unknown = [...new Set(hot.flatMap((r) => r.eventIds))].filter((id) => !known.has(id));
    const kindOf = new Map<string, EventKind>();
    for (const [eventId, a] of [...known, ...(await repository.attributes(unknown))])
      kindOf.set(eventId, a.kind);
    const zones = tensionZones(hot, this.model, kindOf);
    await repository.replaceZones(slices, zones);
    return zones.length;
  }

  /**
   * `apply` on empty tables (see `applyBatch`'s `bulk`): every winner is a change; the presence,
   * the scores of every cell and bucket and the zones are computed from the winners in memory,
   * as `apply` would compute them from the tables, and copied straight in.
   */
  private async applyToEmpty(
    repository: PresenceRepository,
    inputs: readonly PresenceInput[],
    skipped: readonly ConsumedPosition[],
  ): Promise<BatchOutcome> {
    await repository.lock(this.lock, 'exclusive');
    const changes = latestPerRegion(inputs).map((w) => w.record);
    const { cancelled, upserts } = eventWrites(changes, new Map());
    await repository.writeEvents(cancelled, upserts);
    await repository.recordRegions(changes);
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
    await repository.copyPresence('event_presence', rows);
    const attributes = new Map<string, EventAttributes>();
    for (const [eventId, record] of newestPerEvent(changes, hasAttributes))
      attributes.set(eventId, attributesOf(record));
    const scored = scoreCells(
      locatedEvents(
        rows.map(({ change, cell }) => ({ eventId: change.eventId, ...cell })),
        attributes,
      ),
      this.model,
    );
    await repository.copyCells('cell_tension', scored);
    const kindOf = new Map([...attributes].map(([eventId, a]) => [eventId, a.kind]));
    const zones = tensionZones(
      scored.filter((row: CellTension) => row.score >= this.model.zoneThreshold),
      this.model,
      kindOf,
    );
    await repository.copyZones(zones);
    await repository.storePositions(this.consumerGroup, [...inputs, ...skipped]);
    return {
      applied: changes.length,
      stale: inputs.length - changes.length,
      replayed: 0,
      presenceRows: rows.length,
      cellRows: scored.length,
      zones: zones.length,
      hotspotDays: hotspotDaysOf(scored),
      alerts: 0,
    };
  }
}

/** The events as the model reads them: their presence rows and their attributes. */
function locatedEvents(
  presence: readonly StoredPresence[],
  attributes: ReadonlyMap<string, EventAttributes>,
): LocatedEvent[] {
  const cellsOf = new Map<string, { cell: string; startAt: number; endAt: number }[]>();
  for (const { eventId, cell, startAt, endAt } of presence) {
    let cells = cellsOf.get(eventId);
    if (cells === undefined) cellsOf.set(eventId, (cells = []));
    cells.push({ cell, startAt, endAt });
  }
  const events: LocatedEvent[] = [];
  for (const [eventId, cells] of cellsOf) {
    const a = attributes.get(eventId);
    if (a !== undefined) events.push({ eventId, ...a, cells });
  }
  return events;
}
