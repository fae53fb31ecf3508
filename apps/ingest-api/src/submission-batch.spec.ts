import { ViolationCode } from '@app/contracts';
import { sampleSubmissions } from '@app/testing';
import { IngestError, IngestErrorCode } from './ingest.error';
import { parseBatch } from './submission-batch';

const limits = { maxBatch: 10, maxRoutePoints: 100 };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const errorOf = (body: unknown): IngestError => {
  try {
    parseBatch(body, limits);
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('parseBatch accepted the body');
};

describe('parseBatch', () => {
  it('takes one object as a batch of one, in the normalised shape', () => {
    const visit = clone(sampleSubmissions().visit) as unknown as Record<string, unknown>;
    const expected = clone(visit);
    visit.submittedAt = new Date(visit.submittedAt as number).toISOString();
    expect(parseBatch(visit, limits)).toEqual([expected]);
  });

  it('takes an array, in order', () => {
    const s = sampleSubmissions();
    expect(parseBatch(clone([s.operation, s.cancel]), limits)).toEqual([s.operation, s.cancel]);
  });

  it('refuses the whole batch when one submission is invalid, with its index and field path', () => {
    const s = sampleSubmissions();
    const broken = clone(s.moving) as unknown as {
      payload: Record<string, Record<string, unknown>>;
    };
    const moving = broken.payload['cortege.MovingDemonstration'] as Record<string, unknown>;
    moving.endAt = moving.startAt;
    const error = errorOf([s.visit, broken, 'nope']);

    expect(error.code).toBe(IngestErrorCode.InvalidSubmission);
    expect(error.status).toBe(400);
    expect(error.submissions).toBe(3);
    expect(error.details.violations).toEqual([
      {
        index: 1,
        path: 'payload.cortege.MovingDemonstration.endAt',
        code: ViolationCode.EndBeforeStart,
        message: 'must be after startAt (2026-05-01T08:30:00.000Z)',
      },
      { index: 2, path: '', code: ViolationCode.WrongType, message: 'expected a JSON object' },
    ]);
    expect(error.message).toBe('2 of 3 submission(s) break the contract; none was accepted');
  });

  it('refuses an empty batch', () => {
    expect(errorOf([])).toMatchObject({ code: IngestErrorCode.EmptyBatch, status: 400 });
  });

  it('checks the limits before the contract', () => {
    const many = Array.from({ length: 11 }, () => 'not even an object');
    expect(errorOf(many)).toMatchObject({ code: IngestErrorCode.BatchTooLarge, status: 413 });
  });
});
