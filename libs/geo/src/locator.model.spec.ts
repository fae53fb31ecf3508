import { GeoErrorCode } from './geo.error';
import { assertValidLocatorModel, DEFAULT_LOCATOR_MODEL, locatorModel } from './locator.model';
import { geoErrorOf } from '../test/geo-error-of';

describe('locatorModel', () => {
  it('has the defaults of the design', () => {
    expect(DEFAULT_LOCATOR_MODEL).toEqual({
      resolution: 10,
      regionResolution: 7,
      walkingSpeedKmh: 2,
      crowdDensityPerM2: 2,
      streetWidthMetres: 15,
      operationRadiusMetres: 150,
      visitRadiusMetres: 150,
      minRadiusMetres: 10,
    });
    expect(Object.isFrozen(DEFAULT_LOCATOR_MODEL)).toBe(true);
  });

  it('applies overrides, keeping defaults for undefined ones', () => {
    const model = locatorModel({
      resolution: 9,
      walkingSpeedKmh: undefined,
      streetWidthMetres: 20,
    });
    expect(model).toEqual({ ...DEFAULT_LOCATOR_MODEL, resolution: 9, streetWidthMetres: 20 });
  });

  it('lists every bad parameter in one error', () => {
    const call = () =>
      locatorModel({
        resolution: 16,
        regionResolution: 2.5,
        walkingSpeedKmh: 0,
        operationRadiusMetres: -1,
      });
    expect(geoErrorOf(call)).toMatchObject({ code: GeoErrorCode.InvalidModel });
    expect(call).toThrow(
      /resolution must be .*regionResolution must be .*walkingSpeedKmh .*operationRadiusMetres/,
    );
  });

  it('refuses a region finer than the cells', () => {
    expect(() =>
      assertValidLocatorModel({ ...DEFAULT_LOCATOR_MODEL, regionResolution: 11 }),
    ).toThrow(/regionResolution \(11\) must not be finer than resolution \(10\)/);
  });
});
