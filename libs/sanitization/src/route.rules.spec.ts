import { checkRoute } from './route.rules';
import { DEFAULT_SANITIZATION_POLICY, sanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode } from './sanitization.violation';

const P = 'payload.cortege.MovingDemonstration.route';
const at = (lon: number, lat: number) => ({ lon, lat });
/** Quai du Port → La Canebière → Réformés, real points. */
const MARCH = [at(5.3698, 43.2954), at(5.3762, 43.2966), at(5.3806, 43.2985), at(5.3846, 43.3003)];
const codes = (coordinates: ReturnType<typeof at>[], policy = DEFAULT_SANITIZATION_POLICY) =>
  checkRoute({ coordinates }, P, policy).map((v) => [v.path, v.code]);

describe('checkRoute', () => {
  it('accepts a real march and a two-point route', () => {
    expect(codes(MARCH)).toEqual([]);
    expect(codes(MARCH.slice(0, 2))).toEqual([]);
  });

  it('accepts repeated positions as long as two are distinct', () => {
    expect(codes([MARCH[0]!, MARCH[0]!, MARCH[1]!])).toEqual([]);
  });

  it.each([
    ['no position', []],
    ['one position', [MARCH[0]!]],
    ['the same position twice', [MARCH[0]!, MARCH[0]!, MARCH[0]!]],
  ])('rejects %s as too short', (_why, coordinates) => {
    expect(codes(coordinates)).toEqual([
      [`${P}.coordinates`, SanitizationViolationCode.RouteTooShort],
    ]);
  });

  it('rejects more positions than the policy allows, and accepts exactly as many', () => {
    const policy = sanitizationPolicy({ maxRoutePoints: 4 });
    expect(codes(MARCH, policy)).toEqual([]);
    expect(codes([...MARCH, at(5.39, 43.301)], policy)).toEqual([
      [`${P}.coordinates`, SanitizationViolationCode.RouteTooLong],
    ]);
  });

  it('rejects the default 10,001st position', () => {
    const long = Array.from({ length: 10_001 }, (_, i) => at(5.3 + i * 1e-5, 43.3));
    expect(codes(long)).toEqual([[`${P}.coordinates`, SanitizationViolationCode.RouteTooLong]]);
    expect(codes(long.slice(0, 10_000))).toEqual([]);
  });

  it('names a position outside the area or not finite by its index', () => {
    expect(codes([MARCH[0]!, MARCH[1]!, MARCH[2]!, at(2.35, 48.85)])).toEqual([
      [`${P}.coordinates.3`, SanitizationViolationCode.OutsideArea],
    ]);
    expect(codes([MARCH[0]!, at(Number.NaN, 43.3)])).toEqual([
      [`${P}.coordinates.1`, SanitizationViolationCode.InvalidCoordinate],
    ]);
  });
});
