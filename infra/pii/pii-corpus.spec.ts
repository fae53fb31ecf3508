import { CORPORA, measureScrubber, readCorpus, recallOf } from './pii-compare';

/**
 * The scrubber on the two labelled corpora (see test-data/pii-corpus*): the targets of issue
 * #16, held as regressions. The side-by-side with Presidio is `pii-compare.int-spec.ts`.
 */
describe.each(Object.entries(CORPORA))('the scrubber on the %s', (_name, path) => {
  const corpus = readCorpus(path);
  const figures = measureScrubber(corpus);

  it('holds texts with and without personal data, every kind labelled', () => {
    expect(figures.cleanTexts).toBeGreaterThanOrEqual(100);
    expect(figures.spans).toBeGreaterThanOrEqual(250);
    for (const kind of ['NAME', 'ADDRESS', 'AGE', 'BIRTH_DATE', 'ID_NUMBER', 'PHONE', 'EMAIL'])
      expect(figures.byKind[kind]?.spans).toBeGreaterThan(0);
  });

  it('finds at least 95 % of the personal data', () => {
    expect(recallOf(figures)).toBeGreaterThanOrEqual(0.95);
  });

  it('alters fewer than 1 % of the texts without personal data', () => {
    expect(figures.cleanAltered / figures.cleanTexts).toBeLessThan(0.01);
  });

  it('redacts personal data, not the text around it (precision ≥ 95 %)', () => {
    expect(figures.rightRedactions / figures.redactions).toBeGreaterThanOrEqual(0.95);
  });
});
