import { carsOf, crowdOf } from '@app/contracts';
import { assertValidLocatedEvent, type LocatedEvent } from './located-event';
import { assertValidTensionModel, DEFAULT_TENSION_MODEL, type TensionModel } from './tension.model';

/** What intensity reads of an event. */
export type IntensitySource = Pick<
  LocatedEvent,
  'eventId' | 'kind' | 'peopleExpected' | 'peopleDeclared' | 'carsExpected' | 'carsDeclared'
>;

/**
 * `kindWeight[kind] × (1 + log10(1 + crowd / 100)) + carWeight × log10(1 + cars)`, where crowd is
 * the larger of people expected and declared and cars likewise (null counts as 0). Dimensionless.
 *
 * @throws TensionError `invalid_event` for an unknown kind or a negative count; `invalid_model`.
 */
export function intensity(
  event: IntensitySource,
  model: TensionModel = DEFAULT_TENSION_MODEL,
): number {
  assertValidTensionModel(model);
  assertValidLocatedEvent({ ...event, theme: null, cells: [] });
  const crowd = crowdOf(event);
  const cars = carsOf(event);
  return (
    model.kindWeight[event.kind] * (1 + Math.log10(1 + crowd / 100)) +
    model.carWeight * Math.log10(1 + cars)
  );
}
