/** `npm run bench`: every benchmark, printed as a table and as one JSON line. */
import { aggregatorBench } from './aggregator.bench';
import { analystBench } from './analyst.bench';
import { cliBench } from './cli.bench';
import { ingestBench } from './ingest.bench';
import { locatorBench } from './locator.bench';
import { mapLiveBench } from './map-live.bench';
import { rebuildBench } from './rebuild.bench';
import { sanitizerBench } from './sanitizer.bench';

async function main(): Promise<void> {
  const results: Record<string, number> = {
    ...(await ingestBench()),
    ...(await sanitizerBench()),
    ...(await locatorBench()),
    ...(await aggregatorBench()),
    ...(await rebuildBench()),
    ...(await analystBench()),
    ...(await mapLiveBench()),
    ...(await cliBench()),
  };
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(32)} ${value}`);
  console.log(JSON.stringify({ date: new Date().toISOString(), ...results }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
