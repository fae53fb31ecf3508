/**
 * The scrubber of libs/sanitization and Microsoft Presidio (analyzer, French, spaCy's
 * fr_core_news_md) on the same labelled corpora, side by side: what `npm run pii:compare` prints
 * and what the comparison test asserts.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '@app/config';
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

/**
 * The labelled corpora: the one the rules were written against (after it was written), and the
 * validation corpus written later, blind to the rules.
 */
export const CORPORA = {
  corpus: join(ROOT, 'test-data', 'pii-corpus', 'corpus.jsonl'),
  validation: join(ROOT, 'test-data', 'pii-corpus-validation', 'corpus.jsonl'),
} as const;

const PLACEHOLDER = new RegExp(`\\[(?:${PII_KINDS.join('|')})\\]`, 'g');

/** The texts of a corpus file (JSON Lines). */
export function readCorpus(path: string): CorpusText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusText);
}

/** The scrubber's figures on `corpus`. */
export function measureScrubber(corpus: readonly CorpusText[]): Measure {
  const found = new Map(
    corpus.map((item) => [
      item.id,
      redactionsOf(item.text, scrubText(item.text).text, PLACEHOLDER),
    ]),
  );
  return measure(corpus, found);
}

/** Presidio's interpreter, installed on first use into the stack folder. */
export function presidioPython(stack: StackConfig): string {
  return ensurePythonEnv(
    stack,
    'python-presidio',
    join(__dirname, 'requirements.txt'),
    'Presidio and spaCy’s French model',
  );
}

/** Presidio's figures on `corpus`, run by `python` (see `presidioPython`). */
export async function measurePresidio(
  python: string,
  corpus: readonly CorpusText[],
): Promise<Measure> {
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
  return measure(corpus, found);
}

const pct = (part: number, whole: number) =>
  whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;

/** Recall of a kind (1 when there is nothing to find). */
export const recallOf = (figures: Measure, kind?: string): number => {
  const { spans, caught } =
    kind === undefined ? figures : (figures.byKind[kind] ?? { spans: 0, caught: 0 });
  return spans === 0 ? 1 : caught / spans;
};

/** Precision per label each tool gave: the share of its redactions so labelled that meet personal data. */
export function precisionTable(ours: Measure, theirs: Measure): string {
  const rows = (tool: string, figures: Measure) =>
    Object.entries(figures.byLabel)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([label, { redactions, right }]) =>
          `| ${tool} | ${label} | ${redactions} | ${pct(right, redactions)} |`,
      );
  return [
    '| tool | label | redactions | precision |',
    '| --- | --- | --- | --- |',
    ...rows('scrubber', ours),
    ...rows('Presidio', theirs),
  ].join('\n');
}

/** The two tools' figures as one Markdown table. */
export function comparisonTable(ours: Measure, theirs: Measure): string {
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
