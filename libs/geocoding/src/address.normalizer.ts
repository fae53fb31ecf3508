import { inseeOfPostcode, isMarseilleInsee, postcodeOfArrondissement } from './marseille';
import {
  ABBREVIATIONS,
  ARRONDISSEMENT_WORDS,
  ARTICLES,
  REPETITION_WORDS,
  STREET_TYPES,
  TWO_WORD_ABBREVIATIONS,
} from './street-vocabulary';

/** An address as people write it, taken apart and reduced to one canonical text. */
export interface NormalizedAddress {
  /**
   * The cache key: number, repetition, name and postcode in canonical form, so that
   * `2 r. de Rome, 13001 Marseille` and `2 rue de rome 1er arrondissement` share one key.
   * Empty when nothing addressable is left.
   */
  readonly key: string;
  /** The house number, when the address starts with one (`12`, `12 bis`, `12-14` → 12). */
  readonly houseNumber: number | undefined;
  /** The repetition index after the number: `bis`, `ter`, `quater`, `a`, `b`… */
  readonly rep: string | undefined;
  /** `13001`…`13016` as written, or from an arrondissement (`13e`, `1er arrondissement`). */
  readonly postcode: string | undefined;
  /** `13201`…`13216`, from the postcode, an arrondissement or an INSEE code in the text. */
  readonly inseeCode: string | undefined;
  /** The part naming a street (`rue de rome`), when a part starts with a street type. */
  readonly street: string | undefined;
  /** The street type of `street` (`rue`, `boulevard`, `rond point`…). */
  readonly streetType: string | undefined;
  /** The other parts: named places, buildings (`hotel de ville`, `gare saint charles`). */
  readonly places: readonly string[];
  /** Every part (street and places), in order, without number, postcode or city. */
  readonly parts: readonly string[];
  /** `parts` joined by a space. */
  readonly name: string;
}

/**
 * Lower case, accents and ligatures removed, apostrophes and punctuation folded to one space.
 * `Boulevard d’Athènes` → `boulevard d athenes`; `Cœur` → `coeur`.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** `13e`, `1er`, `2eme`, `3ieme`, `4ème` → `13e`, `1e`, `2e`… (one form for every ordinal). */
const ORDINAL = /^(\d{1,3})(?:e|er|ere|re|eme|ieme|em|me)$/;

/** Expands abbreviations and ordinals in folded tokens. */
function expandTokens(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    const pair = next === undefined ? undefined : TWO_WORD_ABBREVIATIONS[`${token} ${next}`];
    if (pair !== undefined) {
      out.push(...pair.split(' '));
      i++;
      continue;
    }
    const ordinal = ORDINAL.exec(token);
    if (ordinal) {
      out.push(`${Number(ordinal[1])}e`);
      continue;
    }
    const expanded = ABBREVIATIONS[token];
    out.push(...(expanded ?? token).split(' '));
  }
  return out;
}

/**
 * A name (street, place) in canonical form: folded, abbreviations expanded, ordinals unified.
 * The gazetteer importer and the geocoder both call this, so both sides compare alike.
 * `Bd de la Libération` → `boulevard de la liberation`; `Rd-Pt du Prado` → `rond point du prado`.
 */
export function normalizeName(text: string): string {
  const folded = foldText(text);
  return folded === '' ? '' : expandTokens(folded.split(' ')).join(' ');
}

/** The street type a normalised name starts with (`rond point du prado` → `rond point`). */
export function streetTypeOf(normalizedName: string): string | undefined {
  const tokens = normalizedName.split(' ');
  const two = tokens.slice(0, 2).join(' ');
  if (STREET_TYPES.includes(two)) return two;
  return STREET_TYPES.includes(tokens[0] ?? '') ? tokens[0] : undefined;
}

/**
 * The distinctive words of a normalised street or place name: its leading street type and every
 * article dropped. `rue de la republique` → `republique`; `la canebiere` → `canebiere`.
 * Falls back to the whole name when nothing else is left (`place de la` → `place de la`).
 */
export function coreName(normalizedName: string): string {
  const type = streetTypeOf(normalizedName);
  const rest = type ? normalizedName.slice(type.length).trim() : normalizedName;
  const core = rest
    .split(' ')
    .filter((t) => t !== '' && !ARTICLES.has(t))
    .join(' ');
  return core === '' ? normalizedName : core;
}

/** Splits a folded segment into [place words, street words] at its first street type. */
function splitAtStreetType(tokens: readonly string[]): { place: string[]; street: string[] } {
  for (let i = 0; i < tokens.length; i++) {
    const type = streetTypeOf(tokens.slice(i, i + 2).join(' '));
    if (type === undefined) continue;
    // `marche du cours julien`: a street type after an article belongs to a place's name.
    if (i > 0 && ARTICLES.has(tokens[i - 1]!)) continue;
    // A street type with nothing after it (`12 bis boulevard`) names no street.
    if (tokens.length - i <= type.split(' ').length) continue;
    return { place: tokens.slice(0, i), street: tokens.slice(i) };
  }
  return { place: [...tokens], street: [] };
}

interface Extracted {
  postcode?: string;
  inseeCode?: string;
  arrondissement?: number;
}

/**
 * Removes the postcode, INSEE code, city (`marseille`, `cedex 20`, `france`) and arrondissement
 * mentions (`13e`, `1er arrondissement`, `marseille 6e`) from a segment's tokens.
 */
function stripLocality(tokens: string[], found: Extracted): string[] {
  const kept: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const prev = kept[kept.length - 1];
    const next = tokens[i + 1];
    if (/^\d{5}$/.test(token)) {
      if (isMarseilleInsee(token)) found.inseeCode ??= token;
      else if (token !== '13055') found.postcode ??= token;
      continue;
    }
    if (token === 'marseille' && !(prev !== undefined && ['de', 'd', 'du', 'a'].includes(prev))) {
      const ordinal = next === undefined ? null : ORDINAL.exec(next);
      if (ordinal && Number(ordinal[1]) >= 1 && Number(ordinal[1]) <= 16) {
        found.arrondissement ??= Number(ordinal[1]);
        i++;
        if (ARRONDISSEMENT_WORDS.has(tokens[i + 1] ?? '')) i++;
      }
      continue;
    }
    if (token === 'cedex') {
      if (/^\d{1,2}$/.test(next ?? '')) i++;
      continue;
    }
    if (token === 'france' && next === undefined) continue;
    const ordinal = ORDINAL.exec(token);
    if (ordinal) {
      const n = Number(ordinal[1]);
      const namedAsArrondissement = ARRONDISSEMENT_WORDS.has(next ?? '');
      if (n >= 1 && n <= 16 && (namedAsArrondissement || next === undefined)) {
        found.arrondissement ??= n;
        if (namedAsArrondissement) i++;
        continue;
      }
    }
    if (ARRONDISSEMENT_WORDS.has(token) && /^\d{1,2}$/.test(prev ?? '')) {
      const n = Number(prev);
      if (n >= 1 && n <= 16) {
        found.arrondissement ??= n;
        kept.pop();
        continue;
      }
    }
    kept.push(token);
  }
  return kept;
}

/** Takes `12`, `12 bis`, `12b`, `n° 12`, `12-14` off the start of a segment's tokens. */
function takeHouseNumber(tokens: string[]): { number?: number; rep?: string; rest: string[] } {
  let i = 0;
  if (['n', 'no', 'num', 'numero'].includes(tokens[0] ?? '') && /^\d+$/.test(tokens[1] ?? ''))
    i = 1;
  const digits = tokens[i];
  if (digits === undefined || !/^\d{1,4}$/.test(digits) || tokens.length <= i + 1) {
    return { rest: tokens };
  }
  i++;
  let rep: string | undefined;
  const candidate = tokens[i];
  const after = tokens[i + 1];
  if (
    candidate !== undefined &&
    after !== undefined &&
    REPETITION_WORDS[candidate] !== undefined &&
    // `3 à la Canebière`: the preposition, not the index `a`.
    !(candidate === 'a' && ARTICLES.has(after))
  ) {
    rep = REPETITION_WORDS[candidate];
    i++;
  }
  return { number: Number(digits), rep, rest: tokens.slice(i) };
}

/**
 * Takes an address apart as people write it: `2 r. de Rome, 13001 Marseille`,
 * `12 bis bd Longchamp 1er arrondissement`, `Hôtel de Ville, Quai du Port`, `vieux port`.
 * Pure and total: any string gives a result (`key` is empty when nothing is left).
 */
export function normalizeAddress(raw: string): NormalizedAddress {
  const prepared = raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    // `12-14 rue …` → `12 rue …`; `12/14` likewise.
    .replace(/\b(\d{1,4})\s*[-/–]\s*\d{1,4}(?=\s*[a-z])/g, '$1')
    // `12bis`, `12b` → `12 bis`, `12 b` (never `13e`, an ordinal).
    .replace(/\b(\d{1,4})(bis|ter|quater|quinquies|[abcd])\b/g, '$1 $2')
    // `n°12` → `n 12`.
    .replace(/\bn\s*[°º]\s*(?=\d)/g, 'n ');

  const found: Extracted = {};
  let houseNumber: number | undefined;
  let rep: string | undefined;
  const segments: string[][] = [];
  let pendingNumber: { number: number; rep?: string } | undefined;

  for (const rawSegment of prepared.split(/[,;()\n\r|]+|\s[-–—]\s/)) {
    const folded = foldText(rawSegment);
    if (folded === '') continue;
    let tokens = stripLocality(expandTokens(folded.split(' ')), found);
    if (tokens.length === 0) continue;
    // `12, rue de Rome`: a segment that is only a number belongs to the next one.
    if (tokens.length <= 2 && /^\d{1,4}$/.test(tokens[0]!) && houseNumber === undefined) {
      const repWord = tokens[1] === undefined ? undefined : REPETITION_WORDS[tokens[1]];
      if (tokens.length === 1 || repWord !== undefined) {
        pendingNumber = { number: Number(tokens[0]), rep: repWord };
        continue;
      }
    }
    if (houseNumber === undefined) {
      if (pendingNumber) {
        houseNumber = pendingNumber.number;
        rep = pendingNumber.rep;
        pendingNumber = undefined;
      } else {
        const taken = takeHouseNumber(tokens);
        if (taken.number !== undefined) {
          houseNumber = taken.number;
          rep = taken.rep;
          tokens = taken.rest;
        }
      }
    }
    segments.push(tokens);
  }

  // `rue de Rome, 12`: a lone number after the street is its house number.
  if (houseNumber === undefined && pendingNumber) {
    houseNumber = pendingNumber.number;
    rep = pendingNumber.rep;
  }

  let street: string | undefined;
  const places: string[] = [];
  const parts: string[] = [];
  for (const tokens of segments) {
    const split = street === undefined ? splitAtStreetType(tokens) : { place: tokens, street: [] };
    if (split.place.length > 0) places.push(split.place.join(' '));
    if (split.street.length > 0) street = split.street.join(' ');
    parts.push(tokens.join(' '));
  }

  const postcode =
    found.postcode ??
    (found.arrondissement !== undefined
      ? postcodeOfArrondissement(found.arrondissement)
      : found.inseeCode !== undefined
        ? `130${found.inseeCode.slice(3)}`
        : undefined);
  const inseeCode = found.inseeCode ?? (postcode ? inseeOfPostcode(postcode) : undefined);
  const name = parts.join(' ');
  const key =
    name === ''
      ? ''
      : [houseNumber, rep, name, postcode].filter((p) => p !== undefined && p !== '').join(' ');
  return {
    key,
    houseNumber: name === '' ? undefined : houseNumber,
    rep: name === '' ? undefined : rep,
    postcode,
    inseeCode,
    street,
    streetType: street === undefined ? undefined : streetTypeOf(street),
    places,
    parts,
    name,
  };
}

/** The cache key of an address: `normalizeAddress(raw).key`. */
export function geocodeCacheKey(raw: string): string {
  return normalizeAddress(raw).key;
}
