/**
 * The kinds of personal data the scrubber recognises in free text, each replaced by the
 * placeholder `[KIND]` (for instance `[PHONE]`), so readers still see that something was there.
 */
export const PII_KINDS = [
  'EMAIL',
  'PHONE',
  'PLATE',
  'NIR',
  'IBAN',
  'NAME',
  'HANDLE',
  'URL',
  'ADDRESS',
  'BIRTH_DATE',
  'AGE',
  'ID_NUMBER',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** How many values of each kind a scrub replaced; kinds never seen are absent. */
export type ScrubCounts = Partial<Record<PiiKind, number>>;

/** The placeholder that replaces a value of `kind`: `[EMAIL]`, `[PHONE]`, … */
export function placeholderOf(kind: PiiKind): string {
  return `[${kind}]`;
}

/** Adds `more` into `into` (mutates and returns `into`). */
export function addCounts(into: ScrubCounts, more: ScrubCounts): ScrubCounts {
  for (const kind of PII_KINDS) {
    const n = more[kind];
    if (n) into[kind] = (into[kind] ?? 0) + n;
  }
  return into;
}
