import fc from 'fast-check';
import { PII_KINDS } from './pii-kind';
import { scrubText } from './text-scrubber';

/**
 * Texts made of the pieces the scrubber's rules react to (cues, civilities, names, streets,
 * numbers, placeholders, obfuscation words, odd spacing and accents) in any order: the scrubber
 * never throws, only ever writes placeholders of known kinds, counts each one it writes, and a
 * scrubbed text scrubs to itself.
 */
const PIECES = [
  'point',
  'dot',
  'chez',
  'at',
  'arobase',
  '@',
  '.',
  ',',
  ':',
  '(',
  ')',
  '«',
  '»',
  '–',
  '\n',
  'rue',
  'Rue',
  'bd',
  'BD',
  'de',
  'la',
  'Le',
  'les',
  'Saint-',
  'bât.',
  'C',
  'résidence',
  'Les Pins',
  'Jean',
  'KARIM',
  'Karim',
  'Dupont',
  'MARTINEZ',
  'Rose',
  'Momo',
  'Tata',
  'M.',
  'Mme',
  'Dr',
  'A.',
  '12',
  '13006',
  'Marseille',
  '06 12 34 56 78',
  'zéro',
  'six',
  'vingt',
  'ans',
  '34 ans',
  'habite',
  'domicilié',
  'demeurant',
  'né le',
  '01/02/2003',
  'passeport',
  'CNI',
  'n°',
  'AB12345',
  'insta',
  'a_b',
  'www.',
  'facebook.com/',
  'dit',
  'contact',
  'famille',
  'par',
  'pour',
  'et',
  '[NAME]',
  '[PHONE]',
  '[ADDRESS]',
  'é',
  'É',
  'x',
  'place Jean Jaurès',
  'AB-123-CD',
];
const text = fc
  .array(fc.tuple(fc.constantFrom(...PIECES), fc.constantFrom(' ', '', '  ', ', ', '\u00A0')), {
    maxLength: 120,
  })
  .map((parts) => parts.map(([piece, gap]) => piece + gap).join(''));

const PLACEHOLDER = /\[([A-Z_]+)\]/g;

describe('scrubText on generated texts', () => {
  it('never throws, writes and counts only known placeholders, and is idempotent', () => {
    fc.assert(
      fc.property(text, (input) => {
        const once = scrubText(input);
        const written: Record<string, number> = {};
        const before: Record<string, number> = {};
        for (const [, kind = ''] of input.matchAll(PLACEHOLDER))
          before[kind] = (before[kind] ?? 0) + 1;
        for (const [, kind = ''] of once.text.matchAll(PLACEHOLDER))
          written[kind] = (written[kind] ?? 0) + 1;
        for (const kind of Object.keys(written))
          expect(PII_KINDS as readonly string[]).toContain(kind);
        for (const kind of PII_KINDS)
          expect((written[kind] ?? 0) - (before[kind] ?? 0)).toBe(once.counts[kind] ?? 0);
        expect(scrubText(once.text)).toEqual({ text: once.text, counts: {} });
      }),
      { numRuns: 1500, seed: 20261207 },
    );
  });
});
