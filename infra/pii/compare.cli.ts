/**
 * `npm run pii:compare`: the scrubber of libs/sanitization and Microsoft Presidio (analyzer,
 * French, spaCy's fr_core_news_md) on the labelled corpora (`test-data/pii-corpus` and the blind
 * validation corpus `test-data/pii-corpus-validation`), side by side: recall per kind of personal
 * data, precision of the redactions, and the share of texts without personal data that each
 * alters. Presidio is installed on first use into its own virtual environment under the stack
 * folder (`infra/pii/requirements.txt`). Another corpus in the same format may be given as the
 * first argument; `--json` prints the figures as JSON.
 */
import { loadConfig } from '@app/config';
import {
  CORPORA,
  comparisonTable,
  precisionTable,
  measurePresidio,
  measureScrubber,
  presidioPython,
  readCorpus,
} from './pii-compare';

async function main(): Promise<void> {
  const given = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const corpora: Record<string, string> = given === undefined ? { ...CORPORA } : { given };
  const python = presidioPython(loadConfig().stack);
  const figures: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(corpora)) {
    const corpus = readCorpus(path);
    const ours = measureScrubber(corpus);
    const presidio = await measurePresidio(python, corpus);
    figures[name] = { ours, presidio };
    if (!process.argv.includes('--json'))
      console.log(
        `${name}: ${corpus.length} texts, ${ours.spans} labelled spans\n\n${comparisonTable(ours, presidio)}\n\n${precisionTable(ours, presidio)}\n`,
      );
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
