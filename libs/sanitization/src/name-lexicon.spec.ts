import { fold, isCommonWord, isGivenName, isSurname } from './name-lexicon';

describe('name lexicon', () => {
  it('reads given names and surnames from the right lists (the package labels them the other way round)', () => {
    for (const given of ['Karim', 'Léa', 'Timothée', 'Jean-Baptiste', 'Marie-Claire', 'Yasmina'])
      expect(isGivenName(given)).toBe(true);
    for (const surname of ['Dupont', 'Diallo', 'Giordano', 'Lefèvre-Dubois', 'NGUYEN'])
      expect(isSurname(surname)).toBe(true);
    expect(isGivenName('Dupont')).toBe(false);
    expect(isSurname('Timothée')).toBe(false);
  });

  it('knows the short forms people go by', () => {
    for (const short of ['Nico', 'Seb', 'Jo', 'Manu', 'Fred'])
      expect(isGivenName(short)).toBe(true);
  });

  it('tells ordinary French words, whatever their case and accents', () => {
    for (const word of ['rose', 'Pierre', 'SOUTIEN', 'préfecture', 'PREFECTURE'])
      expect(isCommonWord(word)).toBe(true);
    for (const name of ['Karim', 'Zerrouki', 'Benhaddou']) expect(isCommonWord(name)).toBe(false);
  });

  it('folds case, accents and typographic apostrophes', () => {
    expect(fold('PRÉFÈTE')).toBe('prefete');
    expect(fold('N’Diaye')).toBe("n'diaye");
  });
});
