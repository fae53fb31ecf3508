import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlaceNames } from './place-names';
import { scrubText } from './text-scrubber';

/**
 * Every street and place name of the gazetteer extract the locator geocodes with
 * (`libs/geocoding-adapters/data`) must come out of the scrubber as it went in, alone and in
 * the sentences event texts put them in: the locator needs them.
 */
const DATA = join(__dirname, '..', '..', 'geocoding-adapters', 'data');

function column(file: string, name: string): string[] {
  const [header, ...rows] = readFileSync(join(DATA, file), 'utf8').split('\n').filter(Boolean);
  const at = (header ?? '').split(';').indexOf(name);
  if (at < 0) throw new Error(`${file} has no column ${name}`);
  return rows.map((row) => row.split(';')[at] ?? '');
}

const streets = [...new Set(column('adresses-13-extract.csv', 'nom_voie'))];
const places = [
  ...new Set([
    ...column('places.csv', 'name'),
    ...column('places.csv', 'aliases').flatMap((aliases) => aliases.split('|')),
  ]),
].filter((name) => name.trim() !== '');

const FRAMES = [
  (name: string) => name,
  (name: string) => `Rassemblement ${name} à 14h`,
  (name: string) => `Départ ${name}, arrivée Vieux-Port.`,
  (name: string) => `12 ${name}, 13001 Marseille`,
  (name: string) => `Le cortège passera par ${name} puis la préfecture.`,
  (name: string) => `Contact : Karim, rendez-vous ${name}.`,
];

/**
 * Places named like a person (`David`, the statue on the Prado beach, an alias of `Statue de
 * David`): an address keeps them, given the gazetteer's names; a subject or a description,
 * scrubbed without them, does not take the risk.
 */
const NAMED_LIKE_A_PERSON = new Set(['David']);
const placeNames = new PlaceNames(places);

describe('the gazetteer extract through the scrubber', () => {
  it('holds streets and places to check', () => {
    expect(streets.length).toBeGreaterThanOrEqual(15);
    expect(places.length).toBeGreaterThanOrEqual(100);
    expect(places).toEqual(expect.arrayContaining([...NAMED_LIKE_A_PERSON]));
  });

  it.each([...streets, ...places])('%s stays as it is in every address', (name) => {
    for (const frame of FRAMES) {
      const text = frame(name);
      const scrubbed = scrubText(text, { placeNames }).text;
      expect(scrubbed.includes(name) ? name : scrubbed).toBe(name);
    }
  });

  it.each([...streets, ...places].filter((name) => !NAMED_LIKE_A_PERSON.has(name)))(
    '%s stays as it is in every sentence of a free text',
    (name) => {
      for (const frame of FRAMES) {
        const text = frame(name);
        const scrubbed = scrubText(text).text;
        expect(scrubbed.includes(name) ? name : scrubbed).toBe(name);
      }
    },
  );

  it.each([...NAMED_LIKE_A_PERSON])('%s alone is a name in a free text', (name) => {
    expect(scrubText(`Rassemblement ${name} à 14h`).text).toBe('Rassemblement [NAME] à 14h');
  });

  it.each([...NAMED_LIKE_A_PERSON])(
    "%s after a person's cue is a name, even in an address",
    (name) => {
      for (const text of [`chez ${name}, 12 rue Paradis`, `Contact : ${name}`]) {
        expect(scrubText(text, { placeNames }).text).not.toContain(name);
      }
    },
  );

  it("keeps only the gazetteer's names: a given name that is no place still goes", () => {
    expect(scrubText('Rassemblement Karim à 14h', { placeNames }).text).toBe(
      'Rassemblement [NAME] à 14h',
    );
  });
});
