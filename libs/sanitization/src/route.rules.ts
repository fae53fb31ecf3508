import type { LineString } from '@app/contracts';
import { checkPositions } from './position.rules';
import type { SanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode, type SanitizationViolation } from './sanitization.violation';

/**
 * Checks a route trace (a GeoJSON LineString of `{lon, lat}` positions in WGS84 degrees, in the
 * order walked) at `path` (…`.route`): at most `policy.maxRoutePoints` positions, at least two
 * distinct ones, every position finite and inside the area of operation. A route is never
 * repaired: repeated positions are harmless and kept.
 */
export function checkRoute(
  route: LineString,
  path: string,
  policy: SanitizationPolicy,
): SanitizationViolation[] {
  const at = `${path}.coordinates`;
  const positions = route.coordinates;
  const found: SanitizationViolation[] = [];
  if (positions.length > policy.maxRoutePoints) {
    found.push({
      path: at,
      code: SanitizationViolationCode.RouteTooLong,
      message: `has ${positions.length} positions, more than the ${policy.maxRoutePoints} allowed`,
    });
  }
  const first = positions[0];
  const distinct =
    first !== undefined && positions.some((p) => p.lon !== first.lon || p.lat !== first.lat);
  if (!distinct) {
    found.push({
      path: at,
      code: SanitizationViolationCode.RouteTooShort,
      message: `needs at least 2 distinct positions, has ${positions.length === 0 ? 'none' : 'one'}`,
    });
  }
  found.push(...checkPositions(positions, at, policy.areaOfOperation));
  return found;
}
