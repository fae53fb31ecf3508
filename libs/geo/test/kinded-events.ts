import {
  eventOf,
  type KindedEvent,
  type MovingDemonstration,
  type OfficialVisit,
  type ScheduledOperation,
  type StaticDemonstration,
} from '@app/contracts';
import { sampleSubmissions } from '@app/testing';

// Events of each kind for the geo tests: the realistic samples of @app/testing, fields overridable.
const samples = sampleSubmissions();
const eventIn = <E>(submission: (typeof samples)[keyof typeof samples]): E =>
  eventOf(submission)!.event as E;

/** The kinded event of one kind, its event fully typed. */
export type KindedOf<K extends KindedEvent['kind']> = Extract<KindedEvent, { kind: K }>;

export const march = (
  over: Partial<MovingDemonstration> = {},
): KindedOf<'MOVING_DEMONSTRATION'> => ({
  kind: 'MOVING_DEMONSTRATION',
  event: { ...eventIn<MovingDemonstration>(samples.moving), ...over },
});

export const rally = (
  over: Partial<StaticDemonstration> = {},
): KindedOf<'STATIC_DEMONSTRATION'> => ({
  kind: 'STATIC_DEMONSTRATION',
  event: { ...eventIn<StaticDemonstration>(samples.static), ...over },
});

export const operation = (
  over: Partial<ScheduledOperation> = {},
): KindedOf<'SCHEDULED_OPERATION'> => ({
  kind: 'SCHEDULED_OPERATION',
  event: { ...eventIn<ScheduledOperation>(samples.operation), ...over },
});

export const visit = (over: Partial<OfficialVisit> = {}): KindedOf<'OFFICIAL_VISIT'> => ({
  kind: 'OFFICIAL_VISIT',
  event: { ...eventIn<OfficialVisit>(samples.visit), ...over },
});
