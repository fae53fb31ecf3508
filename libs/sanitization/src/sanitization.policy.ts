import { BOUCHES_DU_RHONE, type BoundingBox } from './area-of-operation';
import type { PlaceNames } from './place-names';
import { SanitizationError, SanitizationErrorCode } from './sanitization.error';

/** The limits the sanitizer enforces. Every one is configurable; the defaults are in code. */
export interface SanitizationPolicy {
  /** Longest event, end − start, in hours. Default 72. */
  readonly maxDurationHours: number;
  /** Largest value of each people count (expected, declared). Default 2,000,000. */
  readonly maxPeople: number;
  /** Largest value of each vehicle count (expected, declared). Default 100,000. */
  readonly maxCars: number;
  /** Most positions in a route trace. Default 10,000. */
  readonly maxRoutePoints: number;
  /**
   * Most positions in a footprint, all rings together. Default 10,000. The self-intersection
   * test is quadratic in a ring's positions, so this also bounds its cost.
   */
  readonly maxFootprintPoints: number;
  /** Where every route and footprint position must lie (WGS84 degrees). Default Bouches-du-Rhône. */
  readonly areaOfOperation: BoundingBox;
  /** Longest address, in Unicode code points, once trimmed. Default 300. */
  readonly maxAddressLength: number;
  /** Longest subject, in Unicode code points. Default 500. */
  readonly maxSubjectLength: number;
  /** Longest description, in Unicode code points. Default 5,000. */
  readonly maxDescriptionLength: number;
  /**
   * The gazetteer's place names, which an address keeps even when one is named like a person
   * (`David`). Default none: every such name is scrubbed.
   */
  readonly placeNames?: PlaceNames;
}

export const DEFAULT_SANITIZATION_POLICY: SanitizationPolicy = Object.freeze({
  maxDurationHours: 72,
  maxPeople: 2_000_000,
  maxCars: 100_000,
  maxRoutePoints: 10_000,
  maxFootprintPoints: 10_000,
  areaOfOperation: BOUCHES_DU_RHONE,
  maxAddressLength: 300,
  maxSubjectLength: 500,
  maxDescriptionLength: 5_000,
});

const LIMITS = [
  'maxDurationHours',
  'maxPeople',
  'maxCars',
  'maxRoutePoints',
  'maxFootprintPoints',
  'maxAddressLength',
  'maxSubjectLength',
  'maxDescriptionLength',
] as const;

const checked = new WeakSet<SanitizationPolicy>();

/**
 * Throws `SanitizationError(InvalidPolicy)` listing every limit that is not a positive finite
 * number, and an area of operation that is empty or not in degrees. Remembers policies already
 * checked, so the use case can call it on every submission for free.
 */
export function assertValidPolicy(policy: SanitizationPolicy): void {
  if (checked.has(policy)) return;
  const problems: string[] = [];
  for (const name of LIMITS) {
    const value = policy[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      problems.push(`${name} must be a positive number, got ${String(value)}`);
  }
  const area = policy.areaOfOperation;
  const degrees = (v: unknown, limit: number) =>
    typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit;
  if (
    !area ||
    !degrees(area.minLon, 180) ||
    !degrees(area.maxLon, 180) ||
    !degrees(area.minLat, 90) ||
    !degrees(area.maxLat, 90) ||
    area.minLon >= area.maxLon ||
    area.minLat >= area.maxLat
  ) {
    problems.push(
      `areaOfOperation must be {minLon < maxLon in -180..180, minLat < maxLat in -90..90}, got ${JSON.stringify(area)}`,
    );
  }
  if (problems.length > 0)
    throw new SanitizationError(
      SanitizationErrorCode.InvalidPolicy,
      `invalid sanitization policy: ${problems.join('; ')}`,
    );
  checked.add(policy);
}

/**
 * The default policy with `overrides` applied (undefined entries keep the default), checked:
 * throws `SanitizationError(InvalidPolicy)` when a limit is not positive.
 */
export function sanitizationPolicy(
  overrides: Partial<SanitizationPolicy> = {},
): SanitizationPolicy {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<SanitizationPolicy>;
  const policy = Object.freeze({ ...DEFAULT_SANITIZATION_POLICY, ...given });
  assertValidPolicy(policy);
  return policy;
}
