import type { Position } from '@app/contracts';
import { checkFootprint } from './footprint.rules';
import { DEFAULT_SANITIZATION_POLICY, sanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode } from './sanitization.violation';

const P = 'payload.cortege.StaticDemonstration.footprint';
/** Positions on a 0.001° grid (≈ 80 m × 110 m) whose corner is Place Félix Baret. */
const ring = (...xy: Array<[number, number]>): Position[] =>
  xy.map(([x, y]) => ({ lon: 5.3791 + x * 0.001, lat: 43.2903 + y * 0.001 }));
const check = (rings: Position[][], policy = DEFAULT_SANITIZATION_POLICY) =>
  checkFootprint({ rings }, P, policy);
const codes = (rings: Position[][], policy = DEFAULT_SANITIZATION_POLICY) =>
  check(rings, policy).violations.map((v) => [v.path, v.code]);

const SQUARE = ring([0, 0], [1, 0], [1, 1], [0, 1], [0, 0]);
const HOLE = ring([0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]);

describe('checkFootprint', () => {
  describe('accepts', () => {
    it('a closed counterclockwise ring, unchanged and unrepaired', () => {
      const footprint = { rings: [SQUARE] };
      const result = checkFootprint(footprint, P, DEFAULT_SANITIZATION_POLICY);
      expect(result).toEqual({ footprint, repairs: [], violations: [] });
      expect(result.footprint).toBe(footprint);
    });

    it('a concave ring', () => {
      expect(codes([ring([0, 0], [2, 0], [2, 2], [1, 1], [0, 2], [0, 0])])).toEqual([]);
    });

    it('a clockwise hole inside the outer ring', () => {
      expect(check([SQUARE, HOLE])).toEqual({
        footprint: { rings: [SQUARE, HOLE] },
        repairs: [],
        violations: [],
      });
    });
  });

  describe('repairs and flags', () => {
    it('an unclosed ring, by closing it', () => {
      const result = check([SQUARE.slice(0, 4)]);
      expect(result.violations).toEqual([]);
      expect(result.footprint.rings).toEqual([SQUARE]);
      expect(result.repairs).toEqual([
        `${P}.rings.0: closed the ring (repeated its first position at the end)`,
      ]);
    });

    it('consecutive duplicate positions, by removing them', () => {
      const [a, b, c, d] = SQUARE as [Position, Position, Position, Position];
      const result = check([[a, b, b, b, c, d, d, a, a]]);
      expect(result.violations).toEqual([]);
      expect(result.footprint.rings).toEqual([SQUARE]);
      expect(result.repairs).toEqual([`${P}.rings.0: removed 4 consecutive duplicate positions`]);
    });

    it('a clockwise outer ring, by rewinding it counterclockwise', () => {
      const clockwise = [...SQUARE].reverse();
      const result = check([clockwise]);
      expect(result.violations).toEqual([]);
      expect(result.footprint.rings).toEqual([SQUARE]);
      expect(result.repairs).toEqual([
        `${P}.rings.0: rewound counterclockwise (RFC 7946 outer ring)`,
      ]);
    });

    it('a counterclockwise hole, by rewinding it clockwise', () => {
      const result = check([SQUARE, [...HOLE].reverse()]);
      expect(result.violations).toEqual([]);
      expect(result.footprint.rings).toEqual([SQUARE, HOLE]);
      expect(result.repairs).toEqual([`${P}.rings.1: rewound clockwise (RFC 7946 hole)`]);
    });

    it('all three at once, in order, and never mutates the input', () => {
      const [a, b, c, d] = SQUARE as [Position, Position, Position, Position];
      const input = [d, c, c, b, a];
      const copy = structuredClone(input);
      const result = check([input]);
      expect(result.violations).toEqual([]);
      expect(result.footprint.rings).toEqual([[d, a, b, c, d]]);
      expect(result.repairs).toEqual([
        `${P}.rings.0: removed 1 consecutive duplicate position`,
        `${P}.rings.0: closed the ring (repeated its first position at the end)`,
        `${P}.rings.0: rewound counterclockwise (RFC 7946 outer ring)`,
      ]);
      expect(input).toEqual(copy);
    });
  });

  describe('rejects', () => {
    it('a footprint without rings', () => {
      expect(codes([])).toEqual([[`${P}.rings`, SanitizationViolationCode.InvalidPolygon]]);
    });

    it.each([
      ['two corners', ring([0, 0], [1, 0], [0, 0])],
      ['three positions, unclosed', ring([0, 0], [1, 0], [1, 1]).slice(0, 2)],
      ['one corner repeated', ring([0, 0], [0, 0], [0, 0], [0, 0])],
    ])('a ring of %s', (_why, bad) => {
      expect(codes([bad])).toEqual([[`${P}.rings.0`, SanitizationViolationCode.InvalidPolygon]]);
    });

    it('a flat ring, its corners on one line', () => {
      const found = check([ring([0, 0], [1, 0], [2, 0], [0, 0])]).violations;
      expect(found).toEqual([
        {
          path: `${P}.rings.0`,
          code: SanitizationViolationCode.InvalidPolygon,
          message: 'has no area: its corners are on one line',
        },
      ]);
    });

    it('a bow tie, which crosses itself, with where', () => {
      const found = check([ring([0, 0], [1, 1], [1, 0], [0, 1], [0, 0])]).violations;
      expect(found).toEqual([
        {
          path: `${P}.rings.0`,
          code: SanitizationViolationCode.SelfIntersectingPolygon,
          message: 'crosses itself at [5.379600, 43.290800] [lon, lat]',
        },
      ]);
    });

    it('a ring that touches itself at a corner', () => {
      expect(codes([ring([0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 1], [0, 0])])).toEqual([
        [`${P}.rings.0`, SanitizationViolationCode.SelfIntersectingPolygon],
      ]);
    });

    it('a self-intersecting hole, by its index', () => {
      expect(
        codes([SQUARE, ring([0.2, 0.2], [0.8, 0.8], [0.8, 0.2], [0.2, 0.8], [0.2, 0.2])]),
      ).toEqual([[`${P}.rings.1`, SanitizationViolationCode.SelfIntersectingPolygon]]);
    });

    it('a hole that crosses the outer ring', () => {
      expect(
        codes([SQUARE, ring([0.5, 0.5], [0.5, 1.5], [1.5, 1.5], [1.5, 0.5], [0.5, 0.5])]),
      ).toEqual([[`${P}.rings`, SanitizationViolationCode.InvalidPolygon]]);
    });

    it('a hole outside the outer ring', () => {
      expect(codes([SQUARE, ring([2, 2], [2, 3], [3, 3], [3, 2], [2, 2])])).toEqual([
        [`${P}.rings.1`, SanitizationViolationCode.InvalidPolygon],
      ]);
    });

    it('positions outside the area or not finite, by ring and index, repairing nothing', () => {
      const paris = { lon: 2.35, lat: 48.85 };
      const [a, b, c] = SQUARE as [Position, Position, Position];
      const result = check([[a, b, paris, { lon: Number.NaN, lat: 43.3 }, c]]);
      expect(result.violations.map((v) => [v.path, v.code])).toEqual([
        [`${P}.rings.0.2`, SanitizationViolationCode.OutsideArea],
        [`${P}.rings.0.3`, SanitizationViolationCode.InvalidCoordinate],
      ]);
      expect(result.repairs).toEqual([]);
    });

    it('more positions than the policy allows, before any costly test', () => {
      const policy = sanitizationPolicy({ maxFootprintPoints: 10 });
      expect(codes([SQUARE, HOLE], policy)).toEqual([]);
      expect(codes([SQUARE, [...HOLE.slice(0, 4), HOLE[3]!, HOLE[0]!]], policy)).toEqual([
        [`${P}.rings`, SanitizationViolationCode.PolygonTooLarge],
      ]);
    });

    it('and never returns repairs alongside violations', () => {
      const result = check([[...SQUARE].reverse(), ring([2, 2], [2, 3], [3, 3], [3, 2], [2, 2])]);
      expect(result.violations).toHaveLength(1);
      expect(result.repairs).toEqual([]);
    });
  });
});
