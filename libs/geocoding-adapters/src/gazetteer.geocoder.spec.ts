import { scoreStreet } from './gazetteer.geocoder';

describe('scoreStreet', () => {
  const street = (nomVoieNorm: string, simFull: number, simCore: number) => ({
    nomVoieNorm,
    simFull,
    simCore,
  });

  it('scores the better of the whole name and the core name', () => {
    expect(scoreStreet({ streetType: undefined }, street('la canebiere', 0.77, 1), 0.5)).toBe(1);
    expect(scoreStreet({ streetType: 'rue' }, street('rue de rome', 1, 1), 0.5)).toBe(1);
  });

  it('lowers a street of another type than the one written', () => {
    expect(
      scoreStreet({ streetType: 'rue' }, street('boulevard longchamp', 0.45, 1), 0.5),
    ).toBeCloseTo(0.85);
  });

  it('refuses a street whose distinctive words do not match, however alike the types', () => {
    // `boulevard baille` against `boulevard longchamp`: the type alone makes 0.38.
    expect(
      scoreStreet({ streetType: 'boulevard' }, street('boulevard longchamp', 0.38, 0.1), 0.5),
    ).toBeUndefined();
  });
});
