import { ViolationCode } from '@app/contracts';
import { sanitizationPolicy, SanitizationViolationCode } from '@app/sanitization';
import { sampleSubmissions } from '@app/testing';
import { IngestError, IngestErrorCode } from './ingest.error';
import { parseBatch } from './submission-batch';

const limits = { maxBatch: 10, maxRoutePoints: 100 };
const policy = sanitizationPolicy();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const errorOf = (body: unknown): IngestError => {
  try {
    parseBatch(body, limits, policy);
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
    expect(parseBatch(visit, limits, policy)).toEqual([expected]);
  });

  it('takes an array, in order', () => {
    const s = sampleSubmissions();
    expect(parseBatch(clone([s.operation, s.cancel]), limits, policy)).toEqual([
      s.operation,
      s.cancel,
    ]);
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

  it('applies the sanitizer’s rules with the policy given, every violation of every submission', () => {
    const s = sampleSubmissions();
    const moving = clone(s.moving) as unknown as {
      payload: Record<string, Record<string, unknown>>;
    };
    const event = moving.payload['cortege.MovingDemonstration'] as Record<string, unknown>;
    event.organiserStatus = 'COMPANY';
    event.peopleExpected = 5_000;
    event.waypointAddresses = ['', ' '];
    const error = errorOf([s.visit, moving]);
    const base = 'payload.cortege.MovingDemonstration';
    expect(
      (error.details.violations as Array<Record<string, unknown>>).map((v) => [
        v.index,
        v.path,
        v.code,
      ]),
    ).toEqual([
      [1, `${base}.organiserStatus`, ViolationCode.InvalidEnum],
      [1, `${base}.waypointAddresses.0`, SanitizationViolationCode.EmptyAddress],
      [1, `${base}.waypointAddresses.1`, SanitizationViolationCode.EmptyAddress],
    ]);
    expect(error.details.truncated).toBeUndefined();
    const strict = sanitizationPolicy({ maxPeople: 1_000 });
    const strictError = (() => {
      try {
        parseBatch(clone([s.visit, s.moving]), limits, strict);
      } catch (e) {
        return e as IngestError;
      }
      throw new Error('parseBatch accepted the body');
    })();
    expect(
      (strictError.details.violations as Array<Record<string, unknown>>).map((v) => [
        v.index,
        v.code,
      ]),
    ).toEqual([
      [1, SanitizationViolationCode.CountTooLarge],
      [1, SanitizationViolationCode.CountTooLarge],
    ]);
  });

  it('lists at most 100 violations of a submission, with truncated and how many were left out', () => {
    const s = sampleSubmissions();
    const moving = clone(s.moving) as unknown as {
      payload: Record<string, Record<string, unknown>>;
    };
    const event = moving.payload['cortege.MovingDemonstration'] as Record<string, unknown>;
    event.waypointAddresses = Array.from({ length: 130 }, () => '');
    const error = errorOf([moving, moving]);
    expect(error.details.violations).toHaveLength(200);
    expect(error.details).toMatchObject({ truncated: true, violationsOmitted: 60 });
    expect(
      (error.details.violations as Array<{ index: number }>).filter((v) => v.index === 1),
    ).toHaveLength(100);
  });

  it('refuses an empty batch', () => {
    expect(errorOf([])).toMatchObject({ code: IngestErrorCode.EmptyBatch, status: 400 });
  });

  it('checks the limits before the contract', () => {
    const many = Array.from({ length: 11 }, () => 'not even an object');
    expect(errorOf(many)).toMatchObject({ code: IngestErrorCode.BatchTooLarge, status: 413 });
  });
});
