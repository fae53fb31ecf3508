import { GeoError, GeoErrorCode } from './geo.error';
import { DEFAULT_H3_RESOLUTION } from './route-cover';

/**
 * Every parameter of the locator's geometry and time model. Defaults are in code
 * (`DEFAULT_LOCATOR_MODEL`); the locator's configuration overrides them.
 */
export interface LocatorModel {
  /** H3 resolution of presence cells, integer 0–15. Default 10 (≈ 76 m edge). */
  readonly resolution: number;
  /** H3 resolution of the region a cell belongs to (the presence topic's key), ≤ `resolution`. Default 7 (≈ 5 km²: central Marseille spreads over several regions, hence partitions). */
  readonly regionResolution: number;
  /** Walking speed of a march's head, km/h; the head goes slower when length ÷ duration is slower. Default 2. */
  readonly walkingSpeedKmh: number;
  /** Crowd density, people per m²: sizes a rally's disk and a march's column. Default 2. */
  readonly crowdDensityPerM2: number;
  /** Width of the street a march fills, metres. Default 15. */
  readonly streetWidthMetres: number;
  /** Radius around each address of a scheduled operation, metres. Default 150. */
  readonly operationRadiusMetres: number;
  /** Radius around each address of an official visit, metres. Default 150. */
  readonly visitRadiusMetres: number;
  /** Smallest disk around a rally's address, metres, however small the crowd. Default 10. */
  readonly minRadiusMetres: number;
}

export const DEFAULT_LOCATOR_MODEL: LocatorModel = Object.freeze({
  resolution: DEFAULT_H3_RESOLUTION,
  regionResolution: 7,
  walkingSpeedKmh: 2,
  crowdDensityPerM2: 2,
  streetWidthMetres: 15,
  operationRadiusMetres: 150,
  visitRadiusMetres: 150,
  minRadiusMetres: 10,
});

const POSITIVE = ['walkingSpeedKmh', 'crowdDensityPerM2', 'streetWidthMetres'] as const;
const NON_NEGATIVE = ['operationRadiusMetres', 'visitRadiusMetres', 'minRadiusMetres'] as const;

const checked = new WeakSet<LocatorModel>();

const isResolution = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 15;

/**
 * Throws `GeoError(InvalidModel)` listing every bad parameter: resolutions not integers 0–15 or a
 * region finer than the cells, speeds, densities and widths not > 0, radii not ≥ 0. Remembers
 * models already checked, so callers may check on every event for free.
 */
export function assertValidLocatorModel(model: LocatorModel): void {
  if (checked.has(model)) return;
  const problems: string[] = [];
  if (!isResolution(model.resolution))
    problems.push(`resolution must be an integer in 0..15, got ${String(model.resolution)}`);
  if (!isResolution(model.regionResolution))
    problems.push(
      `regionResolution must be an integer in 0..15, got ${String(model.regionResolution)}`,
    );
  else if (isResolution(model.resolution) && model.regionResolution > model.resolution)
    problems.push(
      `regionResolution (${model.regionResolution}) must not be finer than resolution (${model.resolution})`,
    );
  for (const name of POSITIVE) {
    const v = model[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      problems.push(`${name} must be a number > 0, got ${String(v)}`);
  }
  for (const name of NON_NEGATIVE) {
    const v = model[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      problems.push(`${name} must be a number ≥ 0, got ${String(v)}`);
  }
  if (problems.length > 0)
    throw new GeoError(GeoErrorCode.InvalidModel, `invalid locator model: ${problems.join('; ')}`);
  checked.add(model);
}

/**
 * The default model with `overrides` applied (undefined entries keep the default), checked.
 *
 * @throws GeoError `invalid_model` listing every bad parameter.
 */
export function locatorModel(overrides: Partial<LocatorModel> = {}): LocatorModel {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<LocatorModel>;
  const model = Object.freeze({ ...DEFAULT_LOCATOR_MODEL, ...given });
  assertValidLocatorModel(model);
  return model;
}
