import { intensity, type IntensitySource } from './intensity';
import { TensionError } from './tension.error';
import { tensionModel } from './tension.model';

const march: IntensitySource = {
  eventId: 'm',
  kind: 'MOVING_DEMONSTRATION',
  peopleExpected: 900,
  peopleDeclared: 500,
  carsExpected: null,
  carsDeclared: 9,
};

describe('intensity', () => {
  it('takes the larger count, null as 0', () => {
    // crowd = max(900, 500) = 900, cars = max(0, 9) = 9
    // 3 × (1 + log10(1 + 900/100)) + 0.5 × log10(1 + 9) = 3 × 2 + 0.5 × 1 = 6.5
    expect(intensity(march)).toBe(6.5);
  });

  it('is the bare kind weight without counts', () => {
    const visit = { ...march, kind: 'OFFICIAL_VISIT' as const, peopleExpected: null };
    // 2 × (1 + log10(1 + 500/100)) + 0.5 = 2 × 1.778151… + 0.5
    expect(intensity(visit)).toBeCloseTo(2 * (1 + Math.log10(6)) + 0.5, 12);
    const bare = { ...visit, peopleDeclared: null, carsDeclared: null };
    expect(intensity(bare)).toBe(2);
  });

  it('follows the model', () => {
    expect(intensity(march, tensionModel({ carWeight: 2 }))).toBe(8);
  });

  it('rejects a negative count', () => {
    expect(() => intensity({ ...march, carsDeclared: -1 })).toThrow(TensionError);
  });
});
