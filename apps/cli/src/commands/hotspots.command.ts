import type { Pool } from 'pg';
import {
  HOTSPOT_WINDOW_KINDS,
  HotspotStore,
  type HotspotWindowKind,
  type HotspotWindowOutcome,
} from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { tensionModelOf } from '@app/tension';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import { withDatabase } from './with-database';

export const HOTSPOTS_HELP = `usage: cortege hotspots recompute [--window day|week] [--from D --to D] [--json]
       cortege hotspots list      [--window day|week] [--date D] [--json]

recompute  recomputes the hotspots (Getis-Ord Gi* over resolution-9 cells, Benjamini-Hochberg at
           HOTSPOT_ALPHA) of every window that holds resolution-9 tension or stored hotspots, or
           only of the windows that meet the days D with --from ≤ D < --to; a window left
           without tension is emptied. Each window is replaced whole, in one transaction, under
           its own lock: the aggregator may run (it recomputes the windows its batches touch).
           Prints each window: its study area and how many hot and cold cells.
list       the hot and cold cells stored (cells that are neither are left out), by window, the
           hottest first; --date D: only the windows that hold D.

--window   day or week (ISO week from Monday, Europe/Paris); default both.
D          a local day, YYYY-MM-DD.

Exit codes: 0 done, 1 failed, 2 bad usage.`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string): boolean =>
  DAY.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/** `cortege hotspots …`: `argv` is what follows `hotspots`. Returns the exit code. */
export async function hotspotsCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('hotspots', HOTSPOTS_HELP, io);
  let kinds: readonly HotspotWindowKind[];
  const parsed = commandArgs(argv, {
    window: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    date: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (first !== 'recompute' && first !== 'list') return usage('expected recompute or list');
  if (rest.length > 0) return usage(`unexpected ${rest.join(', ')}`);
  const action = first;
  const json = values.json === true;
  if (values.window === undefined) kinds = HOTSPOT_WINDOW_KINDS;
  else if (values.window === 'day' || values.window === 'week') kinds = [values.window];
  else return badValue(`--window: expected day or week, not '${values.window}'`);
  for (const [name, value] of Object.entries({
    from: values.from,
    to: values.to,
    date: values.date,
  }))
    if (value !== undefined && !isDay(value))
      return badValue(`--${name}: expected a day YYYY-MM-DD, not '${value}'`);
  if (action === 'list' && (values.from !== undefined || values.to !== undefined))
    return usage('--from and --to are for recompute; list takes --date');
  if (action === 'recompute' && values.date !== undefined)
    return usage('--date is for list; recompute takes --from and --to');
  if ((values.from === undefined) !== (values.to === undefined))
    return usage('--from and --to go together');
  if (values.from !== undefined && values.to !== undefined && values.from >= values.to)
    return badValue('--from must come before --to');
  const { from, to, date } = values;

  return withDatabase('hotspots', openPool, io, async (pool) => {
    const store = new HotspotStore(pool, tensionModelOf(config.tension).bucketMinutes);
    const alpha = config.aggregator.hotspots.alpha;
    const started = Date.now();
    if (action === 'list') {
      const rows = (
        await store.list({ kind: kinds.length === 1 ? kinds[0] : undefined, day: date })
      ).filter((r) => r.spot !== 'NONE');
      if (json) for (const row of rows) await writeLine(io.stdout, JSON.stringify(row));
      else {
        await writeLine(
          io.stdout,
          'window      start       cell             spot       z         q  value (score h)',
        );
        for (const r of rows)
          await writeLine(
            io.stdout,
            `${r.kind.padEnd(11)} ${r.start}  ${r.cell}  ${r.spot.padEnd(4)} ${r.z.toFixed(3).padStart(8)} ${r.q.toExponential(2).padStart(9)}  ${r.value.toFixed(3)}`,
          );
        await writeLine(io.stdout, `${rows.length} hot or cold cell(s)`);
      }
      return 0;
    }

    const outcomes: HotspotWindowOutcome[] = await store.recomputeAll(
      alpha,
      kinds,
      from !== undefined && to !== undefined ? { from, to } : undefined,
    );
    const rows = outcomes.reduce((n, o) => n + o.studyArea, 0);
    await recordOperation(pool, {
      command: 'cortege hotspots recompute',
      params: { windows: kinds, from: from ?? null, to: to ?? null, alpha },
      status: 0,
      rows,
      startedAt: started,
    });
    if (json) {
      await writeLine(
        io.stdout,
        JSON.stringify({ alpha, windows: outcomes, ms: Date.now() - started }),
      );
      return 0;
    }
    for (const o of outcomes)
      await writeLine(
        io.stdout,
        `${o.kind.padEnd(5)} ${o.start}  ${String(o.studyArea).padStart(6)} cells  ${String(o.hot).padStart(4)} hot  ${String(o.cold).padStart(4)} cold`,
      );
    await writeLine(
      io.stdout,
      `recomputed ${outcomes.length} window(s) at alpha ${alpha} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  });
}
