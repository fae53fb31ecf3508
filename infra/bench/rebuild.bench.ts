/**
 * `cortege rebuild`'s own work against the real PostGIS: the season of the aggregator bench
 * (3,000 events over 100 days) rebuilt from its presence records — shadow tables, every cell
 * scored once with the model, the swap into the live tables — beside COPY alone, in one run,
 * of (a) the same presence rows into `event_presence` of a second database, and (b) every row
 * the rebuild wrote, all five tables, streamed from the first database into a third (indexes
 * and all, as the live tables have them). The records come from memory: reading and decoding
 * the topic is not counted. The ratios are given with and without the final checksum.
 */
import { AggregateRebuild, CHECKSUM_TABLES, type PresenceSource } from '@app/aggregation';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { tensionModelOf } from '@app/tension';
import { createTestDatabase, syntheticCityDay } from '@app/testing';
import { Pool } from 'pg';
import { copyPresenceSeconds } from './bench.util';

const EVENTS = 3_000;
const DAYS = 100;

export async function rebuildBench(): Promise<Record<string, number>> {
  const config = loadConfig();
  const model = tensionModelOf(config.tension);
  const records = syntheticCityDay(EVENTS, 11, Date.UTC(2026, 4, 1), 5, DAYS);
  const cells = records.reduce((n, r) => n + r.cells.length, 0);
  const inputs = records.map((record, i) => ({
    topic: 'bench',
    partition: 0,
    offset: String(i),
    record,
  }));
  const rebuilt = await createTestDatabase(config);
  const copied = await createTestDatabase(config);
  const copiedAll = await createTestDatabase(config);
  try {
    await migrate(rebuilt.url);
    await migrate(copied.url);
    await migrate(copiedAll.url);
    const source: PresenceSource = {
      read: async (from, chunk) => {
        if (from.size === 0) await chunk(inputs, []);
        return new Map([[0, String(inputs.length)]]);
      },
    };
    const started = process.hrtime.bigint();
    const outcome = await new AggregateRebuild(rebuilt.url, model, 'bench', 'bench').run(source);
    const rebuildSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const copyPool = new Pool({ connectionString: copied.url, max: 1 });
    const copySeconds = await copyPresenceSeconds(copyPool, records, model, true);
    await copyPool.end();

    // Every row the rebuild wrote, table by table, COPY TO → COPY FROM, in one transaction.
    const from = new Pool({ connectionString: rebuilt.url, max: 1 });
    const to = new Pool({ connectionString: copiedAll.url, max: 1 });
    const reader = await from.connect();
    const writer = await to.connect();
    let allRows = 0;
    const allStarted = process.hrtime.bigint();
    try {
      await writer.query('BEGIN');
      for (const { table } of CHECKSUM_TABLES) {
        await pipeline(
          reader.query(copyTo(`COPY ${table} TO STDOUT`)),
          writer.query(copyFrom(`COPY ${table} FROM STDIN`)),
        );
        allRows += outcome.checksum.tables[table]?.rows ?? 0;
      }
      await writer.query('COMMIT');
    } finally {
      reader.release();
      writer.release();
      await from.end();
      await to.end();
    }
    const allSeconds = Number(process.hrtime.bigint() - allStarted) / 1e9;
    const rebuildPerSecond = cells / rebuildSeconds;
    const copyPerSecond = cells / copySeconds;
    return {
      rebuild_records: records.length,
      rebuild_presence_rows: cells,
      rebuild_cell_rows: outcome.checksum.tables.cell_tension?.rows ?? 0,
      rebuild_seconds: Number(rebuildSeconds.toFixed(1)),
      rebuild_presence_rows_per_s: Math.round(rebuildPerSecond),
      rebuild_copy_presence_rows_per_s: Math.round(copyPerSecond),
      rebuild_vs_copy: Number((rebuildPerSecond / copyPerSecond).toFixed(3)),
      rebuild_rows_written: allRows,
      rebuild_copy_all_rows_seconds: Number(allSeconds.toFixed(1)),
      rebuild_vs_copy_all_rows: Number((allSeconds / rebuildSeconds).toFixed(3)),
      // Building and swapping alone, without the checksum the command prints after.
      rebuild_build_swap_seconds: Number(((outcome.buildMs + outcome.swapMs) / 1000).toFixed(1)),
      rebuild_build_swap_vs_copy_all_rows: Number(
        ((allSeconds * 1000) / (outcome.buildMs + outcome.swapMs)).toFixed(3),
      ),
    };
  } finally {
    await rebuilt.drop();
    await copied.drop();
    await copiedAll.drop();
  }
}
