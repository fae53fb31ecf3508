import { BOUCHES_DU_RHONE, isInside } from './area-of-operation';
import { checkPositions, MAX_POSITION_VIOLATIONS } from './position.rules';
import { SanitizationViolationCode } from './sanitization.violation';

const VIEUX_PORT = { lon: 5.3698, lat: 43.2954 };

describe('area of operation', () => {
  it.each([
    ['Vieux-Port, Marseille', 5.3698, 43.2954],
    ['Arles', 4.6278, 43.6768],
    ['Saintes-Maries-de-la-Mer', 4.4286, 43.4524],
    ['Aix-en-Provence', 5.4474, 43.5297],
    ['La Ciotat', 5.6044, 43.1746],
    ['Île de Riou', 5.3886, 43.1772],
    ['Saint-Paul-lès-Durance', 5.7097, 43.6889],
    ['Barbentane, on the Durance', 4.7486, 43.8997],
    ['a corner of the box', 4.23, 43.15],
  ])('holds %s', (_place, lon, lat) => {
    expect(isInside({ lon, lat }, BOUCHES_DU_RHONE)).toBe(true);
  });

  it.each([
    ['Paris', 2.3522, 48.8566],
    ['Toulon (Var)', 5.928, 43.1242],
    ['Avignon (Vaucluse)', 4.8055, 43.9493],
    ['Orange (Vaucluse)', 4.8089, 44.1381],
    ['Montpellier (Hérault)', 3.8767, 43.6108],
    ['Marseille with lat and lon swapped', 43.2954, 5.3698],
    ['null island', 0, 0],
  ])('excludes %s', (_place, lon, lat) => {
    expect(isInside({ lon, lat }, BOUCHES_DU_RHONE)).toBe(false);
  });
});

describe('checkPositions', () => {
  it('accepts finite positions inside the area', () => {
    expect(checkPositions([VIEUX_PORT, { lon: 5.38, lat: 43.3 }], 'r', BOUCHES_DU_RHONE)).toEqual(
      [],
    );
  });

  it('names each bad position by its index', () => {
    const found = checkPositions(
      [VIEUX_PORT, { lon: 43.2954, lat: 5.3698 }, { lon: Number.NaN, lat: 43.3 }, VIEUX_PORT],
      'payload.route.coordinates',
      BOUCHES_DU_RHONE,
    );
    expect(found.map((v) => [v.path, v.code])).toEqual([
      ['payload.route.coordinates.1', SanitizationViolationCode.OutsideArea],
      ['payload.route.coordinates.2', SanitizationViolationCode.InvalidCoordinate],
    ]);
    expect(found[0]?.message).toContain('[43.2954, 5.3698] [lon, lat]');
  });

  it('rejects infinite coordinates', () => {
    const found = checkPositions([{ lon: Infinity, lat: 43.3 }], 'r', BOUCHES_DU_RHONE);
    expect(found.map((v) => v.code)).toEqual([SanitizationViolationCode.InvalidCoordinate]);
  });

  it('reports the first ten bad positions, then sums up the rest per code', () => {
    const paris = { lon: 2.35, lat: 48.85 };
    const positions = [
      ...Array.from({ length: 25 }, () => paris),
      { lon: Number.NaN, lat: 0 },
      { lon: Number.NaN, lat: 0 },
    ];
    const found = checkPositions(positions, 'r', BOUCHES_DU_RHONE);
    expect(found).toHaveLength(MAX_POSITION_VIOLATIONS + 2);
    expect(found.slice(0, 10).map((v) => v.path)).toEqual(
      Array.from({ length: 10 }, (_, i) => `r.${i}`),
    );
    expect(found.slice(10)).toEqual([
      {
        path: 'r',
        code: SanitizationViolationCode.OutsideArea,
        message: 'and 15 more positions outside the area of operation',
      },
      {
        path: 'r',
        code: SanitizationViolationCode.InvalidCoordinate,
        message: 'and 2 more positions that are not finite numbers',
      },
    ]);
  });
});
