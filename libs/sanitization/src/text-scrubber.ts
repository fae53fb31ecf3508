import {
  AGE,
  BIRTH_DATE,
  EMAIL_CHEZ,
  HOME_ADDRESS,
  ID_NUMBER,
  MRZ,
  NAMED_ADDRESS,
  PERSONAL_URL,
  PLATFORM_HANDLE,
  replaceCued,
  SPELLED_PHONE,
} from './contextual-pii';
import { personCueBefore } from './context-name.detector';
import { findPersonNames } from './person-name.detector';
import { placeholderOf, type PiiKind, type ScrubCounts } from './pii-kind';
import type { PlaceNames } from './place-names';

/** What a scrub returns: the text with placeholders, and how many values of each kind went. */
export interface ScrubResult {
  readonly text: string;
  readonly counts: ScrubCounts;
}

/** Separators people put inside numbers: space, dot, hyphen, no-break spaces. */
const SEP = String.raw`[ .\-\u00A0\u202F]?`;

/**
 * URLs that carry a query string or a fragment, where identifiers hide (`?id=123`, `#contact`).
 * Matched whole, then trimmed of trailing punctuation; URLs without either are kept.
 */
const URL = /(?<![\p{L}\p{N}@])(?:https?:\/\/|www\.)[^\s<>"«»]+/giu;
const URL_TRAILING = /[.,;:!?)\]}'’"»]+$/u;

const AT = String.raw`(?:[ \t\u00A0]*(?:\(\s*(?:at|arobase|@)\s*\)|\[\s*(?:at|arobase|@)\s*\]|\{\s*(?:at|arobase|@)\s*\}|<\s*(?:at|arobase)\s*>)[ \t\u00A0]*|[ \t\u00A0]+(?:at|arobase)[ \t\u00A0]+|@|[ \t\u00A0]+@[ \t\u00A0]+)`;
const DOT = String.raw`(?:\.|[ \t\u00A0]*(?:\(\s*(?:dot|point)\s*\)|\[\s*(?:dot|point)\s*\]|\{\s*(?:dot|point)\s*\})[ \t\u00A0]*|[ \t\u00A0]+(?:dot|point)[ \t\u00A0]+)`;
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?`;
/**
 * E-mail addresses, plain or obfuscated: `jean.dupont (at) gmail.com`, `j.d [at] free [dot] fr`,
 * `jean arobase orange point fr`. The domain must end in a dot and a 2–24 letter TLD.
 */
const EMAIL = new RegExp(
  String.raw`(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}_%+\-]+(?:${DOT}[\p{L}\p{N}_%+\-]+)*${AT}${LABEL}(?:${DOT}${LABEL})*${DOT}\p{L}{2,24}(?![\p{L}\p{N}\-])`,
  'giu',
);

/**
 * IBANs: a country code, two check digits, then groups of four (spaced or not) and a shorter
 * last group. Kept only when the body holds ≥ 8 digits and the whole is 15–34 characters long,
 * so words in capitals are not taken for one.
 */
const IBAN =
  /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?:[ \u00A0]?[A-Z0-9]{4}){2,7}(?:[ \u00A0]?[A-Z0-9]{1,3})?(?![\p{L}\p{N}])/gu;

/**
 * French social security numbers (NIR): sex 1/2 (7/8 for temporary numbers), year, month
 * (01–12, or 20–99 for the special cases), department (2 digits, 2A, 2B), commune (3), order
 * (3), then the optional 2-digit key; spaced, dotted or not.
 */
const NIR = new RegExp(
  String.raw`(?<![\p{L}\p{N}])[1278]${SEP}\d{2}${SEP}(?:0[1-9]|1[0-2]|[2-9]\d)${SEP}(?:\d{2}|2[AB])${SEP}\d{3}${SEP}\d{3}(?:${SEP}\d{2})?(?![\p{L}\p{N}])`,
  'gu',
);

/**
 * French phone numbers: `06 12 34 56 78`, `06.12.34.56.78`, `0612345678`, `06-12-34-56-78`,
 * `+33 6 12 34 56 78`, `+33 (0)6 12 34 56 78`, `0033612345678`; landlines (`04 91 …`) too.
 */
const PHONE = new RegExp(
  String.raw`(?<![\p{N}+])(?:(?:\+|00)[ \u00A0]?33${SEP}(?:\(0\)${SEP})?[1-9]|0[1-9])(?:${SEP}\d{2}){4}(?![\p{N}])`,
  'gu',
);

/** SIV letters: every letter but I, O and U. */
const SIV = '[A-HJ-NP-TV-Z]';
/** Current plates: `AB-123-CD`, `AB 123 CD`, `AB123CD`; in lower case only with hyphens. */
const PLATE_SIV = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:${SIV}{2}[\- \u00A0]?\d{3}[\- \u00A0]?${SIV}{2}|[a-hj-np-tv-z]{2}-\d{3}-[a-hj-np-tv-z]{2})(?![\p{L}\p{N}])`,
  'gu',
);
/**
 * Old FNI plates: 1–4 digits, 1–3 letters, the department (01–95, 2A, 2B, 971–976):
 * `1234 AB 13`, `123 ABC 13`, `1234AB13`. Kept only with ≥ 3 digits and letters together and
 * letters that are not a known acronym, so `10 H 30` or `2 MIN 13` stay.
 */
const PLATE_FNI =
  /(?<![\p{L}\p{N}])(\d{1,4})[- \u00A0]?([A-Z]{1,3})[- \u00A0]?(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])(?![\p{L}\p{N}])/gu;
const NOT_PLATE_LETTERS = new Set([
  'H',
  'MIN',
  'QRR',
  'PSQ',
  'BIS',
  'TER',
  'RN',
  'RD',
  'KM',
  'AV',
  'BD',
]);

/** Social-media handles: `@jdupont`, `@marie_13` (e-mails are gone by then). */
const HANDLE =
  /(?<![\p{L}\p{N}_.@])@[A-Za-z_][A-Za-z0-9_.]{0,29}[A-Za-z0-9_]|(?<![\p{L}\p{N}_.@])@[A-Za-z_](?![\p{L}\p{N}_])/gu;

/** How a field is scrubbed. */
export interface ScrubOptions {
  /**
   * For an address: the gazetteer's place names, which stay even when one is named like a
   * person (`David`), unless a person's cue precedes it (`chez David`).
   */
  readonly placeNames?: PlaceNames;
}

type Replacer = (text: string, count: (kind: PiiKind) => string, options: ScrubOptions) => string;

/**
 * A pass run only on the texts where `sign` is found: a cheap test that every value the pass can
 * replace contains (most texts have no `@`, no `http`, no `zéro`), so the pass's own pattern is
 * not tried at every word.
 */
const when =
  (sign: RegExp, pass: Replacer): Replacer =>
  (text, count, options) =>
    sign.test(text) ? pass(text, count, options) : text;

/** One pass per kind, in an order where no pass can break a later one's value. */
const PASSES: readonly Replacer[] = [
  when(/https?:|www\./i, (text, count) =>
    text.replace(URL, (url: string) => {
      const trailing = URL_TRAILING.exec(url)?.[0] ?? '';
      const core = url.slice(0, url.length - trailing.length);
      return /[?#][^?#]/.test(core) ? count('URL') + trailing : url;
    }),
  ),
  when(/\.(?:com|fr|tv|be|me|app|net|ee)/i, (text, count) =>
    text.replace(PERSONAL_URL, (url: string) => {
      const trailing = URL_TRAILING.exec(url)?.[0] ?? '';
      return count('URL') + trailing;
    }),
  ),
  when(/@|(?<![\p{L}])(?:at|arobase)(?![\p{L}])/iu, (text, count) =>
    text.replace(EMAIL, () => count('EMAIL')),
  ),
  when(/chez/i, (text, count) => text.replace(EMAIL_CHEZ, () => count('EMAIL'))),
  (text, count) =>
    text.replace(IBAN, (iban: string) => {
      const compact = iban.replace(/[ \u00A0]/g, '');
      const digits = compact.slice(4).replace(/\D/g, '').length;
      return compact.length >= 15 && compact.length <= 34 && digits >= 8 ? count('IBAN') : iban;
    }),
  (text, count) => text.replace(NIR, () => count('NIR')),
  when(/<</, (text, count) => text.replace(MRZ, () => count('ID_NUMBER'))),
  (text, count) => replaceCued(text, ID_NUMBER, () => count('ID_NUMBER')),
  (text, count) => replaceCued(text, BIRTH_DATE, () => count('BIRTH_DATE')),
  (text, count) => text.replace(PHONE, () => count('PHONE')),
  when(/z[ée]ro/i, (text, count) => text.replace(SPELLED_PHONE, () => count('PHONE'))),
  (text, count) => text.replace(PLATE_SIV, () => count('PLATE')),
  (text, count) =>
    text.replace(PLATE_FNI, (plate: string, digits: string, letters: string) =>
      digits.length + letters.length >= 3 && !NOT_PLATE_LETTERS.has(letters)
        ? count('PLATE')
        : plate,
    ),
  (text, count, { placeNames }) => {
    let out = '';
    let from = 0;
    for (const span of findPersonNames(text)) {
      const place =
        placeNames?.has(text.slice(span.start, span.end)) === true &&
        !personCueBefore(text, span.start);
      if (place) continue;
      out += text.slice(from, span.start) + count('NAME');
      from = span.end;
    }
    return out + text.slice(from);
  },
  (text, count) => replaceCued(text, AGE, () => count('AGE')),
  (text, count) => replaceCued(text, HOME_ADDRESS, () => count('ADDRESS')),
  (text, count) => replaceCued(text, NAMED_ADDRESS, () => count('ADDRESS')),
  (text, count) => replaceCued(text, PLATFORM_HANDLE, () => count('HANDLE')),
  when(/@/, (text, count) => text.replace(HANDLE, () => count('HANDLE'))),
];

/**
 * Replaces the personal data in a free text with typed placeholders (`[EMAIL]`, `[PHONE]`,
 * `[PLATE]`, `[NIR]`, `[IBAN]`, `[NAME]`, `[HANDLE]`, `[URL]`, `[ADDRESS]`, `[BIRTH_DATE]`,
 * `[AGE]`, `[ID_NUMBER]`) and counts them per kind. An address is scrubbed with the
 * gazetteer's `placeNames`.
 * Pure and idempotent: placeholders are never taken for personal data. What it recognises and
 * what it misses is listed in the library README.
 */
export function scrubText(text: string, options: ScrubOptions = {}): ScrubResult {
  const counts: ScrubCounts = {};
  const count = (kind: PiiKind) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    return placeholderOf(kind);
  };
  let out = text;
  for (const pass of PASSES) out = pass(out, count, options);
  return { text: out, counts };
}
