import { crowdRadiusMetres } from './crowd-radius';
import { GeoErrorCode } from './geo.error';
import { geoErrorOf } from '../test/geo-error-of';

describe('crowdRadiusMetres', () => {
  it('is the radius of a disk of area people ÷ density', () => {
    // 4,000 people at 2 /m² stand on 2,000 m²: r = √(2000 / π) ≈ 25.23 m.
    expect(crowdRadiusMetres(4000)).toBeCloseTo(25.231, 3);
    // 31,416 people at 1 /m²: r ≈ 100 m.
    expect(crowdRadiusMetres(31_416, 1)).toBeCloseTo(100, 2);
  });

  it('never goes below the minimum radius (10 m by default)', () => {
    // 300 people at 2 /m² would need only 6.9 m.
    expect(crowdRadiusMetres(300)).toBe(10);
    expect(crowdRadiusMetres(0)).toBe(10);
    expect(crowdRadiusMetres(300, 2, 5)).toBeCloseTo(6.91, 2);
  });

  it.each([
    ['negative people', () => crowdRadiusMetres(-1)],
    ['NaN people', () => crowdRadiusMetres(Number.NaN)],
    ['a zero density', () => crowdRadiusMetres(10, 0)],
    ['a negative minimum', () => crowdRadiusMetres(10, 2, -1)],
  ])('throws GeoError(invalid_quantity) on %s', (_why, call) => {
    expect(geoErrorOf(call)).toMatchObject({ code: GeoErrorCode.InvalidQuantity });
  });
});
