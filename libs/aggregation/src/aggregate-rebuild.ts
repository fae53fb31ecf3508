import type { ConsumedPosition } from '@app/kafka';
import type { TensionModel } from '@app/tension';
import { Pool, type PoolClient } from 'pg';
import { aggregateChecksum, CHECKSUM_TABLES, type AggregateChecksum } from './aggregate-checksum';
import { AlertStore, NO_ALERTS, type AlertOptions, type AlertOutcome } from './alert-store';
import {
  AGGREGATION_LOCK,
  PresenceAggregator,
  TENSION_CHANNEL,
  type PresenceInput,
} from './presence-aggregator';

/** Where a rebuild builds its tables before they replace the live ones. */
export const REBUILD_SCHEMA = 'cortege_rebuild';

/** The tables a rebuild recomputes, and the positions it keeps with them. */
const TABLES = [...CHECKSUM_TABLES.map((t) => t.table), 'consumer_offset'] as const;

/** The tables the bulk load copies straight into (no upsert needs their keys meanwhile). */
const BULK_TABLES = ['event_presence', 'cell_tension', 'tension_zone'] as const;

/** A rebuild's own advisory lock: building does not hold up the live aggregator. */
const REBUILD_LOCK = 7_407_002;

/** Held for a whole rebuild: two at once would build in the same shadow schema. */
const ONE_REBUILD_LOCK = 7_407_003;

/** How often the swap finds the live aggregator ahead and catches up before giving up. */
const MAX_CATCH_UPS = 20;

/** What a rebuild reads: the presence topic, decoded and checked. */
export interface PresenceSource {
  /**
   * Reads the topic from `from` (per partition; the beginning where absent) to the end it has
   * when called, passing each chunk on: records to apply, and positions of records to skip
   * (invalid). Returns, per partition, the end offset it read to.
   */
  read(
    from: ReadonlyMap<number, string>,
    chunk: (inputs: PresenceInput[], skipped: ConsumedPosition[]) => Promise<void>,
  ): Promise<ReadonlyMap<number, string>>;
}

/** A rebuild refused before it began (one is running already). */
export class RebuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildError';
  }
}

export interface RebuildOutcome {
  /** Records applied and skipped while building and catching up. */
  readonly records: number;
  readonly skipped: number;
  /** Times the live aggregator was found ahead at the swap, and caught up. */
  readonly catchUps: number;
  /** The positions the live aggregator resumes from, per partition. */
  readonly positions: Readonly<Record<number, string>>;
  readonly checksum: AggregateChecksum;
  /** Alert versions the swap wrote: what the rebuilt presence changed against the live alerts. */
  readonly alerts: { readonly raised: number; readonly retracted: number };
  readonly buildMs: number;
  readonly swapMs: number;
}

/**
 * Recomputes every aggregate from the presence topic into shadow tables (schema
 * `cortege_rebuild`, made `LIKE` the live ones) with the aggregator's own code and model, then
 * swaps their contents into the live tables in one transaction, holding the live aggregator's
 * lock: analysts see the old tables until the commit and the new ones after, never a half-built
 * state, and the live aggregator waits for the swap, then goes on from the rebuilt positions
 * (it skips what the rebuild already holds). If the live aggregator got ahead of the rebuild
 * meanwhile, the rebuild reads on from where it stopped before swapping.
 */
export class AggregateRebuild {
  constructor(
    private readonly databaseUrl: string,
    private readonly model: TensionModel,
    /** The live aggregator's group and topic: whose positions the rebuild replaces. */
    private readonly consumerGroup: string,
    private readonly topic: string,
    /**
     * How conflict alerts are kept: the swap recomputes every pair's alert from the rebuilt
     * presence, against the live `alert` table, in its transaction (none: untouched).
     */
    private readonly alerts?: AlertOptions,
  ) {}

  async run(
    source: PresenceSource,
    phase: (name: string) => void = () => undefined,
  ): Promise<RebuildOutcome> {
    const live = new Pool({ connectionString: this.databaseUrl, max: 3 });
    const holder = await live.connect();
    const { rows: held } = await holder.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS ok',
      [ONE_REBUILD_LOCK],
    );
    if (held[0]?.ok !== true) {
      holder.release();
      await live.end();
      throw new RebuildError('another rebuild is running on this database; wait for it to end');
    }
    const shadow = new Pool({
      connectionString: this.databaseUrl,
      max: 2,
      options: `-c search_path=${REBUILD_SCHEMA},public`,
    });
    const aggregator = new PresenceAggregator(shadow, this.model, this.consumerGroup, {
      lock: REBUILD_LOCK,
      notify: false,
    });
    const totals = { records: 0, skipped: 0 };
    const readInto = async (from: ReadonlyMap<number, string>, bulk: boolean) => {
      const inputs: PresenceInput[] = [];
      const skipped: ConsumedPosition[] = [];
      const ends = await source.read(from, (chunkInputs, chunkSkipped) => {
        inputs.push(...chunkInputs);
        skipped.push(...chunkSkipped);
        totals.skipped += chunkSkipped.length;
        return Promise.resolve();
      });
      // Past the last record of each partition, markers included: the live aggregator's
      // position may be there too.
      for (const [partition, end] of ends)
        if (BigInt(end) > 0n)
          skipped.push({ topic: this.topic, partition, offset: (BigInt(end) - 1n).toString() });
      totals.records += inputs.length;
      // One batch: every cell scored once, from the presence as it finally is; the first one
      // into empty tables, built in memory and copied straight in.
      await aggregator.applyBatch(inputs, skipped, { bulk });
    };
    try {
      const started = Date.now();
      phase('preparing the shadow tables');
      await this.createShadow(live);
      phase('reading and aggregating the presence topic');
      await readInto(new Map(), true);
      await this.addKeys(live, BULK_TABLES);
      const buildMs = Date.now() - started;
      const swapStarted = Date.now();
      let catchUps = 0;
      let alerts: AlertOutcome = NO_ALERTS;
      for (;;) {
        phase('swapping');
        const behind = await this.swap(live);
        if (!Array.isArray(behind)) {
          alerts = behind;
          break;
        }
        if (++catchUps > MAX_CATCH_UPS)
          throw new Error(
            `the live aggregator kept ahead of the rebuild ${MAX_CATCH_UPS} times; try again when it is quieter`,
          );
        phase('catching up with the live aggregator');
        await readInto(new Map(behind), false);
      }
      const swapMs = Date.now() - swapStarted;
      const positions = Object.fromEntries(
        (await aggregator.storedPositions(this.topic)).entries(),
      ) as Record<number, string>;
      phase('checksum');
      const checksum = await aggregateChecksum(live);
      return {
        ...totals,
        catchUps,
        positions,
        checksum,
        alerts: { raised: alerts.raised, retracted: alerts.retracted },
        buildMs,
        swapMs,
      };
    } finally {
      await live.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`).catch(() => undefined);
      await shadow.end();
      // Ending the session releases the lock.
      holder.release(true);
      await live.end();
    }
  }

  private async createShadow(live: Pool): Promise<void> {
    await live.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await live.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
    // The live tables' columns, defaults, checks and keys (a catch-up upserts on them), but
    // not their other indexes: nobody queries the shadow tables, and a load without them is
    // faster; the rows reach the live tables, indexes and all, at the swap. The keys of the
    // tables the bulk load copies straight into come after it, built in one go.
    for (const table of TABLES)
      await live.query(
        `CREATE TABLE ${REBUILD_SCHEMA}.${table}
           (LIKE public.${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
      );
    await this.addKeys(
      live,
      TABLES.filter((table) => !(BULK_TABLES as readonly string[]).includes(table)),
    );
  }

  /** Gives the shadow `tables` the primary and unique keys of the live ones. */
  private async addKeys(live: Pool, tables: readonly string[]): Promise<void> {
    for (const table of tables) {
      const { rows } = await live.query<{ definition: string }>(
        `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
          WHERE conrelid = $1::regclass AND contype IN ('p', 'u')`,
        [`public.${table}`],
      );
      for (const { definition } of rows)
        await live.query(`ALTER TABLE ${REBUILD_SCHEMA}.${table} ADD ${definition}`);
    }
  }

  /**
   * Under the live aggregator's lock: when the rebuild is at or past the live positions,
   * replaces the live tables' contents and positions with the rebuilt ones, brings the alerts
   * up to date with them, and commits (what the alerts did); else rolls back and returns the
   * rebuild's positions to read on from.
   */
  private async swap(live: Pool): Promise<[number, string][] | AlertOutcome> {
    const client = await live.connect();
    const lost = (): void => undefined;
    client.on('error', lost);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [AGGREGATION_LOCK]);
      const liveAt = await this.positions(client, 'public');
      const rebuiltAt = await this.positions(client, REBUILD_SCHEMA);
      const behind = [...liveAt].some(
        ([partition, next]) => BigInt(next) > BigInt(rebuiltAt.get(partition) ?? '0'),
      );
      if (behind) {
        await client.query('ROLLBACK');
        return [...rebuiltAt];
      }
      const aggregates = CHECKSUM_TABLES.map((t) => t.table);
      // The live tables' secondary indexes are built again after the load, in the same
      // transaction: a bulk build costs less than maintaining them row by row.
      const { rows: indexes } = await client.query<{ name: string; definition: string }>(
        `SELECT format('%I.%I', i.schemaname, i.indexname) AS name, i.indexdef AS definition
           FROM pg_indexes i
          WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
        [aggregates],
      );
      await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      for (const { name } of indexes) await client.query(`DROP INDEX ${name}`);
      await client.query(`TRUNCATE ${aggregates.map((t) => `public.${t}`).join(', ')}`);
      for (const table of aggregates)
        await client.query(`INSERT INTO public.${table} SELECT * FROM ${REBUILD_SCHEMA}.${table}`);
      for (const { definition } of indexes) await client.query(definition);
      await client.query(
        `DELETE FROM public.consumer_offset WHERE consumer_group = $1 AND topic = $2`,
        [this.consumerGroup, this.topic],
      );
      await client.query(
        `INSERT INTO public.consumer_offset
         SELECT * FROM ${REBUILD_SCHEMA}.consumer_offset WHERE consumer_group = $1 AND topic = $2`,
        [this.consumerGroup, this.topic],
      );
      const alerts = await this.syncAlerts(client);
      await client.query('SELECT pg_notify($1, $2)', [
        TENSION_CHANNEL,
        JSON.stringify({ events: 0, cellRows: 0, zones: 0, rebuilt: true }),
      ]);
      await client.query('COMMIT');
      return alerts;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** Every event's alerts, and every active alert's pair, recomputed from the live tables. */
  private async syncAlerts(client: PoolClient): Promise<AlertOutcome> {
    if (this.alerts === undefined) return NO_ALERTS;
    const { rows } = await client.query<{ event_id: string }>(
      `SELECT event_id FROM public.event
       UNION SELECT event_a FROM public.alert WHERE status = 'ACTIVE'
       UNION SELECT event_b FROM public.alert WHERE status = 'ACTIVE'`,
    );
    const { alertRules, alertWebhooks } = this.alerts;
    return new AlertStore(client, alertRules, alertWebhooks).sync(rows.map((r) => r.event_id));
  }

  private async positions(client: PoolClient, schema: string): Promise<Map<number, string>> {
    const { rows } = await client.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset::text FROM ${schema}.consumer_offset
        WHERE consumer_group = $1 AND topic = $2`,
      [this.consumerGroup, this.topic],
    );
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }
}
