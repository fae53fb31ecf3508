/**
 * `npm run bench [-- name …]`: every benchmark, or those named (`npm run bench -- pipeline`),
 * printed as a table and as one JSON line, and saved in `bench/results/<YYYY-MM-DD>.json` and
 * `.md` (see bench-results.ts).
 */
import { aggregatorBench } from './aggregator.bench';
import { analystBench } from './analyst.bench';
import { machine, saveResults, type BenchFigures } from './bench-results';
import { cliBench } from './cli.bench';
import { ingestBench } from './ingest.bench';
import { locatorBench } from './locator.bench';
import { mapLiveBench } from './map-live.bench';
import { pipelineBench } from './pipeline.bench';
import { rebuildBench } from './rebuild.bench';
import { sanitizerBench } from './sanitizer.bench';

/** The benches by name, in the order a full run takes them. */
const BENCHES: Record<string, () => Promise<BenchFigures>> = {
  ingest: ingestBench,
  sanitizer: sanitizerBench,
  locator: locatorBench,
  aggregator: aggregatorBench,
  rebuild: rebuildBench,
  analyst: analystBench,
  'map-live': mapLiveBench,
  cli: cliBench,
  pipeline: pipelineBench,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in BENCHES));
  if (unknown.length > 0)
    throw new Error(
      `no bench named ${unknown.join(', ')}; the benches: ${Object.keys(BENCHES).join(', ')}`,
    );
  const names = Object.keys(BENCHES).filter((name) => asked.length === 0 || asked.includes(name));
  const startedAt = new Date();
  const host = machine();
  const results: BenchFigures = {};
  for (const name of names) Object.assign(results, await BENCHES[name]!());
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(32)} ${value}`);
  console.log(JSON.stringify({ date: new Date().toISOString(), ...results }));
  const saved = await saveResults(startedAt, names, asked.length > 0, host, results);
  console.log(`saved ${saved.json} and ${saved.markdown}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
