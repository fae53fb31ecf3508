import { findContextNames } from './context-name.detector';
import { fold } from './name-lexicon';
import type { NameSpan } from './name-span';

export type { NameSpan } from './name-span';

/**
 * French civilities and honorifics that announce a name. Long forms in any of three casings
 * (`Monsieur`, `monsieur`, `MONSIEUR`); the short forms only as written, because `me`, `pr`
 * or `m` in lower case are ordinary words. Longer alternatives come first so `Mme` is not read
 * as `M`. A civility ends with its dot or before a space (`M.Dupont`, `M Dupont`, `Mme. X`).
 */
const CIVILITY = new RegExp(
  String.raw`(?<![\p{L}\p{N}_])(?:` +
    [
      '[Mm]onsieur',
      'MONSIEUR',
      '[Mm]essieurs',
      'MESSIEURS',
      '[Mm]ademoiselle',
      'MADEMOISELLE',
      '[Mm]esdemoiselles',
      '[Mm]adame',
      'MADAME',
      '[Mm]esdames',
      'MESDAMES',
      '[Dd]octeur',
      'DOCTEUR',
      '[Mm]a[îi]tre',
      'MA[ÎI]TRE',
      '[Pp]rofesseur',
      'PROFESSEUR',
      'Mmes',
      'MMES',
      'Mme',
      'MME',
      'Mlles',
      'Mlle',
      'MLLE',
      'Melle',
      String.raw`MM\.`,
      'Mr',
      'MR',
      'Dr',
      'DR',
      'Me',
      'Pr',
      'M',
    ].join('|') +
    String.raw`)(?:\.|(?=[\s\u00A0\u202F]))`,
  'gu',
);

const SPACES = /^[ \t\u00A0\u202F]+/u;
/** A capitalised word: `Dupont`, `DUPONT`, `Marie-Claire`, `O'Neil`, `D` (an initial). */
const WORD = /^\p{Lu}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*/u;
/** Any word, to read a title noun whatever its case. */
const ANY_WORD = /^\p{L}[\p{L}\p{M}]*(?:-\p{L}[\p{L}\p{M}]*)*/u;
/** Name particles that may precede a capitalised word: `de`, `du`, `de la`, `d'`, `Le`, `van`… */
const PARTICLE =
  /^(?:(?:de|De|DE)[ \u00A0]+(?:la|La|LA)[ \u00A0]+|(?:de|De|DE)[ \u00A0]+[lL]['’]|[dD]['’]|(?:de|du|des|De|Du|Des|DE|DU|DES|van|Van|von|Von|der|den|di|Di|da|Da|del|Del|della|dos|ben|Ben|ibn|el|El|al|Al|Le|La|LE|LA)[ \u00A0]+)/u;
/** Lower-case article before a title: `M. le Préfet`, `Madame la Ministre`, `Monsieur l'Adjoint`. */
const ARTICLE = /^(?:(?:le|la|les|Le|La|Les|LE|LA|LES)[ \u00A0]+|[lL]['’][ \u00A0]*)/u;

const LOWER_ARTICLE = /^(?:le|la|les|l['’])(?![\p{L}])/u;

/**
 * Functions that follow a civility and an article (`M. le Préfet`): a title, not a name.
 * Folded (lower case, no accents).
 */
const TITLES = new Set(
  [
    'prefet',
    'prefete',
    'sous-prefet',
    'sous-prefete',
    'maire',
    'ministre',
    'president',
    'presidente',
    'vice-president',
    'vice-presidente',
    'directeur',
    'directrice',
    'commissaire',
    'procureur',
    'procureure',
    'juge',
    'depute',
    'deputee',
    'senateur',
    'senatrice',
    'consul',
    'consule',
    'ambassadeur',
    'ambassadrice',
    'recteur',
    'rectrice',
    'general',
    'generale',
    'colonel',
    'commandant',
    'capitaine',
    'lieutenant',
    'adjoint',
    'adjointe',
    'conseiller',
    'conseillere',
    'secretaire',
    'delegue',
    'deleguee',
    'chef',
    'premier',
    'premiere',
    'gouverneur',
    'inspecteur',
    'inspectrice',
    'controleur',
    'batonnier',
    'doyen',
    'doyenne',
    'elu',
    'elue',
    'elus',
    'representant',
    'representante',
    'haut-commissaire',
    'garde',
    'cardinal',
    'archeveque',
    'eveque',
    'cure',
    'recteur',
    'officier',
    'sous-officier',
    'gardien',
  ].map(fold),
);

/**
 * Capitalised words that end a name instead of extending it: street types, places, calendar
 * words, so `M. Martin Place Castellane` loses the name only. Folded.
 */
const STOP_WORDS = new Set(
  [
    'rue',
    'avenue',
    'av',
    'boulevard',
    'bd',
    'place',
    'cours',
    'quai',
    'allee',
    'allees',
    'impasse',
    'chemin',
    'traverse',
    'square',
    'rond-point',
    'esplanade',
    'parvis',
    'promenade',
    'montee',
    'passage',
    'gare',
    'port',
    'vieux-port',
    'parc',
    'porte',
    'hotel',
    'prefecture',
    'mairie',
    'marseille',
    'lundi',
    'mardi',
    'mercredi',
    'jeudi',
    'vendredi',
    'samedi',
    'dimanche',
    'janvier',
    'fevrier',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'aout',
    'septembre',
    'octobre',
    'novembre',
    'decembre',
    'et',
    'ou',
    'psq',
    'qrr',
    'codaf',
    'min',
    ...TITLES,
  ].map(fold),
);

/**
 * A civility inside a street or building name honours someone rather than naming a person in
 * the event: `Rue du Docteur Escat`, `Place du Docteur Schweitzer`, `Lycée Professeur X`.
 */
const DEDICATION_BEFORE =
  /(?:^|[^\p{L}])(?:rue|avenue|av|bd|boulevard|place|pl|cours|quai|impasse|all[ée]es?|traverse|chemin|square|mont[ée]e|passage|rond-point|esplanade|parvis|jardin|parc|promenade|pont|tunnel|station|arr[êe]t|lyc[ée]e|coll[èe]ge|[ée]cole|h[ôo]pital|clinique|stade|gymnase|r[ée]sidence|cit[ée]|centre|fondation|institut|groupe scolaire)\.?[ \u00A0]+(?:(?:du|de[ \u00A0]+la|de[ \u00A0]+l['’]|des|de|d['’])[ \u00A0]*)?$/iu;

/** Reads `pattern` at `text[at…]`; the matched length, or 0. */
function lengthAt(pattern: RegExp, text: string, at: number): number {
  const m = pattern.exec(text.slice(at, at + 120));
  return m ? m[0].length : 0;
}

/**
 * Reads a person's name at `text[at…]`: one to three capitalised words, with particles between
 * or before them (`Marie-Claire de La Tour`, `d'Artagnan`, `Le Goff`). The end offset of the
 * name, or -1 when none starts there.
 */
function readName(text: string, at: number): number {
  let pos = at;
  let end = -1;
  for (let words = 0; words < 3; words++) {
    let p = pos;
    for (let n = 0, len = lengthAt(PARTICLE, text, p); len > 0 && n < 3; n++) {
      p += len;
      len = lengthAt(PARTICLE, text, p);
    }
    const word = WORD.exec(text.slice(p, p + 80))?.[0];
    if (word === undefined || STOP_WORDS.has(fold(word))) break;
    end = p + word.length;
    const gap = lengthAt(SPACES, text, end);
    if (gap === 0) break;
    pos = end + gap;
  }
  return end;
}

/** Reads one or more title nouns at `text[at…]` (`Préfet`, `Premier Ministre`); end or -1. */
function readTitles(text: string, at: number): number {
  let pos = at;
  let end = -1;
  for (;;) {
    const word = ANY_WORD.exec(text.slice(pos, pos + 60))?.[0];
    if (word === undefined || !TITLES.has(fold(word))) return end;
    end = pos + word.length;
    const gap = lengthAt(SPACES, text, end);
    if (gap === 0) return end;
    pos = end + gap;
  }
}

/**
 * Where `text` names a person after a civility (`M.`, `Mme`, `Dr`, `Maître`, …): the spans to
 * replace, civility included (`Mme Marie-Claire de La Tour`). After a title
 * (`M. le Préfet Dupont`) only the name is a span and the title stays; a title alone
 * (`Monsieur le Maire`, `Madame la Ministre`) is no span at all. Names without a civility are
 * not found (see the scrubber's documented limits).
 */
export function findPersonNames(text: string): NameSpan[] {
  return union([...findCivilityNames(text), ...findContextNames(text)]);
}

/** Overlapping or touching spans merged, in text order. */
function union(spans: NameSpan[]): NameSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: NameSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    else merged.push(span);
  }
  return merged;
}

function findCivilityNames(text: string): NameSpan[] {
  const spans: NameSpan[] = [];
  for (const match of text.matchAll(CIVILITY)) {
    const start = match.index;
    const afterCivility = start + match[0].length;
    if (spans.length > 0 && start < (spans[spans.length - 1]?.end ?? 0)) continue;
    if (DEDICATION_BEFORE.test(text.slice(Math.max(0, start - 40), start))) continue;
    const gap = lengthAt(SPACES, text, afterCivility);
    if (gap === 0 && !match[0].endsWith('.')) continue;
    const at = afterCivility + gap;

    const article = lengthAt(ARTICLE, text, at);
    const titlesEnd = article > 0 ? readTitles(text, at + article) : readTitles(text, at);
    if (titlesEnd >= 0) {
      // `M. le Préfet Dupont`: the title stays, the name after it goes.
      const space = lengthAt(SPACES, text, titlesEnd);
      const nameEnd = space > 0 ? readName(text, titlesEnd + space) : -1;
      if (nameEnd >= 0 && WORD.test(text.slice(titlesEnd + space, nameEnd))) {
        spans.push({ start: titlesEnd + space, end: nameEnd });
      }
      continue;
    }
    // A lower-case article not followed by a title (`M. le…`): not a name we can tell.
    if (LOWER_ARTICLE.test(text.slice(at, at + 4))) continue;
    const end = readName(text, at);
    if (end >= 0) spans.push({ start, end });
  }
  return spans;
}
