import {
  assertValidTensionModel,
  DEFAULT_TENSION_MODEL,
  pairWeightOf,
  tensionModel,
  tensionModelOf,
  type TensionModel,
} from './tension.model';
import { TensionError, TensionErrorCode } from './tension.error';

describe('tension model', () => {
  it('has the documented defaults and they are valid', () => {
    expect(DEFAULT_TENSION_MODEL.kindWeight).toEqual({
      MOVING_DEMONSTRATION: 3,
      STATIC_DEMONSTRATION: 2,
      OFFICIAL_VISIT: 2,
      SCHEDULED_OPERATION: 1,
    });
    expect(DEFAULT_TENSION_MODEL.carWeight).toBe(0.5);
    expect(DEFAULT_TENSION_MODEL.bucketMinutes).toBe(15);
    expect(DEFAULT_TENSION_MODEL.zoneThreshold).toBe(8);
    expect(DEFAULT_TENSION_MODEL.resolutions).toEqual([10, 9, 8]);
    expect(tensionModel()).toEqual(DEFAULT_TENSION_MODEL);
  });

  it('lists every bad value in one error', () => {
    const bad = {
      ...DEFAULT_TENSION_MODEL,
      kindWeight: { ...DEFAULT_TENSION_MODEL.kindWeight, OFFICIAL_VISIT: -1 },
      carWeight: Number.NaN,
      pairWeight: {
        ...DEFAULT_TENSION_MODEL.pairWeight,
        OFFICIAL_VISIT: {
          ...DEFAULT_TENSION_MODEL.pairWeight.OFFICIAL_VISIT,
          MOVING_DEMONSTRATION: 1,
        },
      },
      themePairWeight: { MARCHE_AUX_PUCES: -0.1, BROCANTE: 1 },
      bucketMinutes: 7.5,
      zoneThreshold: 0,
      resolutions: [10, 10, 16],
    } as unknown as TensionModel;
    let thrown: unknown;
    try {
      assertValidTensionModel(bad);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TensionError);
    const { code, message } = thrown as TensionError;
    expect(code).toBe(TensionErrorCode.InvalidModel);
    for (const fragment of [
      'kindWeight.OFFICIAL_VISIT',
      'carWeight',
      'pairWeight must be symmetric: MOVING_DEMONSTRATION.OFFICIAL_VISIT is 3 but OFFICIAL_VISIT.MOVING_DEMONSTRATION is 1',
      'themePairWeight.MARCHE_AUX_PUCES',
      'themePairWeight.BROCANTE is not an operation theme',
      'bucketMinutes',
      'zoneThreshold',
      'resolutions must be integers in 0..15, got 16',
      'resolutions must be distinct',
    ])
      expect(message).toContain(fragment);
  });

  it('keeps defaults for undefined overrides', () => {
    expect(tensionModel({ zoneThreshold: 5, carWeight: undefined })).toEqual({
      ...DEFAULT_TENSION_MODEL,
      zoneThreshold: 5,
    });
  });

  it('weighs pairs by kind, with the flea-market theme overriding either side', () => {
    const march = { kind: 'MOVING_DEMONSTRATION', theme: null } as const;
    const visit = { kind: 'OFFICIAL_VISIT', theme: null } as const;
    const fleaMarket = { kind: 'SCHEDULED_OPERATION', theme: 'MARCHE_AUX_PUCES' } as const;
    const roadCheck = { kind: 'SCHEDULED_OPERATION', theme: 'SECURITE_ROUTIERE' } as const;
    expect(pairWeightOf(DEFAULT_TENSION_MODEL, march, visit)).toBe(3);
    expect(pairWeightOf(DEFAULT_TENSION_MODEL, visit, march)).toBe(3);
    expect(pairWeightOf(DEFAULT_TENSION_MODEL, march, march)).toBe(3);
    expect(pairWeightOf(DEFAULT_TENSION_MODEL, march, roadCheck)).toBe(1);
    expect(pairWeightOf(DEFAULT_TENSION_MODEL, march, fleaMarket)).toBe(0.1);
    expect(pairWeightOf(DEFAULT_TENSION_MODEL, fleaMarket, visit)).toBe(0.1);
  });
});

describe('tensionModelOf (configuration over the defaults)', () => {
  it('lays each given entry over the default, a pair both ways', () => {
    const model = tensionModelOf({
      kindWeight: { OFFICIAL_VISIT: 4 },
      pairWeight: [['MOVING_DEMONSTRATION', 'SCHEDULED_OPERATION', 2.5]],
      themePairWeight: { PSQ_TRANSPORTS: 0.2 },
      bucketMinutes: 30,
    });
    expect(model.kindWeight).toEqual({ ...DEFAULT_TENSION_MODEL.kindWeight, OFFICIAL_VISIT: 4 });
    expect(model.pairWeight.MOVING_DEMONSTRATION.SCHEDULED_OPERATION).toBe(2.5);
    expect(model.pairWeight.SCHEDULED_OPERATION.MOVING_DEMONSTRATION).toBe(2.5);
    expect(model.pairWeight.OFFICIAL_VISIT.MOVING_DEMONSTRATION).toBe(3);
    expect(model.themePairWeight).toEqual({ MARCHE_AUX_PUCES: 0.1, PSQ_TRANSPORTS: 0.2 });
    expect(model.bucketMinutes).toBe(30);
    expect(model.zoneThreshold).toBe(DEFAULT_TENSION_MODEL.zoneThreshold);
  });

  it('names every unknown kind and theme', () => {
    expect(() =>
      tensionModelOf({
        kindWeight: { PARADE: 1 },
        pairWeight: [['MOVING_DEMONSTRATION', 'RIOT', 1]],
        themePairWeight: { BROCANTE: 1 },
      }),
    ).toThrow(
      /kind weight PARADE is not a kind.*pair weight MOVING_DEMONSTRATION:RIOT.*BROCANTE is not a theme/,
    );
  });
});
