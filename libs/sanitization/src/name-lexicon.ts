import { dictionary } from '@zxcvbn-ts/language-fr';
import frenchWords from 'an-array-of-french-words';

const foldWord = (word: string) =>
  word.normalize('NFD').replace(/\p{M}/gu, '').replace(/’/g, "'").toLowerCase();

const folded = new Map<string, string>();

/**
 * Folds case and accents, so `PRÉFET`, `Préfet` and `prefet` compare equal. Remembers the last
 * 50,000 words it folded: a text's words are folded several times each.
 */
export function fold(word: string): string {
  let result = folded.get(word);
  if (result === undefined) {
    result = foldWord(word);
    if (folded.size >= 50_000) folded.clear();
    folded.set(word, result);
  }
  return result;
}

/**
 * The French name lists of `@zxcvbn-ts/language-fr` (MIT), pinned to one version because the
 * package labels them the wrong way round: `lastnames-fr` holds ~2,500 given names (`karim`,
 * `léa`, `timothée`) and `firstnames-fr` ~10,500 surnames (`dupont`, `diallo`, `giordano`).
 * `name-lexicon.spec.ts` pins that, so an upgrade that swaps them back fails loudly.
 */
/**
 * Short forms people go by, which the lists lack: French hypocoristics and clipped names, in
 * general use (`Nico`, `Seb`, `Fred`, `Manu`, `Jo`). Folded.
 */
const SHORT_FORMS = [
  'alex',
  'ben',
  'bruno',
  'caro',
  'cath',
  'chris',
  'christo',
  'dany',
  'dom',
  'domi',
  'fab',
  'fabi',
  'flo',
  'fred',
  'gaby',
  'gigi',
  'gégé',
  'greg',
  'jb',
  'jo',
  'jojo',
  'juju',
  'kader',
  'lolo',
  'ludo',
  'manu',
  'mat',
  'math',
  'max',
  'mimi',
  'momo',
  'nanou',
  'nath',
  'nico',
  'nono',
  'pat',
  'patou',
  'phil',
  'rico',
  'riton',
  'seb',
  'steph',
  'séb',
  'stéph',
  'titou',
  'toinou',
  'tonio',
  'toto',
  'val',
  'vince',
  'walid',
  'zizou',
];

const GIVEN_NAMES: ReadonlySet<string> = new Set([
  ...dictionary['lastnames-fr'].map(foldWord),
  ...SHORT_FORMS.map(foldWord),
]);
const SURNAMES: ReadonlySet<string> = new Set(dictionary['firstnames-fr'].map(foldWord));

let commonWords: ReadonlySet<string> | undefined;

/**
 * ~336,000 French words in lower case (`an-array-of-french-words`, MIT, from the Letterpress
 * list), folded; built on first use (about 0.8 s and 27 MB of heap).
 */
function common(): ReadonlySet<string> {
  commonWords ??= new Set((frenchWords as readonly string[]).map(foldWord));
  return commonWords;
}

/** Each part of a hyphenated word (`Jean-Baptiste`) is in `set`, or the whole word is. */
const inLexicon = (set: ReadonlySet<string>, folded: string) =>
  set.has(folded) || (folded.includes('-') && folded.split('-').every((part) => set.has(part)));

/** `Karim`, `LÉA`, `Jean-Baptiste`: a French given name. */
export const isGivenName = (word: string): boolean => inLexicon(GIVEN_NAMES, fold(word));

/** `Dupont`, `DIALLO`, `Lefèvre-Dubois`: a surname of the list. */
export const isSurname = (word: string): boolean => inLexicon(SURNAMES, fold(word));

/**
 * An ordinary French word once folded (`rose`, `pierre`, `soutien`), so `Rose` may be a flower
 * and `SOUTIEN` in a text in capitals is not a surname. Hyphenated words count when the whole
 * word is in the list.
 */
export const isCommonWord = (word: string): boolean => common().has(fold(word));
