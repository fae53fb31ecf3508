import type { PiiKind } from '@app/sanitization';

/** A planted personal datum: what a scrub must make disappear, and the placeholder it expects. */
export interface PiiCanary {
  readonly kind: PiiKind;
  readonly value: string;
}

/** A canary planted in a realistic French sentence, and the sentence once scrubbed. */
export interface PlantedCanary {
  readonly canary: PiiCanary;
  readonly text: string;
  readonly expected: string;
}

type Random = () => number;

/** mulberry32: a small, fast, seeded generator in [0, 1); same seed, same sequence. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(rng: Random, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)] as T;
const digits = (rng: Random, n: number) =>
  Array.from({ length: n }, () => String(Math.floor(rng() * 10))).join('');
const between = (rng: Random, min: number, max: number) =>
  min + Math.floor(rng() * (max - min + 1));
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z-]/g, '')
    .toLowerCase();
const groupsOf4 = (s: string) => s.replace(/(.{4})(?=.)/g, '$1 ');

const FIRST_NAMES = [
  'Jean',
  'Marie',
  'Jean-Pierre',
  'Marie-Claire',
  'Fatima',
  'Karim',
  'Léa',
  'Lucas',
  'Chloé',
  'Mohamed',
  'Nadia',
  'Hugo',
  'Inès',
  'Thomas',
  'Camille',
  'Yasmine',
  'Éric',
  'Anne-Sophie',
  'Rachid',
  'Sylvie',
  'Océane',
  'Kévin',
  'Aïcha',
  'Julien',
  'Mehdi',
  'Hélène',
] as const;
const SURNAMES = [
  'Dupont',
  'Martin',
  'Bernard',
  'Benali',
  'Haddad',
  'Nguyen',
  'Moreau',
  'Lefèvre',
  'Garcia',
  'Rossi',
  'Bouzid',
  'Fabre',
  'Giraud',
  'Mercier',
  'Chabert',
  'Ferrandi',
  'Santoni',
  'Belkacem',
  'Durand',
  'Pellegrin',
  'Castelli',
  "O'Neil",
] as const;
const PARTICLE_SURNAMES = [
  'de La Tour',
  'Le Goff',
  'de Villeneuve',
  "d'Arbaud",
  'du Plessis',
  'Le Gall',
  'de Saint-Exupéry',
  'Da Silva',
  'Van Damme',
  'de la Roche',
] as const;
const CIVILITIES = [
  'M.',
  'M',
  'Mme',
  'Mme.',
  'Mlle',
  'Monsieur',
  'Madame',
  'Mademoiselle',
  'monsieur',
  'madame',
  'Dr',
  'Dr.',
  'Docteur',
  'Me',
  'Maître',
  'Pr',
] as const;
const MAIL_DOMAINS = [
  'gmail.com',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'yahoo.fr',
  'hotmail.fr',
  'sfr.fr',
  'wanadoo.fr',
  'protonmail.com',
  'univ-amu.fr',
  'collectif-quartiers.org',
] as const;
const AT_FORMS = [
  '@',
  '@',
  ' (at) ',
  ' [at] ',
  ' arobase ',
  '(at)',
  ' AT ',
  ' {at} ',
  ' (arobase) ',
];
const DOT_FORMS = ['.', '.', '.', ' [dot] ', ' (point) ', ' point '];
const SIV_LETTERS = 'ABCDEFGHJKLMNPQRSTVWXYZ';
const FNI_LETTERS = 'ABCDEFGHJKLMNPQRSTVWXYZ';
/** Letter groups the scrubber reads as words, not plates (`2 QRR 13`): never generated. */
const FNI_ACRONYMS = new Set(['QRR', 'PSQ', 'TER', 'RN', 'RD', 'KM', 'AV', 'BD']);
const PLATE_DEPARTMENTS = ['13', '13', '83', '84', '04', '06', '30', '2A', '2B', '75', '69', '974'];

function personName(rng: Random): string {
  const surname = rng() < 0.3 ? pick(rng, PARTICLE_SURNAMES) : pick(rng, SURNAMES);
  const upper = rng() < 0.25;
  const last = upper && !surname.includes(' ') ? surname.toUpperCase() : surname;
  return rng() < 0.55 ? `${pick(rng, FIRST_NAMES)} ${last}` : last;
}

/** ISO 13616 check digits of an IBAN whose country code is `country` and body `bban`. */
function ibanCheck(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return pad(98 - Number(BigInt(rearranged) % 97n), 2);
}

/** Random letters A–Z for an IBAN's bank code. */
const letters = (rng: Random, n: number) =>
  Array.from({ length: n }, () => pick(rng, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''))).join('');

const IBAN_BODIES: ReadonlyArray<readonly [string, (rng: Random) => string]> = [
  [
    'FR',
    (rng) =>
      `${digits(rng, 10)}${rng() < 0.2 ? letters(rng, 1) : digits(rng, 1)}${digits(rng, 12)}`,
  ],
  ['FR', (rng) => digits(rng, 23)],
  ['MC', (rng) => digits(rng, 23)],
  ['DE', (rng) => digits(rng, 18)],
  ['ES', (rng) => digits(rng, 20)],
  ['IT', (rng) => `${letters(rng, 1)}${digits(rng, 22)}`],
  ['BE', (rng) => digits(rng, 12)],
  ['GB', (rng) => `${letters(rng, 4)}${digits(rng, 14)}`],
  ['CH', (rng) => digits(rng, 17)],
  ['NL', (rng) => `${letters(rng, 4)}${digits(rng, 10)}`],
  ['PT', (rng) => digits(rng, 21)],
];

const URL_MAKERS: ReadonlyArray<(rng: Random) => string> = [
  (rng) => `https://www.facebook.com/profile.php?id=1000${digits(rng, 11)}`,
  (rng) => `https://x.fr/p?id=${between(rng, 1, 99_999)}`,
  (rng) =>
    `https://www.helloasso.com/associations/collectif-${digits(rng, 3)}/evenements/marche?utm_source=sms&ref=${digits(rng, 6)}`,
  (rng) => `http://exemple.org/page-${digits(rng, 4)}#contact`,
  (rng) => `https://docs.google.com/document/d/1${digits(rng, 8)}AbCd/edit?usp=sharing`,
  (rng) => `https://www.instagram.com/${ascii(pick(rng, SURNAMES))}${digits(rng, 2)}/?hl=fr`,
  (rng) => `https://chat.whatsapp.com/invite?code=${letters(rng, 6)}${digits(rng, 4)}`,
  (rng) => `www.exemple.fr/inscription?nom=${ascii(pick(rng, SURNAMES))}&tel=06${digits(rng, 8)}`,
  (rng) => `https://www.leboncoin.fr/voitures/${digits(rng, 10)}.htm#coordonnees`,
  (rng) =>
    `https://framaforms.org/manif-${digits(rng, 4)}?token=${letters(rng, 3)}${digits(rng, 5)}`,
];

/**
 * The kinds a canary stands for on its own, in any sentence. An address, a birth date, an age or
 * an identity number is personal only by its context (`habite au`, `né le`, next to a name),
 * so those are measured on the labelled corpus (`test-data/pii-corpus`) instead.
 */
export type CanaryKind = Exclude<PiiKind, 'ADDRESS' | 'BIRTH_DATE' | 'AGE' | 'ID_NUMBER'>;

/** One generator per kind: adding a kind to `CanaryKind` will not compile until it has canaries. */
const GENERATORS: Record<CanaryKind, (rng: Random) => string> = {
  EMAIL: (rng) => {
    const first = ascii(pick(rng, FIRST_NAMES));
    const last = ascii(pick(rng, SURNAMES));
    const local = pick(rng, [
      `${first}.${last}`,
      `${first[0] ?? 'j'}${last}`,
      `${first}_${last}${digits(rng, 2)}`,
      `${last}-${first}`,
      `${first}${between(rng, 1950, 2010)}`,
    ]);
    const [label, tld] = pick(rng, MAIL_DOMAINS).split(/\.(?=[a-z]+$)/) as [string, string];
    const address = `${local}${pick(rng, AT_FORMS)}${label}${pick(rng, DOT_FORMS)}${tld}`;
    return rng() < 0.1 ? address.toUpperCase() : address;
  },
  PHONE: (rng) => {
    const lead = pick(rng, ['6', '7', '4', '4', '9', '1']);
    const pairs = [
      lead === '4' ? pick(rng, ['91', '95', '96', '88', '42', '13']) : digits(rng, 2),
      digits(rng, 2),
      digits(rng, 2),
      digits(rng, 2),
    ];
    switch (between(rng, 0, 8)) {
      case 0:
        return `0${lead} ${pairs.join(' ')}`;
      case 1:
        return `0${lead}.${pairs.join('.')}`;
      case 2:
        return `0${lead}${pairs.join('')}`;
      case 3:
        return `0${lead}-${pairs.join('-')}`;
      case 4:
        return `+33 ${lead} ${pairs.join(' ')}`;
      case 5:
        return `+33 (0)${lead} ${pairs.join(' ')}`;
      case 6:
        return `0033${lead}${pairs.join('')}`;
      case 7:
        return `+33${lead}${pairs.join('')}`;
      default:
        return `0${lead}\u00A0${pairs.join('\u00A0')}`;
    }
  },
  PLATE: (rng) => {
    if (rng() < 0.55) {
      const l = (n: number) =>
        Array.from({ length: n }, () => pick(rng, SIV_LETTERS.split(''))).join('');
      const [a, num, b] = [l(2), digits(rng, 3), l(2)];
      const sep = pick(rng, ['-', '-', ' ', '']);
      const plate = `${a}${sep}${num}${sep}${b}`;
      return sep === '-' && rng() < 0.15 ? plate.toLowerCase() : plate;
    }
    const letterCount = between(rng, 2, 3);
    const number = String(between(rng, 1, letterCount === 3 ? 999 : 9999));
    let chars = '';
    do {
      chars = Array.from({ length: letterCount }, () => pick(rng, FNI_LETTERS.split(''))).join('');
    } while (FNI_ACRONYMS.has(chars));
    const sep = pick(rng, [' ', ' ', '', '-']);
    return `${number}${sep}${chars}${sep}${pick(rng, PLATE_DEPARTMENTS)}`;
  },
  NIR: (rng) => {
    const sex = pick(rng, ['1', '2', '1', '2', '7', '8']);
    const department = rng() < 0.1 ? pick(rng, ['2A', '2B']) : pad(between(rng, 1, 95), 2);
    const parts = [
      sex,
      pad(between(rng, 0, 99), 2),
      pad(between(rng, 1, 12), 2),
      department,
      pad(between(rng, 1, 990), 3),
      pad(between(rng, 1, 999), 3),
    ];
    const numeric = parts.join('').replace('2A', '19').replace('2B', '18');
    const key = pad(97 - Number(BigInt(numeric) % 97n), 2);
    const withKey = rng() < 0.7 ? [...parts, key] : parts;
    return rng() < 0.5 ? withKey.join(' ') : withKey.join('');
  },
  IBAN: (rng) => {
    const [country, body] = pick(rng, IBAN_BODIES);
    const bban = body(rng);
    const iban = `${country}${ibanCheck(country, bban)}${bban}`;
    return rng() < 0.6 ? groupsOf4(iban) : iban;
  },
  NAME: (rng) => `${pick(rng, CIVILITIES)} ${personName(rng)}`,
  HANDLE: (rng) => {
    const first = ascii(pick(rng, FIRST_NAMES)).replace(/-/g, '');
    const last = ascii(pick(rng, SURNAMES)).replace(/-/g, '');
    return `@${pick(rng, [
      `${first[0] ?? 'j'}${last}`,
      `${first}_${last}`,
      `${first}.${last}${digits(rng, 2)}`,
      `${last}${digits(rng, 2)}`,
      `_${first}${last}`,
      `${first}13`,
    ])}`;
  },
  URL: (rng) => pick(rng, URL_MAKERS)(rng),
};

/** Every kind with canaries, in a fixed order. */
export const CANARY_KINDS = Object.keys(GENERATORS) as CanaryKind[];
const KINDS = CANARY_KINDS;

/**
 * `count` distinct pseudo-random personal data values, every kind in turn (so each kind has
 * ⌊count / 8⌋ or more), in the many forms people write them: obfuscated e-mails, phones in
 * every French format, SIV and FNI plates, NIRs with valid keys, IBANs of several countries with
 * valid check digits, names after civilities with particles, handles, URLs with queries.
 * Deterministic: the same `seed` gives the same canaries.
 */
export function generatePiiCanaries(count: number, seed: number): PiiCanary[] {
  const rng = seeded(seed);
  const seen = new Set<string>();
  const canaries: PiiCanary[] = [];
  for (let i = 0; canaries.length < count; i++) {
    const kind = KINDS[canaries.length % KINDS.length] as CanaryKind;
    const value = GENERATORS[kind](rng);
    if (seen.has(value)) {
      if (i > count * 50) throw new Error(`cannot make ${count} distinct canaries`);
      continue;
    }
    seen.add(value);
    canaries.push({ kind, value });
  }
  return canaries;
}

/**
 * Sentences as Cortège users write them, full of what must stay (postcodes, arrondissements,
 * dates, times, counts, themes, places, `M. le Préfet`), with `{}` where a canary goes.
 */
export const CANARY_SENTENCES: readonly string[] = [
  "Contact de l'organisateur : {}, joignable avant le 14/07/2026 à 10h30.",
  'Départ Quai du Port (13002) à 10h30, 3 000 personnes attendues ; référent : {}.',
  "Rassemblement Place Félix Baret, 13006 Marseille, le 1er mai 2026 — infos auprès de {} pour le service d'ordre.",
  'Signalé par {} lors de la réunion du 2026-05-01 avec M. le Préfet de Police.',
  'Parcours : Saint-Charles, La Canebière, Cours Julien puis Rond-point du Prado ; {} coordonne les 4000 manifestants.',
  'Opération PSQ QRR et CODAF au MIN des Arnavaux (13014), 12 bis boulevard, renseignements {} avant 18h.',
  'Monsieur le Maire sera présent ; le camion sono est déclaré au nom de {} (voir dossier du 14/07/2026).',
  'Visite officielle de Madame la Ministre au Vieux-Port, 13e arrondissement ; contact presse {}.',
  '{} demande un arrêt Place des Réformés vers 15h45 pour 300 personnes.',
  'Rendez-vous Rue du Docteur Escat, 13006 Marseille : {} y sera dès 9h.',
  'Le cortège (2 000 à 3 000 personnes) passera par le boulevard de la Libération ; pour tout problème : {}',
  "Organisateur (statut association) : {} ; arrivée prévue à 12h00, Porte d'Aix.",
];

/** Each canary in each sentence, with the sentence the scrubber should return. */
export function plantPiiCanaries(
  canaries: readonly PiiCanary[],
  sentences: readonly string[] = CANARY_SENTENCES,
): PlantedCanary[] {
  return canaries.flatMap((canary) =>
    sentences.map((sentence) => ({
      canary,
      text: sentence.replace('{}', () => canary.value),
      expected: sentence.replace('{}', `[${canary.kind}]`),
    })),
  );
}
