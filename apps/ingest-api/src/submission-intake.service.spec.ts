import { loadConfig } from '@app/config';
import type { Submission } from '@app/contracts';
import { sampleSubmissions } from '@app/testing';
import { IngestError, IngestErrorCode } from './ingest.error';
import { SubmissionIntake } from './submission-intake.service';
import type { SubmissionSink } from './submission.sink';

/** A sink that records what it stores; each send can be made to fail or to hang. */
class FakeSink implements SubmissionSink {
  readonly stored: Submission[] = [];
  next: 'store' | 'fail' | 'hang' = 'store';
  private release: (() => void) | undefined;

  send(submissions: readonly Submission[]): Promise<void> {
    const mode = this.next;
    if (mode === 'fail')
      return Promise.reject(
        new IngestError(IngestErrorCode.Unavailable, 'broker down', { retriable: true }),
      );
    if (mode === 'hang')
      return new Promise((resolve) => {
        this.release = () => {
          this.stored.push(...submissions);
          resolve();
        };
      });
    this.stored.push(...submissions);
    return Promise.resolve();
  }

  /** Lets the hanging send acknowledge. */
  acknowledge(): void {
    this.release?.();
  }
}

const intakeWith = (env: Record<string, string> = {}) => {
  const sink = new FakeSink();
  const config = loadConfig({ INGEST_PUBLISH_TIMEOUT_MS: '200', ...env });
  return { sink, intake: new SubmissionIntake(config, sink) };
};
const json = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));
const errorOf = async (promise: Promise<unknown>): Promise<IngestError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
};

describe('SubmissionIntake', () => {
  it('publishes a batch and answers each submission in order', async () => {
    const { sink, intake } = intakeWith();
    const s = sampleSubmissions();

    const accepted = await intake.submit(json([s.moving, s.visit]));

    expect(accepted).toEqual([
      { eventId: s.moving.eventId, revision: 1, duplicate: false },
      { eventId: s.visit.eventId, revision: 1, duplicate: false },
    ]);
    expect(sink.stored).toEqual([s.moving, s.visit]);
  });

  it('acknowledges a resubmission as a duplicate without publishing it again', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();
    await intake.submit(json(visit));
    // The same content spelled differently: an ISO date instead of milliseconds.
    const again = {
      ...(json(visit) as object),
      submittedAt: new Date(visit.submittedAt).toISOString(),
    };

    expect(await intake.submit(again)).toEqual([
      { eventId: visit.eventId, revision: 1, duplicate: true },
    ]);
    expect(sink.stored).toHaveLength(1);
  });

  it('refuses other content under an accepted (eventId, revision) with a 409, publishing nothing', async () => {
    const { sink, intake } = intakeWith();
    const { visit, operation } = sampleSubmissions();
    await intake.submit(json(visit));
    const changed = { ...visit, source: 'another-app' };

    const error = await errorOf(intake.submit(json([operation, changed])));

    expect(error.code).toBe(IngestErrorCode.RevisionConflict);
    expect(error.status).toBe(409);
    expect(error.details).toEqual({ eventId: visit.eventId, revision: 1, index: 1 });
    expect(error.submissions).toBe(2);
    expect(sink.stored).toEqual([visit]);
    // A higher revision of the same event is new.
    expect(await intake.submit(json({ ...changed, revision: 2 }))).toEqual([
      { eventId: visit.eventId, revision: 2, duplicate: false },
    ]);
  });

  it('publishes a pair repeated within one batch once, and refuses it with other content', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();

    expect(await intake.submit(json([visit, visit]))).toEqual([
      { eventId: visit.eventId, revision: 1, duplicate: false },
      { eventId: visit.eventId, revision: 1, duplicate: true },
    ]);
    expect(sink.stored).toHaveLength(1);
    const { operation } = sampleSubmissions();
    const error = await errorOf(intake.submit(json([operation, { ...operation, source: 'x' }])));
    expect(error.details).toMatchObject({ eventId: operation.eventId, index: 1 });
  });

  it('remembers nothing when the sink fails, so the retry is published', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();
    sink.next = 'fail';

    const error = await errorOf(intake.submit(json(visit)));
    expect(error).toMatchObject({
      code: IngestErrorCode.Unavailable,
      status: 503,
      retriable: true,
    });

    sink.next = 'store';
    expect(await intake.submit(json(visit))).toEqual([
      { eventId: visit.eventId, revision: 1, duplicate: false },
    ]);
    expect(sink.stored).toEqual([visit]);
  });

  it('answers 503 when the acknowledgement is late, and recognises the retry once it came', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();
    sink.next = 'hang';

    const error = await errorOf(intake.submit(json(visit)));
    expect(error.code).toBe(IngestErrorCode.Unavailable);
    expect(error.message).toContain('did not acknowledge within 200 ms');

    sink.next = 'store';
    const retry = intake.submit(json(visit)); // waits for the send under way
    sink.acknowledge();
    expect(await retry).toEqual([{ eventId: visit.eventId, revision: 1, duplicate: true }]);
    expect(sink.stored).toEqual([visit]);
  });

  it('publishes once when the same submission arrives twice at the same time', async () => {
    const { sink, intake } = intakeWith({ INGEST_PUBLISH_TIMEOUT_MS: '5000' });
    const { visit } = sampleSubmissions();
    sink.next = 'hang';

    const first = intake.submit(json(visit));
    const second = intake.submit(json(visit));
    sink.next = 'store';
    sink.acknowledge();

    expect((await first)[0]?.duplicate).toBe(false);
    expect((await second)[0]?.duplicate).toBe(true);
    expect(sink.stored).toHaveLength(1);
  });

  it('forgets the least recently accepted pairs beyond INGEST_DEDUP_ENTRIES', async () => {
    const { sink, intake } = intakeWith({ INGEST_DEDUP_ENTRIES: '1' });
    const { visit, operation } = sampleSubmissions();
    await intake.submit(json(visit));
    await intake.submit(json(operation));

    expect((await intake.submit(json(visit)))[0]?.duplicate).toBe(false);
    expect(sink.stored).toEqual([visit, operation, visit]);
  });
});
