import { ABBREVIATIONS, STREET_TYPES } from '@app/geocoding';
import { fold, isCommonWord, isGivenName, isSurname } from './name-lexicon';
import type { NameSpan } from './person-name.detector';

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

const folded = (words: readonly string[]) => new Set(words.map(fold));

/** Words that begin a street or place name, so the words after them are that name. */
const PLACE_HEADS = new Set([
  // the BAN's street types and their abbreviations (`rue`, `bd`, `rond point`)
  ...STREET_TYPES,
  ...Object.entries(ABBREVIATIONS)
    .filter(([, full]) => STREET_TYPES.includes(full))
    .map(([short]) => short),
  ...folded([
    'bastide',
    'domaine',
    'jardin',
    'jardins',
    'parc',
    'pont',
    'tunnel',
    'port',
    'gare',
    'station',
    'métro',
    'arrêt',
    'tram',
    'lycée',
    'collège',
    'école',
    'scolaire',
    'université',
    'faculté',
    'fac',
    'campus',
    'hôpital',
    'clinique',
    'stade',
    'gymnase',
    'piscine',
    'palais',
    'salle',
    'espace',
    'centre',
    'maison',
    'théâtre',
    'musée',
    'bibliothèque',
    'médiathèque',
    'cinéma',
    'église',
    'basilique',
    'cathédrale',
    'chapelle',
    'mosquée',
    'synagogue',
    'temple',
    'fondation',
    'institut',
    'statue',
    'monument',
    'stèle',
    'buste',
    'fontaine',
    'plage',
    'anse',
    'calanque',
    'quartier',
    'rond',
    'fort',
    'abbaye',
    'tour',
    'hôtel',
    'château',
    'marché',
    'caserne',
    'commissariat',
    'prix',
    'collectif',
    'association',
    'asso',
    'amicale',
    'comité',
    'club',
    'cercle',
    'fédération',
    'syndicat',
    'compagnie',
    'foyer',
    'corniche',
    'tribune',
    'virage',
  ]),
]);

/**
 * People whose names are on streets, schools and monuments all over France, and so in event
 * texts without a street type (`les lycéens de Victor Hugo`, `cercle Frédéric Mistral`):
 * never scrubbed. Folded, hyphens as spaces.
 */
const DEDICATEES = new Set(
  [
    'victor hugo',
    'jean jaures',
    'jean moulin',
    'charles de gaulle',
    'general de gaulle',
    'louis pasteur',
    'jules ferry',
    'leon gambetta',
    'emile zola',
    'anatole france',
    'paul bert',
    'marie curie',
    'pierre et marie curie',
    'jean mace',
    'albert camus',
    'leon blum',
    'jacques prevert',
    'marcel pagnol',
    'edmond rostand',
    'frederic mistral',
    'jean giono',
    'paul cezanne',
    'jean de la fontaine',
    'antoine de saint exupery',
    'saint exupery',
    'george sand',
    'simone veil',
    'nelson mandela',
    'martin luther king',
    'john f kennedy',
    'john kennedy',
    'jean zay',
    'aristide briand',
    'georges clemenceau',
    'jean monnet',
    'robert schuman',
    'louise michel',
    'olympe de gouges',
    'lucie aubrac',
    'pablo picasso',
    'sadi carnot',
    'felix baret',
    'felix pyat',
    'jules guesde',
    'adolphe thiers',
    'jules cantini',
    'victor gelu',
    'edmond rostand',
    'gaston crémieux',
    'jean claude izzo',
    'le corbusier',
    'jean bouin',
    'pierre de coubertin',
    'leo lagrange',
    'andre malraux',
    'jean vilar',
    'pierre puget',
    'honore daumier',
    'notre dame',
  ].map((name) => fold(name).replace(/-/g, ' ')),
);

/** How many tokens from `tokens[i]` spell a dedicatee's name, or 0. */
function dedicateeAt(tokens: readonly Token[], text: string, i: number): number {
  let words = '';
  for (let k = i; k < tokens.length && k < i + 5; k++) {
    const token = tokens[k] as Token;
    if (k > i && !/^[\s.'’-]*$/u.test(text.slice((tokens[k - 1] as Token).end, token.start))) break;
    words += (k > i ? ' ' : '') + fold(token.word).replace(/-/g, ' ');
    if (DEDICATEES.has(words)) return k - i + 1;
  }
  return 0;
}

/** Words that link the parts of a place or a name (`du`, `de la`, `d'`): skipped when walking. */
const LINKS = folded([
  'de',
  'du',
  'des',
  'la',
  'le',
  'les',
  "l'",
  "d'",
  'et',
  'saint',
  'sainte',
  'st',
  'ste',
]);

/** Titles that may stand inside a dedication (`avenue du Maréchal Foch`). */
const DEDICATION_TITLES = folded([
  'maréchal',
  'général',
  'docteur',
  'professeur',
  'président',
  'commandant',
  'colonel',
  'capitaine',
  'lieutenant',
  'abbé',
  'père',
  'frère',
  'cardinal',
  'amiral',
  'sergent',
  'chanoine',
  'monseigneur',
  'pasteur',
  'juge',
]);

/**
 * Capitalised words that end a name rather than extend it, and never start one: street types,
 * calendar words, city, functions, words of the trade.
 */
const STOP = folded([
  'marseille',
  'aix',
  'aubagne',
  'france',
  'provence',
  'europe',
  'canebière',
  'castellane',
  'prado',
  'joliette',
  'noailles',
  'belsunce',
  'réformés',
  'vélodrome',
  'timone',
  'lundi',
  'mardi',
  'mercredi',
  'jeudi',
  'vendredi',
  'samedi',
  'dimanche',
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
  'noël',
  'pâques',
  'ramadan',
  'aïd',
  'jésus',
  'dieu',
  'allah',
  'marianne',
  'om',
  'psg',
  'rdv',
  'pv',
  'préfet',
  'préfète',
  'préfecture',
  'maire',
  'mairie',
  'ministre',
  'président',
  'présidente',
  'député',
  'députée',
  'sénateur',
  'sénatrice',
  'commissaire',
  'procureur',
  'dj',
  'mc',
  'tel',
  'tél',
  'mail',
  'contact',
  'cni',
  'passeport',
  'nb',
  'né',
  'née',
  'ne',
  'nee',
  'ps',
  'iban',
  'rib',
  'tiktok',
  'instagram',
  'insta',
  'facebook',
  'twitter',
  'snapchat',
  'snap',
  'youtube',
  'twitch',
  'whatsapp',
  'telegram',
  'discord',
  'linkedin',
  'bic',
  'siret',
  'siren',
  'urssaf',
  'sncf',
  'ratp',
  'samu',
  'sdis',
  'gign',
  'raid',
  'opj',
  'apj',
  'gav',
  'dopc',
  'orga',
  'asso',
  'm',
  'mme',
  'mmes',
  'mlle',
  'mr',
  'dr',
  'me',
  'pr',
  ...PLACE_HEADS,
]);

/** Familiar titles that are part of what a person is called: `Tata Zohra`, `DJ Momo`. */
const FAMILIAR = folded([
  'tata',
  'tatie',
  'tati',
  'tonton',
  'mamie',
  'mamy',
  'mémé',
  'papi',
  'papy',
  'papé',
  'pépé',
  'dj',
  'mc',
  'cousin',
  'cousine',
  'maître',
]);

/**
 * Words after which a capitalised word that is no ordinary French word is a person:
 * `contact : Hadja`, `chez Sam`, `la famille Zerrouki`, `dit « Le Chauve »`. Folded; matched at
 * the end of the text before the word, separators (`:`, `,`, `(`, quotes) skipped.
 */
const STRONG_CUE =
  /(?:^|[^\p{L}])(?:contacts?(?: presse| sur place| local)?|referente?s?|responsables?(?: [\p{L}'-]+){0,3}|organisat(?:eur|rice)s?|animat(?:eur|rice)s?|chauffeur|tresorier(?:e)?|militante?|porte-parole|capo|coordinat(?:eur|rice)s?|declarante?s?|signataires?|temoins?|proprietaire(?: [\p{L}-]+){0,3}|titulaire(?: [\p{L}'-]+){0,4}|conducteur|conductrice|auteur(?: presume)?|victime|chez|famille|dite?|alias|surnommee?|prenommee?|nommee?|au nom d[eu]|a l'ordre d[eu]|de la part d[eu]|interpellee?|identifiee?|meneur|meneuse|benevole|correspondante?(?: sur place)?|personne a prevenir(?: [\p{L}-]+){0,4}|blessee?|capitaine|commandant|lieutenant|adjudant(?:-chef)?|brigadier(?:-chef)?|sergent|caporal|appeler|contacter|joindre|ecrire a|demander|voir)$/u;

/**
 * Weaker cues, after which only a word of the name lists is taken: `hommage à Roche`,
 * `soutien à Jean-Marc`, `sa fille Sonia`, `merci à Sylvain`.
 */
const WEAK_CUE =
  /(?:^|[^\p{L}])(?:par|pour|avec|a|hommage a|a la memoire d[eu]|soutien a|merci a|remerciements a|(?:sa|son|ses|leur|la|le|du|de la) (?:fils|fille|mere|pere|frere|soeur|tante|oncle|cousine?|neveu|niece|grand-mere|grand-pere|mari|femme|epouse|epoux|compagnon|compagne|amie?|voisine?|copain|copine|petite?-(?:fils|fille|amie?)))$/u;

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
/** Words that follow `contact` in lower case and are no names. */
const CONTACT_WORDS = new Set([
  'whatsapp',
  'insta',
  'instagram',
  'snap',
  'telegram',
  'signal',
  'tel',
  'sms',
  'facebook',
  'fb',
  'orga',
  'asso',
]);

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
  const before = text.slice(Math.max(0, token.start - 60), token.start).replace(CUE_GAP, '');
  return fold(before);
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
  const before = text.slice(Math.max(0, token.start - 12), token.start).trimEnd();
  return token.start - before.length <= 12 && before === ''
    ? text.slice(0, token.start).trim() === ''
    : /[.!?…\n]["»”)]*$/u.test(before);
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
