import type { Position } from '@app/contracts';
import { isInside, type BoundingBox } from './area-of-operation';
import { SanitizationViolationCode, type SanitizationViolation } from './sanitization.violation';

/** Bad positions reported one by one per list; the rest are summed up in one violation per code. */
export const MAX_POSITION_VIOLATIONS = 10;

const fmt = (p: Position) => `[${String(p.lon)}, ${String(p.lat)}]`;

/**
 * Checks a list of `{lon, lat}` positions (WGS84 degrees, GeoJSON `[lon, lat]` order): each must
 * be finite and inside `area`. A bad position is reported at `${path}.${index}`, the first
 * `MAX_POSITION_VIOLATIONS` of them; beyond that, one violation per code at `path` counts the rest,
 * so a route drawn in the wrong place does not produce ten thousand reasons.
 */
export function checkPositions(
  positions: readonly Position[],
  path: string,
  area: BoundingBox,
): SanitizationViolation[] {
  const found: SanitizationViolation[] = [];
  const more = new Map<SanitizationViolationCode, number>();
  positions.forEach((position, index) => {
    let violation: (SanitizationViolation & { code: SanitizationViolationCode }) | undefined;
    if (!Number.isFinite(position.lon) || !Number.isFinite(position.lat)) {
      violation = {
        path: `${path}.${index}`,
        code: SanitizationViolationCode.InvalidCoordinate,
        message: `${fmt(position)} is not a pair of finite numbers (lon, lat in degrees)`,
      };
    } else if (!isInside(position, area)) {
      violation = {
        path: `${path}.${index}`,
        code: SanitizationViolationCode.OutsideArea,
        message: `${fmt(position)} [lon, lat] is outside the area of operation (lon ${area.minLon}..${area.maxLon}, lat ${area.minLat}..${area.maxLat})`,
      };
    }
    if (violation === undefined) return;
    if (found.length < MAX_POSITION_VIOLATIONS) found.push(violation);
    else more.set(violation.code, (more.get(violation.code) ?? 0) + 1);
  });
  for (const [code, count] of more) {
    found.push({
      path,
      code,
      message: `and ${count} more position${count === 1 ? '' : 's'} ${code === SanitizationViolationCode.OutsideArea ? 'outside the area of operation' : 'that are not finite numbers'}`,
    });
  }
  return found;
}
