import type { RetentionConfig } from '@app/config';
import type { Pool } from 'pg';
import { windowEnd, windowsOfDays, type HotspotStore } from './hotspot-store';
import type { PresenceAggregator } from './presence-aggregator';

/** How long a table keeps its rows: a window applied by `cortege retention apply`, or kept. */
export type TableRetentionRule =
  | { readonly kind: 'window'; readonly ms: number; readonly by: string }
  | { readonly kind: 'kept'; readonly why: string };

/** A table, its retention, its oldest row and its row count, as `cortege retention status` lists them. */
export interface TableRetentionStatus {
  readonly table: string;
  readonly retention: TableRetentionRule;
  /** The oldest value of the column the retention goes by (null: no rows, or no such column). */
  readonly oldest: string | null;
  readonly rows: number;
  /** Rows the next `apply` at the same instant would remove (0 for kept tables). */
  readonly expired: number;
}

interface TableSpec {
  readonly table: string;
  readonly retention: (r: RetentionConfig) => TableRetentionRule;
  /** SQL of the instant each row's age is measured from (null: no time in the row). */
  readonly time: string | null;
  /** SQL: rows past `$1` (the cutoff), for the tables with a window. */
  readonly expired?: string;
}

const EVENT_WINDOW = (r: RetentionConfig): TableRetentionRule => ({
  kind: 'window',
  ms: r.aggregatesMs,
  by: 'event end',
});

/** Every table of the schema, with its retention. */
const TABLES: readonly TableSpec[] = [
  {
    table: 'event',
    retention: EVENT_WINDOW,
    time: 'end_at',
    expired: 'SELECT count(*)::int AS n FROM event WHERE end_at < $1',
  },
  {
    table: 'event_region',
    retention: EVENT_WINDOW,
    time: null,
    expired: `SELECT count(*)::int AS n FROM event_region r JOIN event e USING (event_id)
               WHERE e.end_at < $1`,
  },
  {
    table: 'event_presence',
    retention: EVENT_WINDOW,
    time: 'end_at',
    expired: `SELECT count(*)::int AS n FROM event_presence p JOIN event e USING (event_id)
               WHERE e.end_at < $1`,
  },
  {
    table: 'cell_tension',
    retention: (r) => ({ kind: 'window', ms: r.aggregatesMs, by: 'the events that fed it' }),
    time: 'bucket_start',
    expired: `SELECT count(*)::int AS n FROM cell_tension
               WHERE event_ids && ARRAY(SELECT event_id FROM event WHERE end_at < $1)`,
  },
  {
    table: 'tension_zone',
    retention: (r) => ({ kind: 'window', ms: r.aggregatesMs, by: 'the events that fed it' }),
    time: 'bucket_start',
    expired: `SELECT count(*)::int AS n FROM tension_zone
               WHERE event_ids && ARRAY(SELECT event_id FROM event WHERE end_at < $1)`,
  },
  {
    table: 'geocode_cache',
    retention: (r) => ({ kind: 'window', ms: r.geocodeCacheMs, by: 'creation' }),
    time: 'created_at',
    expired: 'SELECT count(*)::int AS n FROM geocode_cache WHERE created_at < $1',
  },
  {
    table: 'hotspot',
    retention: (r) => ({ kind: 'window', ms: r.aggregatesMs, by: 'window end' }),
    time: 'window_end',
    expired: 'SELECT count(*)::int AS n FROM hotspot WHERE window_end < $1::date',
  },
  {
    table: 'ingest_event_producer',
    retention: (r) => ({
      kind: 'window',
      ms: r.aggregatesMs,
      by: 'binding, once its event is gone',
    }),
    time: 'bound_at',
    expired: `SELECT count(*)::int AS n FROM ingest_event_producer b
               WHERE b.bound_at < $1 AND NOT EXISTS (SELECT 1 FROM event e WHERE e.event_id = b.event_id)`,
  },
  {
    table: 'submission_status',
    retention: (r) => ({ kind: 'window', ms: r.aggregatesMs, by: 'last change' }),
    time: 'updated_at',
    expired: 'SELECT count(*)::int AS n FROM submission_status WHERE updated_at < $1',
  },
  {
    table: 'webhook_delivery',
    retention: (r) => ({ kind: 'window', ms: r.submissionsMs, by: 'creation' }),
    time: 'created_at',
    expired: 'SELECT count(*)::int AS n FROM webhook_delivery WHERE created_at < $1',
  },
  {
    table: 'alert',
    retention: (r) => ({ kind: 'window', ms: r.aggregatesMs, by: 'alert end' }),
    time: 'end_at',
    expired: 'SELECT count(*)::int AS n FROM alert WHERE end_at < $1',
  },
  {
    table: 'alert_outbox',
    retention: (r) => ({ kind: 'window', ms: r.aggregatesMs, by: 'creation, once published' }),
    time: 'created_at',
    expired: `SELECT count(*)::int AS n FROM alert_outbox
               WHERE created_at < $1 AND published_at IS NOT NULL`,
  },
  {
    table: 'alert_pending',
    retention: () => ({ kind: 'kept', why: 'a work queue the aggregator empties, no data' }),
    time: 'touched_at',
  },
  {
    table: 'consumer_offset',
    retention: () => ({ kind: 'kept', why: 'Kafka positions, no data' }),
    time: null,
  },
  {
    table: 'habilitation',
    retention: () => ({ kind: 'kept', why: 'record of who was allowed, never deleted' }),
    time: 'granted_at',
  },
  {
    table: 'access_audit',
    retention: () => ({ kind: 'kept', why: 'append-only hash chain; manual' }),
    time: 'at',
  },
  {
    table: 'schema_proposal',
    retention: () => ({
      kind: 'kept',
      why: 'record of the contract versions proposed (article 3)',
    }),
    time: 'proposed_at',
  },
  {
    table: 'schema_approval',
    retention: () => ({ kind: 'kept', why: 'proof of the contract versions approved (article 3)' }),
    time: 'approved_at',
  },
  {
    table: 'gazetteer_address',
    retention: () => ({ kind: 'kept', why: 'reference data, replaced by an import' }),
    time: null,
  },
  {
    table: 'gazetteer_street',
    retention: () => ({ kind: 'kept', why: 'reference data, replaced by an import' }),
    time: null,
  },
  {
    table: 'gazetteer_place',
    retention: () => ({ kind: 'kept', why: 'reference data, replaced by an import' }),
    time: null,
  },
];

/** Every table of the schema with its retention, in the order `status` lists them. */
export function tableRetentionRules(
  retention: RetentionConfig,
): Array<{ readonly table: string; readonly retention: TableRetentionRule }> {
  return TABLES.map((spec) => ({ table: spec.table, retention: spec.retention(retention) }));
}

/** What `TableRetention.apply` removed. */
export interface TableRetentionOutcome {
  /** The instant rows are judged from, and the cutoffs derived from it. */
  readonly now: string;
  readonly eventsCutoff: string;
  readonly geocodeCacheCutoff: string;
  /** Events removed, with their presence rows and ledger rows. */
  readonly events: number;
  readonly presenceRows: number;
  /** `cell_tension` rows updated or deleted, zones written, by the recomputation. */
  readonly cellRows: number;
  readonly zones: number;
  readonly geocodeCacheRows: number;
  /** Hotspot rows of windows that ended before the events' cutoff. */
  readonly hotspotRows: number;
  /** Windows that outlive the cutoff recomputed without the events removed. */
  readonly hotspotWindows: number;
  /** Alerts whose interval ended before the events' cutoff (their published versions too). */
  readonly alertRows: number;
  /** Producer bindings older than the events' cutoff whose event is gone. */
  readonly producerBindings: number;
  /** Outgoing webhooks (sent, given up or pending) enqueued before the submissions' window. */
  readonly webhookDeliveries: number;
  /** Submission statuses last changed before the events' cutoff. */
  readonly submissionStatuses: number;
  readonly ms: number;
}

/**
 * The retention of the PostGIS tables: `status` lists each table with its retention, oldest
 * row and row count; `expiredEvents` names the events past the aggregate window; `apply`
 * removes them with the aggregator's own `forget` (their presence, ledger and their part of
 * every aggregate, recomputed as the aggregator would, under its locks), in chunks of
 * `chunkSize` events per transaction, and the geocode cache entries past their TTL.
 */
export class TableRetention {
  constructor(
    private readonly pool: Pool,
    private readonly retention: RetentionConfig,
    private readonly aggregator: PresenceAggregator,
    private readonly chunkSize = 200,
    /**
     * Recomputes, at `alpha`, the hotspot windows that outlive the cutoff but held tension of
     * an event removed (a week that straddles it); without it they are left as they were.
     */
    private readonly hotspots?: { readonly store: HotspotStore; readonly alpha: number },
  ) {}

  /** The event rows past the aggregate window at `now`. */
  eventsCutoff(now: Date): Date {
    return new Date(now.getTime() - this.retention.aggregatesMs);
  }

  async status(now: Date): Promise<TableRetentionStatus[]> {
    const present = new Set(
      (
        await this.pool.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      ).rows.map((r) => r.name),
    );
    const statuses: TableRetentionStatus[] = [];
    for (const spec of TABLES) {
      if (!present.has(spec.table)) continue;
      const retention = spec.retention(this.retention);
      const { rows } = await this.pool.query<{ rows: number; oldest: Date | null }>(
        `SELECT count(*)::int AS rows, ${spec.time === null ? 'NULL' : `min(${spec.time})`} AS oldest
           FROM ${spec.table}`,
      );
      let expired = 0;
      if (spec.expired !== undefined && retention.kind === 'window') {
        const cutoff = new Date(now.getTime() - retention.ms);
        expired = (await this.pool.query<{ n: number }>(spec.expired, [cutoff])).rows[0]?.n ?? 0;
      }
      const row = rows[0];
      statuses.push({
        table: spec.table,
        retention,
        oldest: row?.oldest ? row.oldest.toISOString() : null,
        rows: row?.rows ?? 0,
        expired,
      });
    }
    return statuses;
  }

  /** The events whose end is past the aggregate window at `now`, oldest first. */
  async expiredEvents(now: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ event_id: string }>(
      `SELECT event_id FROM event WHERE end_at < $1 ORDER BY end_at, event_id`,
      [this.eventsCutoff(now)],
    );
    return rows.map((r) => r.event_id);
  }

  /**
   * Removes what is past its window at `now`: `events` (default: `expiredEvents(now)`) from
   * the tables, chunk by chunk, then the old geocode cache entries, the hotspots of windows that
   * ended before the cutoff, the producer bindings of events gone and the outgoing webhooks
   * older than the submissions' window (they quote submissions), and the submission statuses
   * unchanged since the events' cutoff. Idempotent.
   */
  async apply(
    now: Date,
    events?: readonly string[],
    progress: (done: number, total: number) => void = () => undefined,
  ): Promise<TableRetentionOutcome> {
    const started = Date.now();
    const expired = events ?? (await this.expiredEvents(now));
    const totals = { events: 0, presenceRows: 0, cellRows: 0, zones: 0 };
    const hotspotDays = new Set<string>();
    for (let start = 0; start < expired.length; start += this.chunkSize) {
      const outcome = await this.aggregator.forget(expired.slice(start, start + this.chunkSize));
      for (const day of outcome.hotspotDays) hotspotDays.add(day);
      totals.events += outcome.events;
      totals.presenceRows += outcome.presenceRows;
      totals.cellRows += outcome.cellRows;
      totals.zones += outcome.zones;
      progress(Math.min(expired.length, start + this.chunkSize), expired.length);
    }
    const geocodeCacheCutoff = new Date(now.getTime() - this.retention.geocodeCacheMs);
    const cache = await this.pool.query(`DELETE FROM geocode_cache WHERE created_at < $1`, [
      geocodeCacheCutoff,
    ]);
    const cutoff = this.eventsCutoff(now);
    const hotspots = await this.pool.query(`DELETE FROM hotspot WHERE window_end < $1::date`, [
      cutoff,
    ]);
    const cutoffDay = cutoff.toISOString().slice(0, 10);
    let hotspotWindows = 0;
    if (this.hotspots !== undefined)
      for (const window of windowsOfDays(hotspotDays))
        // the windows the DELETE above keeps (window_end ≥ the cutoff's day)
        if (windowEnd(window) >= cutoffDay) {
          await this.hotspots.store.recompute(window, this.hotspots.alpha);
          hotspotWindows += 1;
        }
    const alerts = await this.pool.query(`DELETE FROM alert WHERE end_at < $1`, [cutoff]);
    await this.pool.query(
      `DELETE FROM alert_outbox WHERE created_at < $1 AND published_at IS NOT NULL`,
      [cutoff],
    );
    const bindings = await this.pool.query(
      `DELETE FROM ingest_event_producer b
        WHERE b.bound_at < $1 AND NOT EXISTS (SELECT 1 FROM event e WHERE e.event_id = b.event_id)`,
      [cutoff],
    );
    const webhooks = await this.pool.query(`DELETE FROM webhook_delivery WHERE created_at < $1`, [
      new Date(now.getTime() - this.retention.submissionsMs),
    ]);
    const statuses = await this.pool.query(`DELETE FROM submission_status WHERE updated_at < $1`, [
      cutoff,
    ]);
    return {
      now: now.toISOString(),
      eventsCutoff: cutoff.toISOString(),
      geocodeCacheCutoff: geocodeCacheCutoff.toISOString(),
      ...totals,
      geocodeCacheRows: cache.rowCount ?? 0,
      hotspotRows: hotspots.rowCount ?? 0,
      hotspotWindows,
      alertRows: alerts.rowCount ?? 0,
      producerBindings: bindings.rowCount ?? 0,
      webhookDeliveries: webhooks.rowCount ?? 0,
      submissionStatuses: statuses.rowCount ?? 0,
      ms: Date.now() - started,
    };
  }
}
