import { sampleSubmissions } from '@app/testing';
import { IngestError, IngestErrorCode } from './ingest.error';
import { checkLimits } from './submission.limits';

// The samples' route has 4 positions, their footprint ring 5: both at or under the limit.
const limits = { maxBatch: 3, maxRoutePoints: 5 };
const points = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ lon: 5.37 + i / 1000, lat: 43.29 }));
const refusalOf = (items: unknown[]) => {
  try {
    checkLimits(items, limits);
  } catch (error) {
    if (error instanceof IngestError)
      return { code: error.code, status: error.status, ...error.details };
    throw error;
  }
  return undefined;
};

describe('checkLimits', () => {
  it('lets a batch at the limits through', () => {
    const { moving, static: rally, visit } = sampleSubmissions();
    expect(refusalOf([moving, rally, visit])).toBeUndefined();
  });

  it('refuses a batch longer than the maximum, naming the limit', () => {
    const s = sampleSubmissions();
    expect(refusalOf([s.moving, s.static, s.visit, s.operation])).toEqual({
      code: IngestErrorCode.BatchTooLarge,
      status: 413,
      limit: 3,
      length: 4,
    });
  });

  it('refuses a route with too many positions, with its field path and index', () => {
    const { moving, visit } = sampleSubmissions();
    const long = JSON.parse(JSON.stringify(moving)) as {
      payload: { 'cortege.MovingDemonstration': { route: { coordinates: unknown[] } } };
    };
    long.payload['cortege.MovingDemonstration'].route.coordinates = points(6);
    expect(refusalOf([visit, long])).toEqual({
      code: IngestErrorCode.TooManyPoints,
      status: 413,
      index: 1,
      path: 'payload.cortege.MovingDemonstration.route.coordinates',
      limit: 5,
      length: 6,
    });
  });

  it('refuses a footprint ring with too many positions, naming the ring', () => {
    const rally = JSON.parse(JSON.stringify(sampleSubmissions().static)) as {
      payload: { 'cortege.StaticDemonstration': { footprint: { rings: unknown[][] } } };
    };
    rally.payload['cortege.StaticDemonstration'].footprint.rings.push(points(7));
    expect(refusalOf([rally])).toMatchObject({
      code: IngestErrorCode.TooManyPoints,
      path: 'payload.cortege.StaticDemonstration.footprint.rings.1',
      length: 7,
    });
  });

  it('leaves malformed shapes to the contract check', () => {
    expect(
      refusalOf([null, 'x', { payload: { 'cortege.MovingDemonstration': { route: 7 } } }]),
    ).toBeUndefined();
  });
});
