/**
 * `npm run pii:compare`: the scrubber of libs/sanitization and Microsoft Presidio (analyzer,
 * French, spaCy's fr_core_news_md) on the same labelled corpus (`test-data/pii-corpus`), side
 * by side: recall per kind of personal data, precision of the redactions, and the share of
 * texts without personal data that each alters. Presidio is installed on first use into its
 * own virtual environment under the stack folder (`infra/pii/requirements.txt`). Another corpus
 * in the same format may be given as the first argument; `--json` prints the figures as JSON.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { PII_KINDS, scrubText } from '@app/sanitization';
import { ensurePythonEnv } from '../local/src/python-client';
import {
  measure,
  redactionsOf,
  utf16Offsets,
  type CorpusText,
  type Measure,
  type Redaction,
} from './pii-measure';

const ROOT = join(__dirname, '..', '..');
const CORPUS = join(ROOT, 'test-data', 'pii-corpus', 'corpus.jsonl');
const PLACEHOLDER = new RegExp(`\\[(?:${PII_KINDS.join('|')})\\]`, 'g');

function readCorpus(path: string): CorpusText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusText);
}

/** Presidio's findings per text, as ranges of the text (UTF-16). */
async function presidio(python: string, corpus: readonly CorpusText[]) {
  const child = spawn(python, [join(__dirname, 'presidio_spans.py')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  for (const item of corpus)
    child.stdin.write(`${JSON.stringify({ id: item.id, text: item.text })}\n`);
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`presidio_spans.py exited with ${String(code)}`);
  const byId = new Map(corpus.map((item) => [item.id, item.text]));
  const found = new Map<string, Redaction[]>();
  for (const line of out.split('\n').filter((l) => l.trim() !== '')) {
    const { id, spans } = JSON.parse(line) as {
      id: string;
      spans: { start: number; end: number; entity: string }[];
    };
    const offsets = utf16Offsets(byId.get(id) ?? '');
    found.set(
      id,
      spans.map((s) => ({
        start: offsets[s.start] ?? 0,
        end: offsets[s.end] ?? 0,
        label: s.entity,
      })),
    );
  }
  return found;
}

const pct = (part: number, whole: number) =>
  whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;

function table(ours: Measure, theirs: Measure): string {
  const kinds = Object.keys(ours.byKind).sort();
  const rows = kinds.map((kind) => {
    const a = ours.byKind[kind] ?? { spans: 0, caught: 0 };
    const b = theirs.byKind[kind] ?? { spans: 0, caught: 0 };
    return `| ${kind} | ${a.spans} | ${pct(a.caught, a.spans)} | ${pct(b.caught, b.spans)} |`;
  });
  return [
    '| kind | spans | recall, scrubber | recall, Presidio |',
    '| --- | --- | --- | --- |',
    ...rows,
    `| **all** | ${ours.spans} | **${pct(ours.caught, ours.spans)}** | **${pct(theirs.caught, theirs.spans)}** |`,
    `| precision of the redactions | | ${pct(ours.rightRedactions, ours.redactions)} | ${pct(theirs.rightRedactions, theirs.redactions)} |`,
    `| texts without personal data altered | ${ours.cleanTexts} | ${pct(ours.cleanAltered, ours.cleanTexts)} | ${pct(theirs.cleanAltered, theirs.cleanTexts)} |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const corpus = readCorpus(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? CORPUS);
  const ours = new Map(
    corpus.map((item) => [
      item.id,
      redactionsOf(item.text, scrubText(item.text).text, PLACEHOLDER),
    ]),
  );
  const python = ensurePythonEnv(
    loadConfig().stack,
    'python-presidio',
    join(__dirname, 'requirements.txt'),
    'Presidio and spaCy’s French model',
  );
  const theirs = await presidio(python, corpus);
  const figures = { ours: measure(corpus, ours), presidio: measure(corpus, theirs) };
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
  else
    console.log(
      `${corpus.length} texts, ${figures.ours.spans} labelled spans\n\n${table(figures.ours, figures.presidio)}`,
    );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
