/**
 * The words of French street addresses, in their one canonical form (lower case, no accents,
 * punctuation folded to spaces, so `rond-point` is `rond point`).
 */

/** Street types: the word (or two) a street name starts with in the BAN. */
export const STREET_TYPES: readonly string[] = [
  'rue',
  'boulevard',
  'avenue',
  'place',
  'cours',
  'quai',
  'impasse',
  'chemin',
  'route',
  'allee',
  'allees',
  'square',
  'traverse',
  'montee',
  'esplanade',
  'promenade',
  'rond point',
  'passage',
  'corniche',
  'faubourg',
  'carrefour',
  'parvis',
  'ruelle',
  'sentier',
  'rampe',
  'voie',
  'escalier',
  'escaliers',
  'descente',
  'lotissement',
  'residence',
  'hameau',
  'cite',
];

/**
 * Abbreviations → canonical words. Keys and values are folded text; a value may hold two words.
 * Ambiguous short words of ordinary French (`pas`, `car`, `lot`) are left alone on purpose.
 */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  // street types
  r: 'rue',
  ru: 'rue',
  bd: 'boulevard',
  bld: 'boulevard',
  blvd: 'boulevard',
  bvd: 'boulevard',
  boul: 'boulevard',
  boulv: 'boulevard',
  bould: 'boulevard',
  av: 'avenue',
  ave: 'avenue',
  aven: 'avenue',
  pl: 'place',
  crs: 'cours',
  qu: 'quai',
  qai: 'quai',
  qua: 'quai',
  imp: 'impasse',
  ch: 'chemin',
  chem: 'chemin',
  rte: 'route',
  all: 'allee',
  sq: 'square',
  tra: 'traverse',
  trav: 'traverse',
  mte: 'montee',
  esp: 'esplanade',
  espl: 'esplanade',
  prom: 'promenade',
  rdpt: 'rond point',
  rpt: 'rond point',
  rondpoint: 'rond point',
  fbg: 'faubourg',
  faub: 'faubourg',
  carr: 'carrefour',
  crf: 'carrefour',
  res: 'residence',
  lots: 'lotissement',
  ham: 'hameau',
  // saints and titles
  st: 'saint',
  ste: 'sainte',
  sts: 'saints',
  stes: 'saintes',
  nd: 'notre dame',
  dr: 'docteur',
  doct: 'docteur',
  gal: 'general',
  gen: 'general',
  gl: 'general',
  mal: 'marechal',
  pdt: 'president',
  prof: 'professeur',
  cdt: 'commandant',
  cmdt: 'commandant',
  lt: 'lieutenant',
  cne: 'capitaine',
  mgr: 'monseigneur',
  abb: 'abbe',
  // adjectives
  gd: 'grand',
  gde: 'grande',
  gds: 'grands',
  gdes: 'grandes',
  pt: 'petit',
  pte: 'porte',
  vx: 'vieux',
  vle: 'vieille',
};

/** Two-word abbreviations, looked at before the single words (`rd pt`, `n d`). */
export const TWO_WORD_ABBREVIATIONS: Readonly<Record<string, string>> = {
  'rd pt': 'rond point',
  'rd point': 'rond point',
  'rond pt': 'rond point',
  'n d': 'notre dame',
  'n dame': 'notre dame',
};

/** Articles and prepositions, dropped from a street's core name (`rue de la republique` → `republique`). */
export const ARTICLES: ReadonlySet<string> = new Set([
  'le',
  'la',
  'les',
  'l',
  'de',
  'du',
  'des',
  'd',
  'a',
  'au',
  'aux',
  'en',
  'et',
  'sur',
]);

/** House-number suffixes (`indice de répétition`), canonical form. */
export const REPETITION_WORDS: Readonly<Record<string, string>> = {
  bis: 'bis',
  b: 'b',
  ter: 'ter',
  t: 'ter',
  quater: 'quater',
  quinquies: 'quinquies',
  a: 'a',
  c: 'c',
  d: 'd',
};

/** Words of an arrondissement mention: `13e arrondissement`, `1er arr.`. */
export const ARRONDISSEMENT_WORDS: ReadonlySet<string> = new Set([
  'arrondissement',
  'arrondissements',
  'arrondt',
  'arrdt',
  'ardt',
  'arrt',
  'arr',
]);
