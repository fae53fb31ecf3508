import type { Violation, ViolationCode } from '@app/contracts';

/**
 * The sanitizer's own reasons to reject, beside the contract's `ViolationCode` (reused where it
 * fits: `end_before_start`, `negative_count`, `wrong_type`, `missing_payload`, `invalid_uuid`,
 * `invalid_revision`). Stable strings for machines: dead-letter reasons, API bodies, metrics.
 */
export enum SanitizationViolationCode {
  /** The event lasts longer than the policy allows. */
  DurationTooLong = 'duration_too_long',
  /** A people or vehicle count above the policy's maximum. */
  CountTooLarge = 'count_too_large',
  /** A route with fewer than two distinct positions. */
  RouteTooShort = 'route_too_short',
  /** A route with more positions than the policy allows. */
  RouteTooLong = 'route_too_long',
  /** A footprint that is no polygon and cannot be trivially repaired. */
  InvalidPolygon = 'invalid_polygon',
  /** A footprint ring that crosses or touches itself. */
  SelfIntersectingPolygon = 'self_intersecting_polygon',
  /** A footprint with more positions than the policy allows. */
  PolygonTooLarge = 'polygon_too_large',
  /** A position whose longitude or latitude is not a finite number. */
  InvalidCoordinate = 'invalid_coordinate',
  /** A position outside the area of operation. */
  OutsideArea = 'outside_area',
  /** An address that is empty once trimmed. */
  EmptyAddress = 'empty_address',
  /** An address longer than the policy allows. */
  AddressTooLong = 'address_too_long',
  /** A subject or description longer than the policy allows. */
  TextTooLong = 'text_too_long',
  /** A scheduled operation or visit without any address. */
  NoAddress = 'no_address',
}

/**
 * One broken rule, at a field path such as
 * `payload.cortege.MovingDemonstration.route.coordinates.3`: a contract `Violation` whose code
 * may also be one of the sanitizer's.
 */
export interface SanitizationViolation extends Omit<Violation, 'code'> {
  readonly code: ViolationCode | SanitizationViolationCode;
}
