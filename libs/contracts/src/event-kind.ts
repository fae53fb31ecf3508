import type {
  EventKind,
  MovingDemonstration,
  OfficialVisit,
  ScheduledOperation,
  StaticDemonstration,
  Submission,
} from './generated/contracts.types.generated';

/**
 * A submission's event with its kind (the `EventKind` symbol, as in `cortege.Presence`)
 * alongside, for exhaustive `switch (event.kind)`.
 */
export type KindedEvent =
  | { readonly kind: 'MOVING_DEMONSTRATION'; readonly event: MovingDemonstration }
  | { readonly kind: 'STATIC_DEMONSTRATION'; readonly event: StaticDemonstration }
  | { readonly kind: 'SCHEDULED_OPERATION'; readonly event: ScheduledOperation }
  | { readonly kind: 'OFFICIAL_VISIT'; readonly event: OfficialVisit };

/** The event a submission carries and its kind, or `null` for a payload-less CANCEL. */
export function eventOf(submission: Pick<Submission, 'payload'>): KindedEvent | null {
  const payload = submission.payload;
  if (payload === null) return null;
  if ('cortege.MovingDemonstration' in payload)
    return { kind: 'MOVING_DEMONSTRATION', event: payload['cortege.MovingDemonstration'] };
  if ('cortege.StaticDemonstration' in payload)
    return { kind: 'STATIC_DEMONSTRATION', event: payload['cortege.StaticDemonstration'] };
  if ('cortege.ScheduledOperation' in payload)
    return { kind: 'SCHEDULED_OPERATION', event: payload['cortege.ScheduledOperation'] };
  return { kind: 'OFFICIAL_VISIT', event: payload['cortege.OfficialVisit'] };
}

/** The payload's branch (its Avro record's full name) for each kind, as field paths name it. */
export const PAYLOAD_BRANCH: Readonly<Record<EventKind, string>> = {
  MOVING_DEMONSTRATION: 'cortege.MovingDemonstration',
  STATIC_DEMONSTRATION: 'cortege.StaticDemonstration',
  SCHEDULED_OPERATION: 'cortege.ScheduledOperation',
  OFFICIAL_VISIT: 'cortege.OfficialVisit',
};

/** The wrapped payload for an event of a kind: the inverse of `eventOf`. */
export function payloadOf(kinded: KindedEvent): NonNullable<Submission['payload']> {
  switch (kinded.kind) {
    case 'MOVING_DEMONSTRATION':
      return { 'cortege.MovingDemonstration': kinded.event };
    case 'STATIC_DEMONSTRATION':
      return { 'cortege.StaticDemonstration': kinded.event };
    case 'SCHEDULED_OPERATION':
      return { 'cortege.ScheduledOperation': kinded.event };
    case 'OFFICIAL_VISIT':
      return { 'cortege.OfficialVisit': kinded.event };
    default: {
      const _exhaustive: never = kinded;
      return _exhaustive;
    }
  }
}
