import { dictionary } from '@zxcvbn-ts/language-fr';

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

/**
 * A sorted list of distinct words held as one string and the offsets of its words, searched by
 * bisection: a fifth of the memory of a `Set` of the same words.
 */
class WordList {
  private readonly text: string;
  private readonly starts: Int32Array;

  constructor(words: Iterable<string>) {
    const sorted = [...new Set(words)].sort();
    this.text = sorted.join('\n');
    this.starts = new Int32Array(sorted.length + 1);
    let at = 0;
    sorted.forEach((word, i) => {
      this.starts[i] = at;
      at += word.length + 1;
    });
    this.starts[sorted.length] = at;
  }

  has(word: string): boolean {
    let lo = 0;
    let hi = this.starts.length - 2;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const probe = this.text.slice(this.starts[mid], (this.starts[mid + 1] ?? 0) - 1);
      if (probe === word) return true;
      if (probe < word) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

let commonWords: WordList | undefined;

/**
 * ~336,000 French words in lower case (`an-array-of-french-words`, MIT, from the Letterpress
 * list), folded; read on first use (about 0.8 s), kept as one sorted string (about 9 MB of heap),
 * and the package's own array let go.
 */
function common(): WordList {
  if (commonWords === undefined) {
    // required here, not imported, so its array of 336,000 strings is freed once folded
    const path = require.resolve('an-array-of-french-words');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const words = require(path) as readonly string[];
    commonWords = new WordList(words.map(foldWord));
    delete require.cache[path];
  }
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
