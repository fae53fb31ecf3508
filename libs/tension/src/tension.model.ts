import {
  eventKindValues,
  operationThemeValues,
  type EventKind,
  type OperationTheme,
} from '@app/contracts';
import { TensionError, TensionErrorCode } from './tension.error';

/** A symmetric table of weights for every unordered pair of kinds. */
export type PairWeights = Readonly<Record<EventKind, Readonly<Record<EventKind, number>>>>;

/**
 * Every parameter of the tension model (README, "The tension model"). Defaults are in code
 * (`DEFAULT_TENSION_MODEL`); the aggregator's and the CLI's configuration override them.
 */
/**
 * The model's parameters as a configuration gives them: each optional (the default model fills
 * the rest), kinds and themes as plain strings that `tensionModelOf` checks.
 */
export interface TensionOverrides {
  readonly bucketMinutes?: number;
  readonly zoneThreshold?: number;
  readonly carWeight?: number;
  readonly resolutions?: readonly number[];
  readonly kindWeight?: Readonly<Record<string, number>>;
  /** `[kindA, kindB, weight]`, applied both ways. */
  readonly pairWeight?: ReadonlyArray<readonly [string, string, number]>;
  readonly themePairWeight?: Readonly<Record<string, number>>;
}

export interface TensionModel {
  /** Base intensity of one event of each kind, before its crowd and cars; each ≥ 0. */
  readonly kindWeight: Readonly<Record<EventKind, number>>;
  /** Weight of `log10(1 + cars)` in an event's intensity, ≥ 0. */
  readonly carWeight: number;
  /** Conflict weight of a pair of events by their kinds; symmetric, each ≥ 0. */
  readonly pairWeight: PairWeights;
  /**
   * Conflict weight of any pair in which one event is a scheduled operation of this theme; it
   * replaces `pairWeight` (the smallest one when both events have an override). Each ≥ 0.
   */
  readonly themePairWeight: Readonly<Partial<Record<OperationTheme, number>>>;
  /** Length of a time bucket, whole minutes > 0; buckets are aligned to the Unix epoch (UTC). */
  readonly bucketMinutes: number;
  /** A cell belongs to a zone of tension when its score is ≥ this, > 0. */
  readonly zoneThreshold: number;
  /** H3 resolutions scored, distinct integers 0–15; presence cells must be at least as fine. */
  readonly resolutions: readonly number[];
}

/**
 * Kind weights, for a crowd of at most ~100 people and no cars:
 * - a moving demonstration (3) blocks a street after another and needs the most escort;
 * - a static demonstration (2) holds one place but gathers a crowd;
 * - an official visit (2) is small but sets a security perimeter that must not be breached;
 * - a scheduled operation (1) is run by the authorities themselves: calm by design.
 */
const DEFAULT_KIND_WEIGHT: Readonly<Record<EventKind, number>> = Object.freeze({
  MOVING_DEMONSTRATION: 3,
  STATIC_DEMONSTRATION: 2,
  OFFICIAL_VISIT: 2,
  SCHEDULED_OPERATION: 1,
});

/**
 * Pair weights: a march meeting an official visit or another march is the classic flashpoint (3);
 * two crowds where one moves come next (2); two static crowds or a visit near a rally are tense but
 * predictable (1.5–2); anything beside a police-run operation matters little (0.5–1).
 */
const DEFAULT_PAIR_WEIGHT: PairWeights = Object.freeze({
  MOVING_DEMONSTRATION: Object.freeze({
    MOVING_DEMONSTRATION: 3,
    STATIC_DEMONSTRATION: 2,
    OFFICIAL_VISIT: 3,
    SCHEDULED_OPERATION: 1,
  }),
  STATIC_DEMONSTRATION: Object.freeze({
    MOVING_DEMONSTRATION: 2,
    STATIC_DEMONSTRATION: 1.5,
    OFFICIAL_VISIT: 2,
    SCHEDULED_OPERATION: 0.5,
  }),
  OFFICIAL_VISIT: Object.freeze({
    MOVING_DEMONSTRATION: 3,
    STATIC_DEMONSTRATION: 2,
    OFFICIAL_VISIT: 1,
    SCHEDULED_OPERATION: 0.5,
  }),
  SCHEDULED_OPERATION: Object.freeze({
    MOVING_DEMONSTRATION: 1,
    STATIC_DEMONSTRATION: 0.5,
    OFFICIAL_VISIT: 0.5,
    SCHEDULED_OPERATION: 0.5,
  }),
});

export const DEFAULT_TENSION_MODEL: TensionModel = Object.freeze({
  kindWeight: DEFAULT_KIND_WEIGHT,
  /** Half a kind point per decade of cars: vehicles (tractors, taxis) add weight, less than people. */
  carWeight: 0.5,
  pairWeight: DEFAULT_PAIR_WEIGHT,
  /** A flea market is a crowd of shoppers on a known day: crossing it is a nuisance, not a clash. */
  themePairWeight: Object.freeze({ MARCHE_AUX_PUCES: 0.1 }),
  bucketMinutes: 15,
  /**
   * 8: a march alone reaches it only with ~5,000 people (3 × (1 + log10 51) ≈ 8.1); a march of
   * 900 (intensity 6) reaches it when it meets a visit or another march in the same bucket.
   */
  zoneThreshold: 8,
  resolutions: Object.freeze([10, 9, 8]),
});

/** Bucket length in milliseconds. */
export const bucketMsOf = (model: TensionModel): number => model.bucketMinutes * 60_000;

const checked = new WeakSet<TensionModel>();

const isNonNegative = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

const isResolution = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 15;

/**
 * Throws `TensionError(InvalidModel)` listing every bad parameter: weights not finite ≥ 0, a pair
 * table not symmetric, an unknown theme, a bucket not a whole number of minutes > 0, a threshold
 * not > 0, resolutions empty, repeated or not integers 0–15. Remembers models already checked.
 */
export function assertValidTensionModel(model: TensionModel): void {
  if (checked.has(model)) return;
  const problems: string[] = [];
  for (const kind of eventKindValues) {
    const v = model.kindWeight?.[kind];
    if (!isNonNegative(v))
      problems.push(`kindWeight.${kind} must be a number ≥ 0, got ${String(v)}`);
  }
  if (!isNonNegative(model.carWeight))
    problems.push(`carWeight must be a number ≥ 0, got ${String(model.carWeight)}`);
  for (const a of eventKindValues)
    for (const b of eventKindValues) {
      const v = model.pairWeight?.[a]?.[b];
      if (!isNonNegative(v))
        problems.push(`pairWeight.${a}.${b} must be a number ≥ 0, got ${String(v)}`);
      else if (a < b && v !== model.pairWeight[b]?.[a])
        problems.push(
          `pairWeight must be symmetric: ${a}.${b} is ${v} but ${b}.${a} is ${String(model.pairWeight[b]?.[a])}`,
        );
    }
  for (const [theme, v] of Object.entries(model.themePairWeight ?? {})) {
    if (!(operationThemeValues as readonly string[]).includes(theme))
      problems.push(`themePairWeight.${theme} is not an operation theme`);
    else if (!isNonNegative(v))
      problems.push(`themePairWeight.${theme} must be a number ≥ 0, got ${String(v)}`);
  }
  if (!(Number.isInteger(model.bucketMinutes) && model.bucketMinutes > 0))
    problems.push(`bucketMinutes must be an integer > 0, got ${String(model.bucketMinutes)}`);
  if (!(isNonNegative(model.zoneThreshold) && model.zoneThreshold > 0))
    problems.push(`zoneThreshold must be a number > 0, got ${String(model.zoneThreshold)}`);
  if (!Array.isArray(model.resolutions) || model.resolutions.length === 0)
    problems.push('resolutions must be a non-empty list');
  else {
    for (const r of model.resolutions)
      if (!isResolution(r))
        problems.push(`resolutions must be integers in 0..15, got ${String(r)}`);
    if (new Set(model.resolutions).size !== model.resolutions.length)
      problems.push(`resolutions must be distinct, got ${model.resolutions.join(', ')}`);
  }
  if (problems.length > 0)
    throw new TensionError(
      TensionErrorCode.InvalidModel,
      `invalid tension model: ${problems.join('; ')}`,
    );
  checked.add(model);
}

/**
 * The default model with `overrides` applied (undefined entries keep the default), checked.
 * Overrides replace whole entries: a `pairWeight` override must give the full symmetric table.
 *
 * @throws TensionError `invalid_model` listing every bad parameter.
 */
export function tensionModel(overrides: Partial<TensionModel> = {}): TensionModel {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<TensionModel>;
  const model = Object.freeze({ ...DEFAULT_TENSION_MODEL, ...given });
  assertValidTensionModel(model);
  return model;
}

/** What the pair weight needs to know of an event. */
export interface PairSide {
  readonly kind: EventKind;
  readonly theme: OperationTheme | null;
}

/**
 * Conflict weight of two events: the smallest theme override that applies to either (a
 * scheduled operation with a theme in `themePairWeight`), else `pairWeight[a.kind][b.kind]`.
 */
export function pairWeightOf(model: TensionModel, a: PairSide, b: PairSide): number {
  const overrides = [a, b]
    .filter((side) => side.kind === 'SCHEDULED_OPERATION' && side.theme !== null)
    .map((side) => model.themePairWeight[side.theme as OperationTheme])
    .filter((w): w is number => w !== undefined);
  if (overrides.length > 0) return Math.min(...overrides);
  return model.pairWeight[a.kind][b.kind];
}

/**
 * `DEFAULT_TENSION_MODEL` with partial overrides laid over it entry by entry (a kind weight,
 * one pair both ways, a theme), checked.
 *
 * @throws TensionError `invalid_model` naming every unknown kind or theme and every bad value.
 */
export function tensionModelOf(overrides: TensionOverrides): TensionModel {
  const unknown: string[] = [];
  const isKind = (k: string): k is EventKind => (eventKindValues as readonly string[]).includes(k);
  const kindWeight: Record<EventKind, number> = { ...DEFAULT_TENSION_MODEL.kindWeight };
  for (const [kind, weight] of Object.entries(overrides.kindWeight ?? {}))
    if (isKind(kind)) kindWeight[kind] = weight;
    else unknown.push(`kind weight ${kind} is not a kind (${eventKindValues.join(', ')})`);
  const pairWeight = Object.fromEntries(
    eventKindValues.map((a) => [a, { ...DEFAULT_TENSION_MODEL.pairWeight[a] }]),
  ) as Record<EventKind, Record<EventKind, number>>;
  for (const [a, b, weight] of overrides.pairWeight ?? [])
    if (isKind(a) && isKind(b)) pairWeight[a][b] = pairWeight[b][a] = weight;
    else unknown.push(`pair weight ${a}:${b} names an unknown kind`);
  const themePairWeight: Partial<Record<OperationTheme, number>> = {
    ...DEFAULT_TENSION_MODEL.themePairWeight,
  };
  for (const [theme, weight] of Object.entries(overrides.themePairWeight ?? {}))
    if ((operationThemeValues as readonly string[]).includes(theme))
      themePairWeight[theme as OperationTheme] = weight;
    else
      unknown.push(
        `theme pair weight ${theme} is not a theme (${operationThemeValues.join(', ')})`,
      );
  if (unknown.length > 0)
    throw new TensionError(
      TensionErrorCode.InvalidModel,
      `invalid tension model: ${unknown.join('; ')}`,
    );
  return tensionModel({
    kindWeight,
    pairWeight,
    themePairWeight,
    bucketMinutes: overrides.bucketMinutes,
    zoneThreshold: overrides.zoneThreshold,
    carWeight: overrides.carWeight,
    resolutions: overrides.resolutions,
  });
}
