import { isCaught, measure, redactionsOf, utf16Offsets, type CorpusText } from './pii-measure';

const PLACEHOLDER = /\[(?:NAME|PHONE|EMAIL)\]/g;

describe('redactionsOf', () => {
  it('finds what each placeholder replaced, even when the original shares its letters', () => {
    const original = 'Appeler DUPONT Jean au 06 12 34 56 78, rue Paradis.';
    const scrubbed = 'Appeler [NAME] au [PHONE], rue Paradis.';
    expect(redactionsOf(original, scrubbed, PLACEHOLDER)).toEqual([
      { start: 8, end: 19, label: '[NAME]' },
      { start: 23, end: 37, label: '[PHONE]' },
    ]);
  });

  it('gives nothing for an untouched text', () => {
    expect(redactionsOf('place Jean Jaurès', 'place Jean Jaurès', PLACEHOLDER)).toEqual([]);
  });
});

describe('measure', () => {
  const corpus: CorpusText[] = [
    {
      id: 'a',
      field: 'description',
      text: 'Contact Karim Benali, 06 12 34 56 78',
      spans: [
        { start: 8, end: 20, kind: 'NAME', value: 'Karim Benali' },
        { start: 22, end: 36, kind: 'PHONE', value: '06 12 34 56 78' },
      ],
    },
    { id: 'b', field: 'subject', text: 'Rassemblement cours Julien', spans: [] },
  ];

  it('counts a span caught only when all its letters and digits went, and clean texts altered', () => {
    const result = measure(
      corpus,
      new Map([
        [
          'a',
          [
            { start: 8, end: 13, label: 'NAME' }, // "Karim" only: the surname stays
            { start: 22, end: 36, label: 'PHONE' },
          ],
        ],
        ['b', [{ start: 14, end: 26, label: 'LOCATION' }]],
      ]),
    );
    expect(result.byKind).toEqual({
      NAME: { spans: 1, caught: 0 },
      PHONE: { spans: 1, caught: 1 },
    });
    expect([result.redactions, result.rightRedactions]).toEqual([3, 2]);
    expect([result.cleanTexts, result.cleanAltered]).toEqual([1, 1]);
    expect(
      isCaught(corpus[0]!.text, corpus[0]!.spans[0]!, [{ start: 7, end: 21, label: '' }]),
    ).toBe(true);
  });
});

describe('utf16Offsets', () => {
  it('maps code points to UTF-16 units past a character outside the BMP', () => {
    expect(utf16Offsets('a😀b')).toEqual([0, 1, 3, 4]);
  });
});
