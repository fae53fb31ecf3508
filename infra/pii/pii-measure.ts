/**
 * How well a redaction tool removes the personal data of a labelled corpus: each labelled span
 * is caught when every letter and digit of it was redacted; a redaction is right when it meets
 * a labelled span. Pure: the tools' outputs come in as ranges of the original text.
 */

/** One piece of personal data in a corpus text: UTF-16 offsets, its kind, its text. */
export interface GoldSpan {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  readonly value: string;
}

/** A text of the corpus (`test-data/pii-corpus/corpus.jsonl`). */
export interface CorpusText {
  readonly id: string;
  readonly field: string;
  readonly text: string;
  readonly spans: readonly GoldSpan[];
}

/** A range of the original text a tool redacted (UTF-16 offsets) and what it called it. */
export interface Redaction {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

/** A tool's figures on a corpus. */
export interface Measure {
  /** Per kind of labelled data: spans, and spans caught. */
  readonly byKind: Readonly<Record<string, { readonly spans: number; readonly caught: number }>>;
  readonly spans: number;
  readonly caught: number;
  /** Redactions, and those that meet a labelled span. */
  readonly redactions: number;
  readonly rightRedactions: number;
  /** Per label the tool gave (`[NAME]`, `PERSON`…): its redactions, and those meeting a span. */
  readonly byLabel: Readonly<
    Record<string, { readonly redactions: number; readonly right: number }>
  >;
  /** Texts without personal data, and those the tool altered. */
  readonly cleanTexts: number;
  readonly cleanAltered: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The ranges of `original` that a scrubber replaced by placeholders to give `scrubbed`: the
 * text between placeholders is kept as it was, so the original is those pieces with something
 * (at least one character) in place of each placeholder; the earliest such reading is taken.
 * When a kept piece also occurs inside a replaced value, a range may end early and the next one
 * start early: their union, all that is scored, stays right. `placeholder` (global) finds the
 * placeholders in `scrubbed`; a scrubbed text that is no such reading of the original throws.
 */
export function redactionsOf(original: string, scrubbed: string, placeholder: RegExp): Redaction[] {
  const labels = [...scrubbed.matchAll(placeholder)].map((m) => m[0]);
  if (labels.length === 0) {
    if (original !== scrubbed) throw new Error(`text changed without a placeholder: ${scrubbed}`);
    return [];
  }
  const pieces = scrubbed.split(placeholder);
  const reading = new RegExp(`^${pieces.map(escape).join('([\\s\\S]+?)')}$`, 'd');
  const found = reading.exec(original);
  if (found?.indices === undefined)
    throw new Error(`"${scrubbed}" is not "${original}" with placeholders`);
  return labels.map((label, k) => {
    const [start, end] = found.indices?.[k + 1] ?? [0, 0];
    return { start, end, label };
  });
}

/** Whether every letter and digit of `span` lies in one of `redactions`. */
export function isCaught(text: string, span: GoldSpan, redactions: readonly Redaction[]): boolean {
  for (let k = span.start; k < span.end; k += 1) {
    if (!/[\p{L}\p{N}]/u.test(text[k] ?? '')) continue;
    if (!redactions.some((r) => r.start <= k && k < r.end)) return false;
  }
  return true;
}

/** A tool's figures on `corpus`, given its redactions of each text (by text id). */
export function measure(
  corpus: readonly CorpusText[],
  redactionsById: ReadonlyMap<string, readonly Redaction[]>,
): Measure {
  const byKind: Record<string, { spans: number; caught: number }> = {};
  let spans = 0;
  let caught = 0;
  let redactions = 0;
  let rightRedactions = 0;
  const byLabel: Record<string, { redactions: number; right: number }> = {};
  let cleanTexts = 0;
  let cleanAltered = 0;
  for (const item of corpus) {
    const found = redactionsById.get(item.id) ?? [];
    for (const span of item.spans) {
      const kind = (byKind[span.kind] ??= { spans: 0, caught: 0 });
      kind.spans += 1;
      spans += 1;
      if (isCaught(item.text, span, found)) {
        kind.caught += 1;
        caught += 1;
      }
    }
    redactions += found.length;
    for (const r of found) {
      const right = item.spans.some((s) => r.start < s.end && s.start < r.end);
      const label = (byLabel[r.label] ??= { redactions: 0, right: 0 });
      label.redactions += 1;
      if (right) {
        label.right += 1;
        rightRedactions += 1;
      }
    }
    if (item.spans.length === 0) {
      cleanTexts += 1;
      if (found.length > 0) cleanAltered += 1;
    }
  }
  return {
    byKind,
    spans,
    caught,
    redactions,
    rightRedactions,
    byLabel,
    cleanTexts,
    cleanAltered,
  };
}

/** Code-point offsets (as Python gives them) → UTF-16 offsets of `text`. */
export function utf16Offsets(text: string): number[] {
  const offsets: number[] = [];
  let unit = 0;
  for (const ch of text) {
    offsets.push(unit);
    unit += ch.length;
  }
  offsets.push(unit);
  return offsets;
}
