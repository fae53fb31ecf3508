import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
 * Known limit: a place whose whole name is a given name (`David`, the statue on the Prado beach,
 * an alias of `Statue de David`) is taken for a person; its full name stays.
 */
const TAKEN_FOR_A_PERSON = new Set(['David']);

describe('the gazetteer extract through the scrubber', () => {
  it('holds streets and places to check', () => {
    expect(streets.length).toBeGreaterThanOrEqual(15);
    expect(places.length).toBeGreaterThanOrEqual(100);
  });

  it.each([...streets, ...places].filter((name) => !TAKEN_FOR_A_PERSON.has(name)))(
    '%s stays as it is in every sentence',
    (name) => {
      for (const frame of FRAMES) {
        const text = frame(name);
        const scrubbed = scrubText(text).text;
        expect(scrubbed.includes(name) ? name : scrubbed).toBe(name);
      }
    },
  );

  it.each([...TAKEN_FOR_A_PERSON])('known limit: %s alone is scrubbed as a name', (name) => {
    expect(places).toContain(name);
    expect(scrubText(`Rassemblement ${name} à 14h`).text).toBe('Rassemblement [NAME] à 14h');
  });
});
