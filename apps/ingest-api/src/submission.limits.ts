import type { IngestConfig } from '@app/config';
import { IngestError, IngestErrorCode } from './ingest.error';

export type SubmissionLimits = Pick<IngestConfig, 'maxBatch' | 'maxRoutePoints'>;

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;

/** The geometries of a raw submission whose length is capped: `[field path, positions]`. */
function geometries(item: unknown): Array<[string, unknown[]]> {
  const payload = asObject(asObject(item)?.payload);
  const found: Array<[string, unknown[]]> = [];
  const route = asObject(asObject(payload?.['cortege.MovingDemonstration'])?.route);
  if (Array.isArray(route?.coordinates))
    found.push(['payload.cortege.MovingDemonstration.route.coordinates', route.coordinates]);
  const footprint = asObject(asObject(payload?.['cortege.StaticDemonstration'])?.footprint);
  if (Array.isArray(footprint?.rings)) {
    footprint.rings.forEach((ring, i) => {
      if (Array.isArray(ring))
        found.push([`payload.cortege.StaticDemonstration.footprint.rings.${i}`, ring]);
    });
  }
  return found;
}

/**
 * Checks the size limits of a request's submissions, before any validation (so an oversized
 * request costs little): at most `maxBatch` submissions, at most `maxRoutePoints` positions in
 * a route and in each footprint ring.
 *
 * @param items the submissions as parsed JSON, not yet validated.
 * @throws IngestError BatchTooLarge or TooManyPoints (413) naming the limit, and the field path.
 */
export function checkLimits(items: readonly unknown[], limits: SubmissionLimits): void {
  if (items.length > limits.maxBatch) {
    throw new IngestError(
      IngestErrorCode.BatchTooLarge,
      `a request carries at most ${limits.maxBatch} submissions, this one ${items.length}`,
      { limit: limits.maxBatch, length: items.length },
      items.length,
    );
  }
  items.forEach((item, index) => {
    for (const [path, positions] of geometries(item)) {
      if (positions.length > limits.maxRoutePoints) {
        throw new IngestError(
          IngestErrorCode.TooManyPoints,
          `${path} of submission ${index} has ${positions.length} positions, at most ${limits.maxRoutePoints} are accepted`,
          { index, path, limit: limits.maxRoutePoints, length: positions.length },
          items.length,
        );
      }
    }
  });
}
