import { AnalystError } from './analyst.error';
import {
  parseBbox,
  parseDatetime,
  parseEnumList,
  parseInteger,
  parseLimit,
  parseNumber,
  parseUuidList,
  refuseUnknown,
  single,
} from './query-params';

/** The refusal `fn` throws: [status, OGC code, parameter]. */
function refusal(fn: () => unknown): [number, string, string | undefined] | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AnalystError) return [error.status, error.code, error.parameter];
    throw error;
  }
  return undefined;
}

describe('bbox', () => {
  it('reads four numbers, longitude first, and six with heights', () => {
    expect(parseBbox('5.2,43.2,5.6,43.4')).toEqual([5.2, 43.2, 5.6, 43.4]);
    expect(parseBbox('5.2,43.2,0,5.6,43.4,100')).toEqual([5.2, 43.2, 5.6, 43.4]);
    expect(parseBbox(' -1e-1 , 43 ,.5,44')).toEqual([-0.1, 43, 0.5, 44]);
  });

  it.each([
    ['5.2,43.2,5.6'],
    ['5.2,43.2,5.6,43.4,1'],
    ['a,b,c,d'],
    ['5.2,43.2,5.6,NaN'],
    ['5.2,43.2,5.6,Infinity'],
    ['0x10,43,5,44'],
    ['5.2,43.4,5.6,43.2'],
    ['5.6,43.2,5.2,43.4'],
    ['5.2,43.2,181,43.4'],
    ['5.2,-91,5.6,43.4'],
    ["5.2,43.2,5.6,43.4'); DROP TABLE event; --"],
    [''],
  ])('refuses %j with 400 naming bbox', (value) => {
    expect(refusal(() => parseBbox(value))).toEqual([400, 'InvalidParameterValue', 'bbox']);
  });
});

describe('datetime', () => {
  const at = (iso: string) => Date.parse(iso);

  it('reads an instant, closed and half-open intervals', () => {
    expect(parseDatetime('2026-05-01T08:00:00Z')).toEqual({
      start: at('2026-05-01T08:00:00Z'),
      end: at('2026-05-01T08:00:00Z'),
    });
    expect(parseDatetime('2026-05-01T10:00:00+02:00/2026-05-02T00:00:00.5Z')).toEqual({
      start: at('2026-05-01T08:00:00Z'),
      end: at('2026-05-02T00:00:00.500Z'),
    });
    expect(parseDatetime('../2026-05-01T00:00:00Z')).toEqual({
      start: null,
      end: at('2026-05-01T00:00:00Z'),
    });
    expect(parseDatetime('2026-05-01T00:00:00Z/')).toEqual({
      start: at('2026-05-01T00:00:00Z'),
      end: null,
    });
    expect(parseDatetime('../..')).toEqual({ start: null, end: null });
  });

  it.each([
    ['2026-05-01'],
    ['2026-05-01T08:00:00'],
    ['2026-02-30T08:00:00Z'],
    ['2026-05-01T25:00:00Z'],
    ['yesterday'],
    ['2026-05-02T00:00:00Z/2026-05-01T00:00:00Z'],
    ['2026-05-01T00:00:00Z/2026-05-02T00:00:00Z/2026-05-03T00:00:00Z'],
    ["2026-05-01T00:00:00Z' OR '1'='1"],
  ])('refuses %j with 400 naming datetime', (value) => {
    expect(refusal(() => parseDatetime(value))).toEqual([400, 'InvalidParameterValue', 'datetime']);
  });
});

describe('limit', () => {
  it('takes the default when absent and clamps to the maximum', () => {
    expect(parseLimit(undefined, 100, 10_000)).toBe(100);
    expect(parseLimit('25', 100, 10_000)).toBe(25);
    expect(parseLimit('1000000', 100, 10_000)).toBe(10_000);
  });

  it.each([['0'], ['-1'], ['1.5'], ['ten'], ['']])('refuses %j with 400 naming limit', (value) => {
    expect(refusal(() => parseLimit(value, 100, 10_000))).toEqual([
      400,
      'InvalidParameterValue',
      'limit',
    ]);
  });
});

describe('the other parameters', () => {
  it('refuses an unknown parameter by name, and a repeated one', () => {
    expect(refusal(() => refuseUnknown({ bbox: '1', colour: 'red' }, ['bbox']))).toEqual([
      400,
      'UnknownParameter',
      'colour',
    ]);
    expect(refusal(() => single({ limit: ['1', '2'] }, 'limit'))).toEqual([
      400,
      'InvalidParameterValue',
      'limit',
    ]);
    expect(refusal(() => single({ limit: 'x'.repeat(2001) }, 'limit'))).toEqual([
      400,
      'InvalidParameterValue',
      'limit',
    ]);
  });

  it('checks enums, ids, integers and numbers', () => {
    expect(parseEnumList('kind', 'A,B', ['A', 'B', 'C'])).toEqual(['A', 'B']);
    expect(refusal(() => parseEnumList('kind', 'A,Z', ['A']))).toEqual([
      400,
      'InvalidParameterValue',
      'kind',
    ]);
    expect(parseUuidList('eventId', '3F1C2A4E-0000-4000-8000-000000000001')).toEqual([
      '3f1c2a4e-0000-4000-8000-000000000001',
    ]);
    expect(refusal(() => parseUuidList('eventId', "1' OR 1=1"))).toEqual([
      400,
      'InvalidParameterValue',
      'eventId',
    ]);
    expect(parseInteger('z', '12', 0, 24)).toBe(12);
    expect(refusal(() => parseInteger('z', '25', 0, 24))).toEqual([
      400,
      'InvalidParameterValue',
      'z',
    ]);
    expect(refusal(() => parseInteger('x', '1e3', 0, 24))).toEqual([
      400,
      'InvalidParameterValue',
      'x',
    ]);
    expect(parseNumber('minScore', '2.5')).toBe(2.5);
    expect(refusal(() => parseNumber('minScore', '2.5;'))).toEqual([
      400,
      'InvalidParameterValue',
      'minScore',
    ]);
  });
});
