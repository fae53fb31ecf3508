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
): KindedOf<'MovingDemonstration'> => ({
  kind: 'MovingDemonstration',
  event: { ...eventIn<MovingDemonstration>(samples.moving), ...over },
});

export const rally = (
  over: Partial<StaticDemonstration> = {},
): KindedOf<'StaticDemonstration'> => ({
  kind: 'StaticDemonstration',
  event: { ...eventIn<StaticDemonstration>(samples.static), ...over },
});

export const operation = (
  over: Partial<ScheduledOperation> = {},
): KindedOf<'ScheduledOperation'> => ({
  kind: 'ScheduledOperation',
  event: { ...eventIn<ScheduledOperation>(samples.operation), ...over },
});

export const visit = (over: Partial<OfficialVisit> = {}): KindedOf<'OfficialVisit'> => ({
  kind: 'OfficialVisit',
  event: { ...eventIn<OfficialVisit>(samples.visit), ...over },
});
