/**
 * The saved results of one `npm run bench`: `bench/results/<YYYY-MM-DD>.json` (every figure,
 * the date, the machine) and `bench/results/<YYYY-MM-DD>.md` (each measure, its value and its
 * ratio to its baseline where it has one). A later run on the same day replaces both: a file
 * holds one run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { format as prettier, resolveConfig } from 'prettier';
import { REPO_ROOT } from '@app/process-runner';

export type BenchFigures = Record<string, number | string>;

/** What a measure is compared with: another measure of the same run, or a fixed target. */
interface Baseline {
  readonly measure?: string;
  readonly value?: number;
  readonly what: string;
}

/** Each measure that has a baseline; the ratio is measure ÷ baseline. */
const BASELINES: Record<string, Baseline> = {
  'ingest.sdk_per_s': {
    measure: 'ingest.raw_kafkajs_per_s',
    what: 'raw kafkajs idempotent producer, pre-encoded bytes',
  },
  'ingest.api_http_per_s': {
    measure: 'ingest.raw_kafkajs_per_s',
    what: 'raw kafkajs idempotent producer, pre-encoded bytes',
  },
  'sanitizer.stage_per_s': {
    measure: 'sanitizer.raw_consume_produce_per_s',
    what: 'raw consume → produce of the same bytes, same exactly-once stage',
  },
  'locator.stage_events_per_s': {
    measure: 'locator.h3_alone_events_per_s',
    what: 'h3-js alone, bare cover of the same geometries',
  },
  aggregator_presence_rows_per_s: {
    measure: 'copy_presence_rows_per_s',
    what: 'COPY alone of the same presence rows',
  },
  rebuild_presence_rows_per_s: {
    measure: 'rebuild_copy_presence_rows_per_s',
    what: 'COPY alone of the same presence rows',
  },
  analyst_day_res9_api_p95_ms: {
    measure: 'analyst_day_res9_sql_p95_ms',
    what: 'the raw SQL of the same query (time: higher is slower)',
  },
  analyst_tile_api_p95_ms: {
    measure: 'analyst_tile_sql_p95_ms',
    what: 'the raw SQL function of the same tile (time: higher is slower)',
  },
  'cli.sanitize_one_ms': {
    measure: 'cli.sanitize_one_through_tsx_ms',
    what: 'the same command through tsx (time: lower is faster)',
  },
  'pipeline.throughput_per_s': {
    measure: 'pipeline.slowest_stage_alone_per_s',
    what: 'the slowest stage alone on the same submissions (pipeline.slowest_stage)',
  },
};

/** Steady memory of the pipeline's processes: compared with the 200 MB target. */
const RSS_STEADY = /^pipeline\.rss\..+\.steady_at_\d+_per_s_mb$/;
const RSS_TARGET: Baseline = { value: 200, what: 'the 200 MB target' };

function baselineOf(measure: string): Baseline | undefined {
  return BASELINES[measure] ?? (RSS_STEADY.test(measure) ? RSS_TARGET : undefined);
}

function git(args: readonly string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The machine and the code the figures were measured on. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly commit: string;
  /** Files of the working tree differ from the commit (other work in progress beside it). */
  readonly uncommittedChanges: boolean;
  readonly loadAverageAtStart: readonly number[];
}

export function machine(): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    commit: git(['rev-parse', 'HEAD']),
    uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

const localDay = (at: Date) =>
  `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;

const format = (value: number | string) =>
  typeof value === 'number' ? value.toLocaleString('en-GB', { maximumFractionDigits: 3 }) : value;

function ratioCell(measure: string, results: BenchFigures): string {
  const baseline = baselineOf(measure);
  const value = results[measure];
  if (!baseline || typeof value !== 'number') return '';
  const base = baseline.measure !== undefined ? results[baseline.measure] : baseline.value;
  if (typeof base !== 'number' || base === 0) return '';
  const of = baseline.measure !== undefined ? `\`${baseline.measure}\`, ` : '';
  return `${(value / base).toFixed(2)} × ${of}${baseline.what}`;
}

/**
 * Writes the JSON and Markdown results of one run (the Markdown formatted as the repository's
 * Prettier formats it); returns their paths. `subset`: the benches were named on the command line.
 */
export async function saveResults(
  startedAt: Date,
  benches: readonly string[],
  subset: boolean,
  host: Machine,
  results: BenchFigures,
): Promise<{ json: string; markdown: string }> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const day = localDay(startedAt);
  const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const loadAverageAtEnd = loadavg().map((n) => Number(n.toFixed(2)));
  const json = join(dir, `${day}.json`);
  // Written as the repository's Prettier writes it, so that a saved run passes the format check.
  writeFileSync(
    json,
    await prettier(
      JSON.stringify({
        date: startedAt.toISOString(),
        benches,
        durationSeconds: seconds,
        machine: { ...host, loadAverageAtEnd },
        results,
      }),
      { ...((await resolveConfig(json)) ?? {}), parser: 'json' },
    ),
  );
  const rows = Object.keys(results).map(
    (measure) =>
      `| \`${measure}\` | ${format(results[measure] as number | string)} | ${ratioCell(measure, results)} |`,
  );
  const markdown = join(dir, `${day}.md`);
  const text = [
    `# Benchmarks of ${day}`,
    '',
    `One run of \`npm run bench${subset ? ` -- ${benches.join(' ')}` : ''}\` (${benches.join(', ')}), started ${startedAt.toISOString()}, ${seconds} s. ` +
      `Machine: ${host.cores} cores (${host.cpu}), ${host.memoryGb} GB, Node ${host.node}, ` +
      `commit ${host.commit.slice(0, 12)}${host.uncommittedChanges ? ' with uncommitted changes in the working tree' : ''}; ` +
      `load average ${host.loadAverageAtStart.join(' / ')} at the start, ${loadAverageAtEnd.join(' / ')} at the end.`,
    '',
    'The ratio is the measure divided by its baseline, named in the same cell.',
    '',
    '| measure | value | ratio to its baseline |',
    '| ------- | ----- | --------------------- |',
    ...rows,
    '',
  ].join('\n');
  const options = (await resolveConfig(markdown)) ?? {};
  writeFileSync(markdown, await prettier(text, { ...options, parser: 'markdown' }));
  return { json, markdown };
}
