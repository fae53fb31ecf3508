import { ABBREVIATIONS, STREET_TYPES } from '@app/geocoding';

/**
 * Personal data that only their context gives away: a birth date after `né le`, an identity
 * number after `passeport n°`, an age next to a name, a home address after `demeurant` or next
 * to a name, a handle after `insta`, a phone number spelled out in words. Each is a cue (any
 * case) followed by a value (its own case rules), over the text as the earlier passes left it,
 * so `[NAME]` is itself a cue.
 */

/** A cue (global, any case) that ends where the value begins, and the value (sticky). */
export interface CuedValue {
  readonly cue: RegExp;
  readonly value: RegExp;
}

const exactCues = new WeakMap<RegExp, RegExp>();

/** `cue` matching a whole string (`^…$`), to try its shorter readings. */
function exactCue(cue: RegExp): RegExp {
  let exact = exactCues.get(cue);
  if (exact === undefined) {
    exact = new RegExp(`^(?:${cue.source})$`, cue.flags.replace('g', ''));
    exactCues.set(cue, exact);
  }
  return exact;
}

/** Where a value follows the cue that starts at `start` and ends at most at `end`, or -1. */
function valueAfterCue(text: string, cue: RegExp, value: RegExp, start: number, end: number) {
  for (let at = end; at > start; at--) {
    if (at < end && !exactCue(cue).test(text.slice(start, at))) continue;
    value.lastIndex = at;
    const found = value.exec(text);
    if (found !== null && found[0].length > 0) return { at, length: found[0].length };
  }
  return undefined;
}

/**
 * Replaces each value that directly follows a cue with `replacement()`. A cue that may end at
 * several places (`[NAME] (14 rue Sainte)` is a cue with its bracket, and `[NAME] (` one
 * without) is tried at its longest reading first, then at its shorter ones.
 */
export function replaceCued(
  text: string,
  { cue, value }: CuedValue,
  replacement: () => string,
): string {
  let out = '';
  let from = 0;
  cue.lastIndex = 0;
  for (let m = cue.exec(text); m !== null; m = cue.exec(text)) {
    if (m[0].length === 0) {
      cue.lastIndex += 1;
      continue;
    }
    if (m.index < from) continue;
    const found = valueAfterCue(text, cue, value, m.index, m.index + m[0].length);
    if (found === undefined) continue;
    out += text.slice(from, found.at) + replacement();
    from = found.at + found.length;
    cue.lastIndex = Math.max(cue.lastIndex, from);
  }
  return out + text.slice(from);
}

const SP = String.raw`[ \u00A0\u202F]`;
const MONTHS = String.raw`(?:janv(?:ier)?|f[ée]v(?:rier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?)\.?`;

/** A birth date: `né le 22/11/1975`, `NEE LE 02/02/2002`, `née en 1987`, `date de naissance : 3 mars 1990`. */
export const BIRTH_DATE: CuedValue = {
  cue: new RegExp(
    String.raw`(?<![\p{L}])(?:n[ée]e?s?${SP}+(?:le|en|l['’])${SP}*|date${SP}+de${SP}+naissance${SP}*:?${SP}*|ddn${SP}*:?${SP}*|\(°${SP}*)`,
    'giu',
  ),
  value: new RegExp(
    String.raw`(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|(?:\d{1,2}(?:er)?${SP}+)?${MONTHS}${SP}+\d{4}|(?:19|20)\d{2})(?![\p{N}])`,
    'iuy',
  ),
};

/**
 * An identity-card, passport, residence-permit or driving-licence number after its name:
 * `CNI 080713201456`, `passeport algérien n° 201845773`, `carte d'identité n° XK7RTP2M9`, `CNI
 * retrouvée dans la rue : X4RTBPFW4`. The number is 6–15 capitals and digits with 2 digits at
 * least, possibly in groups.
 */
export const ID_NUMBER: CuedValue = {
  cue: new RegExp(
    String.raw`(?<![\p{L}])(?:cni|passeport|passport|carte${SP}+(?:nationale${SP}+)?d['’]identit[ée]|titre${SP}+de${SP}+s[ée]jour|carte${SP}+de${SP}+s[ée]jour|(?:carte|titre)${SP}+de${SP}+r[ée]sident|r[ée]c[ée]piss[ée]|permis(?:${SP}+de${SP}+conduire)?|pi[èe]ce${SP}+d['’]identit[ée])(?:${SP}+\p{Ll}{2,}(?![°º.\p{L}])){0,4}${SP}*(?:n[°º]|no\.?|num(?:[ée]ro)?\.?)?${SP}*:?${SP}*`,
    'giu',
  ),
  value:
    /(?=(?:[A-Z]*\d){2})(?=[A-Z0-9 ]{6,})[A-Z0-9]{2,15}(?: [A-Z0-9]{2,6}){0,3}(?![\p{L}\p{N}])/uy,
};

/** A machine-readable zone of an identity document (`IDFRADUPONT<<<<…`). */
export const MRZ = /(?<![\p{L}\p{N}<])[A-Z0-9<]{5,44}<<[A-Z0-9<]{2,44}/gu;

/**
 * An age next to a name: `[NAME], 34 ans`, `[NAME] (17 ans)`, `[NAME], doyen des dockers, 91
 * ans`, or after `âgé de`.
 */
export const AGE: CuedValue = {
  cue: new RegExp(
    String.raw`\[NAME\](?:${SP}*[,(]${SP}*|${SP}+)(?:[^.;:!?()[\]\n\d]{1,40},${SP}*)?|(?<![\p{L}])[âa]g[ée]e?s?${SP}+de${SP}+`,
    'giu',
  ),
  value: new RegExp(String.raw`\d{1,3}${SP}*(?:ans|a)(?![\p{L}])`, 'iuy'),
};

/** Accented and capital forms of each letter, so `allee` also reads `Allée` and `ALLÉE`. */
const LETTER_FORMS: Readonly<Record<string, string>> = {
  a: 'aàâäAÀÂÄ',
  c: 'cçCÇ',
  e: 'eéèêëEÉÈÊË',
  i: 'iîïIÎÏ',
  o: 'oôöOÔÖ',
  u: 'uùûüUÙÛÜ',
};

/** A folded word (`allee`, `rond point`) as a pattern of its written forms, any case and accents. */
const writtenForms = (word: string) =>
  [...word]
    .map((c) =>
      c === ' ' ? '[- ]' : /[a-z]/.test(c) ? `[${LETTER_FORMS[c] ?? `${c}${c.toUpperCase()}`}]` : c,
    )
    .join('');

/**
 * Street types: the BAN's (`STREET_TYPES` of the geocoding library, `rue` … `cité`) and their
 * abbreviations there (`bd`, `av`, `r.`; one or two letters only with their dot), and what private
 * addresses also start with (`bastide`, `domaine`, `villa`, `lieu-dit`).
 */
const STREET = `(?:${[...STREET_TYPES, 'bastide', 'domaine', 'villa', 'lieu dit']
  .map(writtenForms)
  .concat(
    Object.entries(ABBREVIATIONS)
      .filter(([, full]) => STREET_TYPES.includes(full))
      .map(
        ([short]) =>
          `${writtenForms(short)}${short.length <= 2 && short !== 'bd' ? '\\.' : '\\.?'}`,
      ),
  )
  .sort((x, y) => y.length - x.length)
  .join('|')})`;
/** The words of a street's name (`des Bons Enfants`, `du 4 Septembre`): particles, capitalised words, numbers. */
const STREET_NAME = String.raw`(?:${SP}+(?:(?:de|des|du|la|le|les|aux|au|sur|en|et|l['’]|d['’])(?=${SP}|\p{Lu})|(?:[lLdD]['’])?[\p{Lu}\p{N}][\p{L}\p{M}\p{N}'’\-]*)){1,6}`;
/** What may follow a street: `, bât. B`, `, 3e étage`, `, n° 210`, `, 13005 Marseille`, ` (13006)`. */
const COMPLEMENT = String.raw`(?:${SP}*,?${SP}*(?:b[âa]t(?:iment)?\.?${SP}*[\p{L}\p{N}]{1,3}|esc(?:alier)?\.?${SP}*[\p{L}\p{N}]{1,3}|apt\.?${SP}*\p{N}{1,4}|appartement${SP}*\p{N}{1,4}|\p{N}{1,2}(?:e|è|ème|er)${SP}+[ée]tage|n[°º]${SP}*\p{N}{1,4}(?:${SP}*(?:bis|ter))?|\(?\p{N}{5}\)?(?:${SP}+\p{Lu}[\p{L}\p{M}\-]+(?:${SP}+\p{N}{1,2}(?:e|er|ème))?)?)(?![\p{L}\p{N}]))*`;
/** A house number: `27`, `n° 12 bis`, `3b`. */
const NUMBER = String.raw`(?:n[°º]${SP}*)?\p{N}{1,4}(?:${SP}*(?:bis|ter|[a-d]))?${SP}*,?${SP}*`;
/** Looking back from the end of an address: it ends with a postcode and maybe the city. */
const ENDS_WITH_POSTCODE = String.raw`(?<=\p{N}{5}\)?(?:${SP}+\p{Lu}[\p{L}\p{M}\-]+(?:${SP}+\p{N}{1,2}(?:e|er|ème))?)?)`;
/** A building or place name: `Bastide des Micocouliers`, `Les Hauts de Sainte-Marthe`. */
const BUILDING_NAME = String.raw`\p{Lu}[\p{L}\p{M}'’\-]*(?:${SP}+(?:(?:de|des|du|la|le|les)(?![\p{L}])|d['’]\p{L}+|\p{Lu}[\p{L}\p{M}'’\-]*)){0,4}`;
/** …before the street, with its comma. */
const BUILDING = String.raw`${BUILDING_NAME}${SP}*,${SP}*`;
/** A part of a building: `bât. C`, `esc. 2`, `apt 12`. */
const BUILDING_PART = String.raw`(?:[bB][âa]t(?:iment)?\.?|[eE]sc(?:alier)?\.?|[aA]pt\.?|[aA]ppartement)${SP}*[\p{L}\p{N}]{1,4}`;
const STREET_PART = String.raw`${STREET}\.?${STREET_NAME}(?=[\s,.;:()]|$)${COMPLEMENT}`;
/** An address: a number, or a building name, or neither, then the street and its complements. */
const ADDRESS_BODY = String.raw`(?:${NUMBER})?(?:${BUILDING_PART}${SP}*,${SP}*)?(?:${BUILDING})?${STREET_PART}`;

/**
 * A home address: after `habite`, `demeurant`, `domicilié(e)`, `dom.`, `réside`, `adresse
 * perso … :`, after `chez <someone>,` or right after a name (`[NAME], 52 rue Paradis, 13006
 * Marseille`). The event's own places (`départ 12 boulevard Baille`) have none of these.
 */
export const HOME_ADDRESS: CuedValue = {
  cue: new RegExp(
    String.raw`(?:(?<![\p{L}])(?:(?:habit(?:e|ent|ant|ait)|demeurant(?:e|es|s)?|domicili[ée]e?s?|r[ée]sid(?:e|ent|ant|ante)|vit|vivant)(?![\p{L}])|dom\.|c\/o|domicile(?:${SP}+(?:de|du|d['’])[^,.;:()]{0,40}|[^.;:()\n]{0,30}:)?|adresse(?:${SP}+(?:perso(?:nnelle)?|priv[ée]e|postale|de${SP}+(?:la|le|l['’]|son|sa)[^,.;:()]{0,30}))?(?:[^.;:()\n]{0,40}:)?)(?:${SP}+chez${SP}+(?:(?:sa|son|ses|leur)${SP}+\p{L}+|\[NAME\]))?(?:${SP}+(?:au|à|a|en))?${SP}*[:(,]?${SP}*|(?<![\p{L}])chez${SP}+(?:lui|elle|eux|elles|moi|nous|(?:sa|son|ses|leur)${SP}+\p{L}+|\[NAME\](?:${SP}+et${SP}+\[NAME\])?)(?:${SP}*[,(:]|${SP}+(?:au|à))${SP}*|(?<![\p{L}])c\/o${SP}+\[NAME\]${SP}*,${SP}*)`,
    'giu',
  ),
  value: new RegExp(ADDRESS_BODY, 'uy'),
};

/**
 * An address with its house number right after a name: `[NAME], 52 rue Paradis, 13006
 * Marseille`, `[NAME] dom. 9 rue Crudère`. Without a number (`chez [NAME], rue d'Aubagne`), the
 * street is more likely the place of the event, and stays.
 */
export const NAMED_ADDRESS: CuedValue = {
  cue: new RegExp(
    String.raw`\[NAME\](?:${SP}+et${SP}+\[NAME\])?(?:${SP}*\([^()\n]{0,60}\))?${SP}*(?:,|\(|${SP}dom\.)${SP}*(?:[^,.;:()\d\n[\]]{1,30},${SP}*)?`,
    'giu',
  ),
  value: new RegExp(
    String.raw`${NUMBER}${STREET_PART}|(?:${BUILDING_PART}${SP}*,${SP}*)?(?:${BUILDING})?(?:${STREET_PART}|${BUILDING_NAME}${COMPLEMENT})${ENDS_WITH_POSTCODE}`,
    'uy',
  ),
};

/** A handle named after its network: `compte insta titi_ultra`, `sur Snap : mamanzoubida`. */
export const PLATFORM_HANDLE: CuedValue = {
  cue: new RegExp(
    String.raw`(?<![\p{L}])(?:insta(?:gram)?|snap(?:chat)?|tik${SP}?tok|twitter|facebook|fb|twitch|telegram|t[ée]l[ée]gram|discord|youtube|threads|bluesky|bsky|mastodon|linkedin)(?![\p{L}])${SP}*(?:\(${SP}*)?(?::|=)?${SP}*(?:(?:compte|pseudo|profil)${SP}*:?${SP}*)?`,
    'giu',
  ),
  value:
    /(?=@?[A-Za-z0-9.]*[_.0-9]|@?[a-z]{4,}(?![\p{L}]))@?[A-Za-z][A-Za-z0-9_.]{2,29}(?<![.])(?![\p{L}\p{N}_@])/uy,
};

/**
 * URLs of a person's page on a social network or a personal fundraiser, with or without
 * `https://`: `facebook.com/kevin.abramovici.9`, `www.twitch.tv/lucas_marseille_live`.
 */
export const PERSONAL_URL =
  /(?<![\p{L}\p{N}@./])(?:https?:\/\/)?(?:(?:www|m|mobile|fr-fr|fr)\.)?(?:facebook\.com|fb\.com|instagram\.com|twitter\.com|x\.com|tiktok\.com|twitch\.tv|youtube\.com|youtu\.be|linkedin\.com|snapchat\.com|t\.me|threads\.net|bsky\.app|linktr\.ee|leetchi\.com|gofundme\.com|lepotcommun\.fr|paypal\.me)\/[^\s<>"«»)]+|(?<![\p{L}\p{N}@./])(?:https?:\/\/)?[a-z0-9-]+\.(?:blogspot|wordpress|over-blog|wixsite|skyrock|tumblr|substack)\.(?:com|fr)(?:\/[^\s<>"«»)]*)?/giu;

/** E-mail providers, for addresses written with `chez` for `@`: `karim_b13 chez yahoo point fr`. */
export const EMAIL_CHEZ =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*[ \u00A0]+chez[ \u00A0]+(?:gmail|yahoo|hotmail|outlook|live|msn|orange|wanadoo|free|sfr|laposte|bbox|neuf|club-internet|aol|icloud|protonmail|proton|gmx|yandex|numericable)(?:\.|[ \u00A0]+(?:point|dot)[ \u00A0]+)(?:fr|com|net|org|eu|me)(?![\p{L}\p{N}])/giu;

const UNITS = 'un|une|deux|trois|quatre|cinq|six|sept|huit|neuf';
const TEENS = 'dix-sept|dix-huit|dix-neuf|dix|onze|douze|treize|quatorze|quinze|seize';
const TENS = 'vingt|trente|quarante|cinquante|soixante';
/** A number from 0 to 99 in French words or digits: `quatre-vingt-neuf`, `soixante et onze`, `07`. */
const TWO_DIGITS = String.raw`(?:z[ée]ro(?:[- ](?:${UNITS}))?|quatre[- ]vingts?(?:[- ](?:${TEENS}|${UNITS}))?|(?:${TENS})(?:[- ](?:et[- ])?(?:${TEENS}|${UNITS}))?|${TEENS}|${UNITS}|\d{1,2})`;
/** A phone number said in words: `zéro sept, quarante-cinq, douze, trente, quatre-vingt-neuf`. */
export const SPELLED_PHONE = new RegExp(
  String.raw`(?<![\p{L}])z[ée]ro[ ,\-]+(?:${UNITS})(?:[ ,.\-]+(?:et[ ]+)?${TWO_DIGITS}){4}(?![\p{L}\p{N}])`,
  'giu',
);
