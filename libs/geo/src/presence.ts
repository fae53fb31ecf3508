import { crowdOf, endsAfterStart, type KindedEvent } from '@app/contracts';
import { diskCover } from './disk-cover';
import type { EventShape } from './event-geometry';
import { footprintCover } from './footprint-cover';
import { GeoError, GeoErrorCode } from './geo.error';
import { assertValidLocatorModel, DEFAULT_LOCATOR_MODEL, type LocatorModel } from './locator.model';
import {
  columnLengthMetres,
  marchIntervals,
  marchSpeedMetresPerMs,
  type PresenceInterval,
  type TimeWindow,
} from './march-timing';
import { routeCover } from './route-cover';

/** The event's declared `[startAt, endAt)` in UTC ms; throws unless both are finite and end > start. */
function windowOf(kinded: KindedEvent): TimeWindow {
  const { startAt, endAt } = kinded.event;
  if (!endsAfterStart(kinded.event))
    throw new GeoError(
      GeoErrorCode.InvalidInterval,
      `an event must end after it starts, got startAt=${String(startAt)} endAt=${String(endAt)}`,
    );
  return { startAt, endAt };
}

/** Every cell of a static shape, sorted: the footprint's, or the union of the disks'. */
function staticCells(shape: Exclude<EventShape, { type: 'route' }>, res: number): string[] {
  switch (shape.type) {
    case 'footprint':
      return footprintCover(shape.polygon, res);
    case 'points': {
      const cells = new Set<string>();
      for (const point of shape.points)
        for (const cell of diskCover(point, shape.radiusMetres, res)) cells.add(cell);
      return [...cells].sort();
    }
    default: {
      const _exhaustive: never = shape;
      return _exhaustive;
    }
  }
}

/**
 * When the event occupies each H3 cell (at `model.resolution`) of its shape: intervals
 * `[startAt, endAt)` in UTC milliseconds, each inside the event's declared interval, start < end.
 *
 * - A route (a march): its corridor (`routeCover`), timed by `marchIntervals` with the head's speed
 *   `min(walkingSpeedKmh, length ÷ duration)` and a column of
 *   `people ÷ (crowdDensityPerM2 × streetWidthMetres)` metres (people = max(expected, declared),
 *   0 when unknown); in route order.
 * - A footprint or disks: every covered cell for the whole declared interval; sorted by cell.
 *
 * @throws GeoError `invalid_interval` (end not after start), `invalid_model`, and those of the
 *   covers (`invalid_coordinate`, `invalid_geometry`, `cover_failed`).
 */
export function presenceIntervals(
  kinded: KindedEvent,
  shape: EventShape,
  model: LocatorModel = DEFAULT_LOCATOR_MODEL,
): PresenceInterval[] {
  assertValidLocatorModel(model);
  const window = windowOf(kinded);
  if (shape.type !== 'route')
    return staticCells(shape, model.resolution).map((cell) => ({ cell, ...window }));

  const cover = routeCover(shape.line, model.resolution);
  const people = kinded.kind === 'MOVING_DEMONSTRATION' ? crowdOf(kinded.event) : 0;
  return marchIntervals(cover, window, {
    speedMetresPerMs: marchSpeedMetresPerMs(
      cover.lengthMetres,
      window.endAt - window.startAt,
      model.walkingSpeedKmh,
    ),
    columnMetres: columnLengthMetres(people, model.crowdDensityPerM2, model.streetWidthMetres),
  });
}
