import { fold, isCommonWord, isGivenName, isSurname } from './name-lexicon';
import {
  CONTACT_WORDS,
  DEDICATEES,
  DEDICATION_TITLES,
  FAMILIAR,
  LINKS,
  PLACE_HEADS,
  STOP,
  STRONG_CUE,
  WEAK_CUE,
} from './name-context.vocabulary';
import type { NameSpan } from './name-span';

/**
 * Names written without a civility: `Karim`, `Jean-Pierre Martin`, `MOREL Anthony`, `A. Bensaïd`,
 * `Tata Zohra`, `la famille Zerrouki`, `contact : Hadja`. A word becomes the start of a name by
 * one of the rules below; the name then extends over the capitalised words next to it (the
 * surname, particles, initials). Street, building and place names are left alone: a word in a
 * chain that starts with a street type or a dedication (`place Jean Jaurès`, `collège
 * Jean-Claude Izzo`, `Saint-Louis`) never starts a name.
 */

/** A word of the text: letters with inner hyphens and apostrophes (`N'Diaye`, `Marie-Claire`). */
interface Token {
  readonly start: number;
  readonly end: number;
  readonly word: string;
  readonly shape: 'title' | 'upper' | 'lower' | 'initial';
}

const WORD = /\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*/gu;
/** A lower-case elision in front of a word (`l'organisateur`, `d'Aubagne`, `qu'il`). */
const ELISION = /^(?:[ldjmnstc]|qu|[LD])['’](?=\p{L})/u;

function shapeOf(word: string): Token['shape'] {
  const first = word.charAt(0);
  if (first === first.toLowerCase()) return 'lower';
  if (word.length === 1) return 'initial';
  return word === word.toUpperCase() ? 'upper' : 'title';
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    let start = match.index;
    let word = match[0];
    const elision = ELISION.exec(word)?.[0];
    // `L'organisateur` loses its article; `N'Diaye` and `D'Artagnan` stay whole.
    if (elision && (/^[a-z]/.test(elision) || /^\p{Ll}/u.test(word.slice(elision.length)))) {
      start += elision.length;
      word = word.slice(elision.length);
    }
    // a placeholder of an earlier pass (`[PHONE]`) is no word of the text
    if (text[match.index - 1] === '[' && text[start + word.length] === ']') continue;
    // nor is a handle (`@dit`), which a later pass replaces by `[HANDLE]`
    const before = text[match.index - 1] ?? '';
    const handle =
      /[@\w]/u.test(before) ||
      (before === '.' && word.length > 1) ||
      text[match.index + match[0].length] === '_';
    if (handle) continue;
    tokens.push({ start, end: start + word.length, word, shape: shapeOf(word) });
  }
  return tokens;
}

/** The first word of each dedicatee's name, to try only the tokens that may start one. */
const DEDICATEE_FIRST_WORDS = new Set([...DEDICATEES].map((name) => name.split(' ')[0] ?? ''));

/** How many tokens from `tokens[i]` spell a dedicatee's name, or 0. */
function dedicateeAt(tokens: readonly Token[], text: string, i: number): number {
  const first =
    fold((tokens[i] as Token).word)
      .replace(/-/g, ' ')
      .split(' ')[0] ?? '';
  if (!DEDICATEE_FIRST_WORDS.has(first)) return 0;
  let words = '';
  for (let k = i; k < tokens.length && k < i + 5; k++) {
    const token = tokens[k] as Token;
    if (k > i && !/^[\s.'’-]*$/u.test(text.slice((tokens[k - 1] as Token).end, token.start))) break;
    words += (k > i ? ' ' : '') + fold(token.word).replace(/-/g, ' ');
    if (DEDICATEES.has(words)) return k - i + 1;
  }
  return 0;
}

/** What may stand between a cue and the name: spaces, `:`, `,`, `(`, quotes, dashes. */
const CUE_GAP = /[\s:,(«"“'‘-]*$/u;

/** Only spaces (and at most one line break) between two words of a name. */
const NAME_GAP = /^[ \t\u00A0\u202F]+$/u;

/** A person's age right after: `, 34 ans`, ` (17 ans)`. */
const AGE_AFTER = /^[\s,(]*\d{1,3}\s*ans\b/u;
/** A placeholder of contact data right after (`Mehdi ([PHONE])`, `Julien : [PHONE]`). */
const CONTACT_AFTER = /^[\s,:(–-]*\[(?:PHONE|EMAIL)\]/u;
/** …or right before (`[EMAIL] / Romain`). */
const CONTACT_BEFORE = /\[(?:PHONE|EMAIL)\][\s,:/(–-]*$/u;

/** A nickname or a handle right after: `Lahcen (dit « Lolo »)`, `Titou (@titou_musique)`. */
const ALIAS_AFTER = /^[\s,(]*(?:dite?|alias|surnomm[ée]e?)\b|^[\s,]*\(@\w/u;
/** `Momo`, `Kiki`, `Jojo`, `Dédé`: a syllable said twice, the French nickname. */
const isNickname = (token: Token) => {
  const f = fold(token.word);
  return token.shape === 'title' && f.length === 4 && f.slice(0, 2) === f.slice(2);
};

const isCapitalised = (token: Token | undefined) =>
  token !== undefined && (token.shape === 'title' || token.shape === 'upper');

/** An acronym in capitals (`CGT`, `CRS`, `BMVR`): three letters or fewer, or no vowel. */
const isAcronym = (token: Token) => {
  if (token.shape !== 'upper') return false;
  const letters = token.word.replace(/[^\p{L}]/gu, '');
  return letters.length <= 3 || !/[AEIOUYÀ-ÖØ-Ý]/u.test(letters);
};

/** The text before `tokens[i]`, folded, without the separators that may precede a name. */
function cueText(text: string, token: Token): string {
  return textBefore(text, token.start);
}

/** The text before offset `at`, folded, without the separators that may precede a name. */
function textBefore(text: string, at: number): string {
  return fold(text.slice(Math.max(0, at - 60), at).replace(CUE_GAP, ''));
}

/** Whether the words before offset `at` say a person follows (`chez`, `contact :`, `famille`). */
export function personCueBefore(text: string, at: number): boolean {
  return STRONG_CUE.test(textBefore(text, at));
}

/** Whether the words right before `tokens[i]` make it part of a street, building or place. */
function inPlaceName(tokens: readonly Token[], text: string, i: number): boolean {
  const own = fold(tokens[i]?.word ?? '');
  if (/^(?:saint|sainte|st|ste|notre)-/.test(own)) return true;
  for (let k = i - 1; k >= 0 && k >= i - 6; k--) {
    const token = tokens[k] as Token;
    const next = tokens[k + 1] as Token;
    const gap = text.slice(token.end, next.start);
    // a number may sit between a head and the name (`12 bis rue…` is before the head)
    if (!/^[\s.'’-]*$/u.test(gap)) return false;
    const f = fold(token.word).replace(/-/g, ' ');
    // `sur place` is no place's name
    if (PLACE_HEADS.has(f)) return !(f === 'place' && fold(tokens[k - 1]?.word ?? '') === 'sur');
    if (LINKS.has(f) || DEDICATION_TITLES.has(f)) continue;
    if (!isCapitalised(token)) return false;
  }
  return false;
}

/** Whether `token` starts a sentence (after `.`, `!`, `?`, a line break, or at 0). */
function startsSentence(text: string, token: Token): boolean {
  // back over spaces, opening quotes and brackets (a few at most), to what comes before them
  let k = token.start - 1;
  while (k >= 0 && token.start - k <= 12 && /[ \t\u00A0\u202F"«“(]/u.test(text.charAt(k))) k--;
  return k < 0 || /[.!?…\n]/u.test(text.charAt(k));
}

/** The end offset of the name that starts at `tokens[i]`: the capitalised words after it. */
function extendRight(
  tokens: readonly Token[],
  text: string,
  i: number,
): { end: number; last: number } {
  let last = i;
  let words = 0;
  for (let k = i + 1; k < tokens.length && words < 3; k++) {
    const token = tokens[k] as Token;
    const gap = text.slice((tokens[k - 1] as Token).end, token.start);
    const f = fold(token.word);
    if (token.shape === 'initial') {
      // `Jean-Pierre M.`: an initial with its dot
      if (!NAME_GAP.test(gap) || text[token.end] !== '.') break;
      last = k;
      words += 1;
      continue;
    }
    if (!NAME_GAP.test(gap) && !(gap === '' && /['’]$/.test(text.slice(0, token.start)))) break;
    if (LINKS.has(f) && !['et', 'saint', 'sainte', 'st', 'ste'].includes(f)) {
      // a particle (`El`, `Ben`, `de La`) counts only when a capitalised word follows it
      continue;
    }
    if (
      [
        'el',
        'ben',
        'ibn',
        'al',
        'van',
        'von',
        'di',
        'da',
        'do',
        'dos',
        'das',
        'del',
        'della',
      ].includes(f)
    ) {
      continue;
    }
    if (!isCapitalised(token) || STOP.has(f) || isAcronym(token)) break;
    if (token.shape === 'upper' && isCommonWord(token.word) && !isSurname(token.word)) break;
    last = k;
    words += 1;
  }
  const lastToken = tokens[last] as Token;
  const dot = lastToken.shape === 'initial' && text[lastToken.end] === '.' ? 1 : 0;
  return { end: lastToken.end + dot, last };
}

/** The first token of the name that `tokens[i]` is part of: surnames in capitals before it. */
function extendLeft(tokens: readonly Token[], text: string, i: number, floor: number): number {
  let first = i;
  for (let k = i - 1; k > floor && k >= i - 2; k--) {
    const token = tokens[k] as Token;
    if (!NAME_GAP.test(text.slice(token.end, (tokens[k + 1] as Token).start))) break;
    const upperSurname =
      token.shape === 'upper' &&
      !isAcronym(token) &&
      !STOP.has(fold(token.word)) &&
      (!isCommonWord(token.word) || isSurname(token.word));
    const titleSurname =
      token.shape === 'title' &&
      !STOP.has(fold(token.word)) &&
      !isCommonWord(token.word) &&
      (isSurname(token.word) || isGivenName((tokens[i] as Token).word));
    if (!upperSurname && !titleSurname) break;
    if (inPlaceName(tokens, text, k)) break;
    first = k;
  }
  return first;
}

/**
 * Where `text` names a person without a civility, by the rules of this module: spans of the
 * name (with a familiar title such as `Tata` or `DJ` when there is one).
 */
export function findContextNames(text: string): NameSpan[] {
  const tokens = tokenize(text);
  const capitalsText = inCapitals(tokens);
  const spans: NameSpan[] = [];
  let floor = -1; // the last token already in a name (or in a dedicatee's)
  for (let i = 0; i < tokens.length; i++) {
    if (i <= floor) continue;
    const token = tokens[i] as Token;
    const f = fold(token.word);
    if (STOP.has(f) && !FAMILIAR.has(f) && token.shape !== 'initial') continue;
    const dedicatee = dedicateeAt(tokens, text, i);
    if (dedicatee > 0 || inPlaceName(tokens, text, i)) {
      floor = i + Math.max(0, dedicatee - 1);
      continue;
    }
    const from = startOfName(tokens, text, i, capitalsText);
    if (from < 0) continue;
    const first =
      token.shape === 'initial' || FAMILIAR.has(f) ? i : extendLeft(tokens, text, i, floor);
    const { end, last } = extendRight(tokens, text, from);
    spans.push({ start: (tokens[first] as Token).start, end });
    floor = last;
  }
  for (const match of text.matchAll(ARTICLE_NICKNAME)) {
    const [start, end] = match.indices?.[1] ?? [0, 0];
    if (end > start) spans.push({ start, end });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** A nickname with its article after `dit`: `dit le Marquis`, `dit « La Grande »`. */
const ARTICLE_NICKNAME =
  /(?<![\p{L}])(?:dite?|alias|surnomm[ée]e?)[ \u00A0]+(?:[«"“][ \u00A0]*)?((?:le|la|les|Le|La|Les)[ \u00A0]+\p{Lu}[\p{L}\p{M}-]*(?:[ \u00A0]+\p{Lu}[\p{L}\p{M}-]*)?|[lL]['’]\p{Lu}[\p{L}\p{M}-]*)/dgu;

/** Whether most letters of the text's words are capitals (a police note in capitals). */
function inCapitals(tokens: readonly Token[]): boolean {
  let letters = 0;
  let upper = 0;
  for (const token of tokens) {
    letters += token.word.length;
    if (token.shape === 'upper' || token.shape === 'initial') upper += token.word.length;
    else if (token.shape === 'title') upper += 1;
  }
  return letters >= 12 && upper / letters > 0.6;
}

/**
 * Whether a name starts at `tokens[i]`, by the module's rules: the index of the token its
 * right part extends from (the name itself after a familiar title or initials), or -1.
 */
function startOfName(
  tokens: readonly Token[],
  text: string,
  i: number,
  capitalsText: boolean,
): number {
  const token = tokens[i] as Token;
  const f = fold(token.word);
  // most words are ordinary words in lower case: out before any regular expression runs
  if (token.shape === 'lower' && (f.length < 4 || !isGivenName(token.word))) return -1;
  const next = tokens[i + 1];
  const prev = tokens[i - 1];
  const after = text.slice(token.end, token.end + 40);
  const cue = cueText(text, token);
  const strong = STRONG_CUE.test(cue);
  const weak = strong || WEAK_CUE.test(cue);
  const spaceAfter = next !== undefined && NAME_GAP.test(text.slice(token.end, next.start));
  const evidence =
    AGE_AFTER.test(after) ||
    CONTACT_AFTER.test(after) ||
    ALIAS_AFTER.test(after) ||
    CONTACT_BEFORE.test(text.slice(Math.max(0, token.start - 20), token.start));

  if (FAMILIAR.has(f) && isCapitalised(token) && isCapitalised(next) && spaceAfter) {
    // `Tata Zohra`, `DJ Momo`: the title goes with the name
    return STOP.has(fold(next?.word ?? '')) ? -1 : i + 1;
  }
  if (token.shape === 'lower') {
    // `contacter fatima`, `contact kader`: in lower case, a given name that is no French word,
    // after a cue
    const plain = !isCommonWord(token.word) && !CONTACT_WORDS.has(f);
    const before = tokens[i - 2];
    const pairedLower =
      fold(prev?.word ?? '') === 'et' && before !== undefined && isGivenName(before.word);
    return plain && (weak || pairedLower) && f.length >= 4 && isGivenName(token.word) ? i : -1;
  }
  if (token.shape === 'initial') {
    // `A. Bensaïd`, `M.-A. Roux`, `par J.-P. M.`: initials and a surname, or initials alone after a cue
    if (weak && /^\.\p{Lu}\.(?![\p{L}])/u.test(text.slice(token.end))) return i + 1; // `N.K.`
    const initials = /^\.(?:-\p{Lu}\.)?[ \u00A0]+/u.exec(text.slice(token.end));
    if (!initials) return -1;
    const k = tokens.findIndex((t) => t.start === token.end + initials[0].length);
    const surname = tokens[k];
    if (surname === undefined) return -1;
    if (surname.shape === 'initial') return weak && text[surname.end] === '.' ? k : -1;
    const ok =
      isCapitalised(surname) &&
      !LINKS.has(fold(surname.word)) &&
      !STOP.has(fold(surname.word)) &&
      !isAcronym(surname) &&
      (!isCommonWord(surname.word) || isSurname(surname.word));
    return ok ? k : -1;
  }
  const surnameNext =
    isCapitalised(next) && spaceAfter && !STOP.has(fold(next?.word ?? '')) && !isAcronym(next);
  const surnameBefore =
    prev?.shape === 'upper' &&
    !isAcronym(prev) &&
    NAME_GAP.test(text.slice(prev.end, token.start)) &&
    (!isCommonWord(prev.word) || isSurname(prev.word));
  const title = token.shape === 'title' || !capitalsText;
  if (isGivenName(token.word) || isNickname(token)) {
    if (!title && !surnameNext && !strong) {
      // in a text in capitals a given name needs a neighbour in capitals: `MARTINEZ ALEXIS`
      return surnameBefore ? i : -1;
    }
    // `Kiki` mid-sentence is a nickname; `Tête` at the start of a sentence is a word
    const ordinary =
      isCommonWord(token.word) && !(isNickname(token) && !startsSentence(text, token));
    // `Kiki et Jojo`: another given name after `et`
    const pair = tokens[i + 2];
    const pairedName =
      fold(next?.word ?? '') === 'et' &&
      pair !== undefined &&
      isCapitalised(pair) &&
      (isNickname(pair) || isGivenName(pair.word));
    // an ordinary word (`Rose`, `Pierre`, `Louis`) needs a surname, a cue, an age, a contact
    return !ordinary || surnameNext || surnameBefore || weak || evidence || pairedName ? i : -1;
  }
  if (isAcronym(token) || (isCommonWord(token.word) && !isSurname(token.word))) return -1;
  const nextPlain =
    surnameNext && next !== undefined && (!isCommonWord(next.word) || isSurname(next.word));
  if (
    token.shape === 'upper' &&
    !isCommonWord(token.word) &&
    next?.shape === 'title' &&
    nextPlain
  ) {
    // `KEVORKIAN Araxie`, `OUEDRAOGO Issouf`: a surname in capitals, then the given name
    return i;
  }
  // a word of no list: after a strong cue, or with an age, a contact or a nickname next to it
  if (strong) return !title ? (isSurname(token.word) ? i : -1) : i;
  if (evidence && title) return i;
  if (title && !isCommonWord(token.word) && nextPlain && next?.shape === 'title') {
    // `Soumaïla Konaté`, `Arsen Hakobyan` after `par`: two words of no dictionary, the second
    // a surname of the list or after a cue
    if (isSurname(next.word) || weak) return i;
  }
  // `à Toulon` is a place: a surname alone needs a cue other than `à`
  const surnameCue =
    weak &&
    !(/(?:^|[^\p{L}])a$/u.test(cue) && !/(?:hommage|soutien|merci|remerciements) a$/u.test(cue));
  return surnameCue && title && isSurname(token.word) && !isCommonWord(token.word) ? i : -1;
}
