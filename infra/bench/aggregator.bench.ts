/**
 * Aggregator throughput against the real PostGIS: a synthetic city day of presence records
 * applied in batches of AGGREGATOR_MAX_BATCH (the app's unit of work, without Kafka), beside
 * COPY alone of the same presence rows into `event_presence` of a second database, in one run.
 * Then the live case on that season: a day's new declarations and revisions arriving in small
 * batches, each one transaction's time (what a submission waits for). Then the p95 of the analysts' "whole city, one day, resolution 9" on `v_tension_day`, read
 * as the analyst role.
 */
import { PresenceAggregator } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { DEFAULT_LOCATOR_MODEL } from '@app/geo';
import { tensionModelOf } from '@app/tension';
import { asAnalyst, createTestDatabase, syntheticCityDay } from '@app/testing';
import { Pool } from 'pg';
import { chunks, copyPresenceSeconds, median } from './bench.util';

/** A season: 3,000 events over 100 days (Marseille declares a few dozen a day). */
const EVENTS = 3_000;
const DAYS = 100;
const QUERIES = 40;
/** The live case: a day of 60 more events (and their revisions, cancels) in batches of 10. */
const LIVE_EVENTS = 60;
const LIVE_BATCH = 10;

export async function aggregatorBench(): Promise<Record<string, number>> {
  const config = loadConfig();
  const model = tensionModelOf(config.tension);
  const regionRes = DEFAULT_LOCATOR_MODEL.regionResolution;
  const records = syntheticCityDay(EVENTS, 11, Date.UTC(2026, 4, 1), regionRes, DAYS);
  const cells = records.reduce((n, r) => n + r.cells.length, 0);
  const aggregated = await createTestDatabase(config);
  const copied = await createTestDatabase(config);
  await migrate(aggregated.url);
  await migrate(copied.url);
  const pool = new Pool({ connectionString: aggregated.url, max: 2 });
  const copyPool = new Pool({ connectionString: copied.url, max: 1 });
  try {
    const aggregator = new PresenceAggregator(pool, model, 'bench');
    let offset = 0;
    let cellRows = 0;
    const started = process.hrtime.bigint();
    for (const batch of chunks(records, config.aggregator.maxBatch))
      cellRows += (
        await aggregator.applyBatch(
          batch.map((record) => ({
            topic: 'bench',
            partition: 0,
            offset: String(offset++),
            record,
          })),
        )
      ).cellRows;
    const aggregateSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const copySeconds = await copyPresenceSeconds(copyPool, records, model);

    const live = syntheticCityDay(LIVE_EVENTS, 29, Date.UTC(2026, 5, 15), regionRes, 1);
    const batchMs: number[] = [];
    for (const batch of chunks(live, LIVE_BATCH)) {
      const t = process.hrtime.bigint();
      await aggregator.applyBatch(
        batch.map((record) => ({ topic: 'bench', partition: 0, offset: String(offset++), record })),
      );
      batchMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    batchMs.sort((a, b) => a - b);

    // As an analyst's own login, member of the read-only role, as the README tells admins to do.
    const timings = await asAnalyst(aggregated.url, async (analyst) => {
      const taken: number[] = [];
      for (let i = 0; i < QUERIES; i += 1) {
        const t = process.hrtime.bigint();
        await analyst.query(
          `SELECT cell, peak_score, mean_score, max_events, geom FROM v_tension_day
            WHERE resolution = 9 AND day = DATE '2026-05-01'`,
        );
        taken.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return taken;
    });
    timings.sort((a, b) => a - b);
    const { rows: day } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM v_tension_day WHERE resolution = 9 AND day = DATE '2026-05-01'`,
    );
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cell_tension WHERE resolution = 9`,
    );
    const presencePerSecond = cells / aggregateSeconds;
    const copyPerSecond = cells / copySeconds;
    return {
      aggregator_records: records.length,
      aggregator_presence_rows: cells,
      aggregator_records_per_s: Math.round(records.length / aggregateSeconds),
      aggregator_presence_rows_per_s: Math.round(presencePerSecond),
      copy_presence_rows_per_s: Math.round(copyPerSecond),
      aggregator_vs_copy: Number((presencePerSecond / copyPerSecond).toFixed(3)),
      aggregator_cell_rows_written: cellRows,
      aggregator_live_batches: batchMs.length,
      aggregator_live_batch_p50_ms: Math.round(median(batchMs)),
      aggregator_live_batch_p95_ms: Math.round(
        batchMs[Math.ceil(0.95 * batchMs.length) - 1] ?? NaN,
      ),
      aggregator_cell_rows_per_s: Math.round(cellRows / aggregateSeconds),
      res9_cells_all_days: rows[0]?.n ?? 0,
      day_res9_rows: day[0]?.n ?? 0,
      day_res9_p95_ms: Number((timings[Math.ceil(0.95 * timings.length) - 1] ?? NaN).toFixed(1)),
    };
  } finally {
    await pool.end();
    await copyPool.end();
    await aggregated.drop();
    await copied.drop();
  }
}
