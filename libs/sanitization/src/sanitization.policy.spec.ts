import { BOUCHES_DU_RHONE } from './area-of-operation';
import { SanitizationError, SanitizationErrorCode } from './sanitization.error';
import {
  assertValidPolicy,
  DEFAULT_SANITIZATION_POLICY,
  sanitizationPolicy,
  type SanitizationPolicy,
} from './sanitization.policy';

describe('sanitization policy', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_SANITIZATION_POLICY).toEqual({
      maxDurationHours: 72,
      maxPeople: 2_000_000,
      maxCars: 100_000,
      maxRoutePoints: 10_000,
      maxFootprintPoints: 10_000,
      areaOfOperation: { minLon: 4.23, minLat: 43.15, maxLon: 5.82, maxLat: 43.93 },
      maxAddressLength: 300,
      maxSubjectLength: 500,
      maxDescriptionLength: 5_000,
    });
    expect(DEFAULT_SANITIZATION_POLICY.areaOfOperation).toBe(BOUCHES_DU_RHONE);
    expect(() => assertValidPolicy(DEFAULT_SANITIZATION_POLICY)).not.toThrow();
  });

  it('applies overrides, keeping defaults for undefined ones', () => {
    const policy = sanitizationPolicy({ maxDurationHours: 24, maxPeople: undefined });
    expect(policy.maxDurationHours).toBe(24);
    expect(policy.maxPeople).toBe(2_000_000);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it('refuses every bad limit at once, as a programmer error', () => {
    let thrown: unknown;
    try {
      sanitizationPolicy({
        maxPeople: 0,
        maxCars: -1,
        maxRoutePoints: Number.NaN,
        areaOfOperation: { minLon: 5.8, minLat: 43.1, maxLon: 4.2, maxLat: 43.9 },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SanitizationError);
    const error = thrown as SanitizationError;
    expect(error.code).toBe(SanitizationErrorCode.InvalidPolicy);
    expect(error.retriable).toBe(false);
    expect(error.message).toContain('maxPeople must be a positive number, got 0');
    expect(error.message).toContain('maxCars must be a positive number, got -1');
    expect(error.message).toContain('maxRoutePoints must be a positive number, got NaN');
    expect(error.message).toContain('areaOfOperation must be');
  });

  it('refuses an area whose latitudes are not degrees', () => {
    const policy: SanitizationPolicy = {
      ...DEFAULT_SANITIZATION_POLICY,
      areaOfOperation: { minLon: 4.2, minLat: -100, maxLon: 5.8, maxLat: 43.9 },
    };
    expect(() => assertValidPolicy(policy)).toThrow(/areaOfOperation/);
  });
});
