import type {
  EventKind,
  MovingDemonstration,
  OfficialVisit,
  ScheduledOperation,
  StaticDemonstration,
  Submission,
} from './generated/contracts.types.generated';

/** The four kinds of Annex 1, by the short name of their Avro record (the payload's branch). */
export const PAYLOAD_KINDS = [
  'MovingDemonstration',
  'StaticDemonstration',
  'ScheduledOperation',
  'OfficialVisit',
] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/** A submission's event with its kind alongside, for exhaustive `switch (event.kind)`. */
export type KindedEvent =
  | { readonly kind: 'MovingDemonstration'; readonly event: MovingDemonstration }
  | { readonly kind: 'StaticDemonstration'; readonly event: StaticDemonstration }
  | { readonly kind: 'ScheduledOperation'; readonly event: ScheduledOperation }
  | { readonly kind: 'OfficialVisit'; readonly event: OfficialVisit };

/** The event a submission carries and its kind, or `null` for a payload-less CANCEL. */
export function eventOf(submission: Pick<Submission, 'payload'>): KindedEvent | null {
  const payload = submission.payload;
  if (payload === null) return null;
  if ('cortege.MovingDemonstration' in payload)
    return { kind: 'MovingDemonstration', event: payload['cortege.MovingDemonstration'] };
  if ('cortege.StaticDemonstration' in payload)
    return { kind: 'StaticDemonstration', event: payload['cortege.StaticDemonstration'] };
  if ('cortege.ScheduledOperation' in payload)
    return { kind: 'ScheduledOperation', event: payload['cortege.ScheduledOperation'] };
  return { kind: 'OfficialVisit', event: payload['cortege.OfficialVisit'] };
}

/** The `EventKind` symbol (as in `cortege.Presence`) of a payload kind. */
export const EVENT_KIND_OF: Readonly<Record<PayloadKind, EventKind>> = {
  MovingDemonstration: 'MOVING_DEMONSTRATION',
  StaticDemonstration: 'STATIC_DEMONSTRATION',
  ScheduledOperation: 'SCHEDULED_OPERATION',
  OfficialVisit: 'OFFICIAL_VISIT',
};

/** The wrapped payload for an event of a kind: the inverse of `eventOf`. */
export function payloadOf(kinded: KindedEvent): NonNullable<Submission['payload']> {
  switch (kinded.kind) {
    case 'MovingDemonstration':
      return { 'cortege.MovingDemonstration': kinded.event };
    case 'StaticDemonstration':
      return { 'cortege.StaticDemonstration': kinded.event };
    case 'ScheduledOperation':
      return { 'cortege.ScheduledOperation': kinded.event };
    case 'OfficialVisit':
      return { 'cortege.OfficialVisit': kinded.event };
    default: {
      const _exhaustive: never = kinded;
      return _exhaustive;
    }
  }
}
