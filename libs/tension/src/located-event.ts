import { eventKindValues, type EventKind, type Presence } from '@app/contracts';
import { TensionError, TensionErrorCode } from './tension.error';

/**
 * One event as the model sees it: its kind, theme, counts and every presence cell (at the presence
 * resolution, 10 by default) with `[startAt, endAt)` in UTC ms. Taken from `cortege.Presence`
 * (all regions of the event merged); a cancelled event is simply left out (or has no cells).
 */
export type LocatedEvent = Pick<
  Presence,
  | 'eventId'
  | 'theme'
  | 'peopleExpected'
  | 'peopleDeclared'
  | 'carsExpected'
  | 'carsDeclared'
  | 'cells'
> & { readonly kind: EventKind };

const isCount = (v: unknown): boolean =>
  v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/**
 * Checks the fields the model reads (cells are checked where they are scored).
 *
 * @throws TensionError `invalid_event` for an empty id, an unknown kind or a count not null or ≥ 0.
 */
export function assertValidLocatedEvent(event: LocatedEvent): void {
  const problems: string[] = [];
  if (typeof event.eventId !== 'string' || event.eventId.length === 0)
    problems.push('eventId must be a non-empty string');
  if (!(eventKindValues as readonly string[]).includes(event.kind))
    problems.push(`kind must be one of ${eventKindValues.join(', ')}, got ${String(event.kind)}`);
  for (const name of ['peopleExpected', 'peopleDeclared', 'carsExpected', 'carsDeclared'] as const)
    if (!isCount(event[name]))
      problems.push(`${name} must be null or a number ≥ 0, got ${String(event[name])}`);
  if (problems.length > 0)
    throw new TensionError(
      TensionErrorCode.InvalidEvent,
      `invalid located event ${String(event.eventId)}: ${problems.join('; ')}`,
    );
}
