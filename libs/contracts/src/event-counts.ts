/** The counts of an event as the contract carries them: expected and declared, each optional. */
export interface EventCounts {
  readonly peopleExpected?: number | null;
  readonly peopleDeclared?: number | null;
  readonly carsExpected?: number | null;
  readonly carsDeclared?: number | null;
}

/**
 * The crowd of an event: the larger of people expected and declared, 0 when both are unknown.
 * The one rule for every count the platform derives (the march's column, the rally's disk, the
 * tension's intensity); the aggregator's SQL writes it as `greatest(expected, declared)`.
 */
export const crowdOf = (event: EventCounts): number =>
  Math.max(event.peopleExpected ?? 0, event.peopleDeclared ?? 0);

/** The cars of an event, by the same rule as its crowd. */
export const carsOf = (event: EventCounts): number =>
  Math.max(event.carsExpected ?? 0, event.carsDeclared ?? 0);
