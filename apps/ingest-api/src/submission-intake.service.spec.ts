import { loadConfig } from '@app/config';
import type { Submission } from '@app/contracts';
import { sampleSubmissions } from '@app/testing';
import { IngestError, IngestErrorCode } from './ingest.error';
import { SubmissionIntake } from './submission-intake.service';
import type { SubmissionSink } from './submission.sink';
import type { ForeignEvent, ProducerBindings } from './producer-bindings';

/** A string matcher, typed for an object literal. */
const containing = (text: string): string => expect.stringContaining(text) as string;

/** The bindings' contract in memory (the PostgreSQL store is tested on the real stack). */
class MemoryBindings implements ProducerBindings {
  readonly owners = new Map<string, string>();
  claim(eventIds: readonly string[], producer: string): Promise<readonly ForeignEvent[]> {
    const foreign = eventIds
      .filter((id) => (this.owners.get(id) ?? producer) !== producer)
      .map((eventId) => ({ eventId, producer: this.owners.get(eventId) as string }));
    if (foreign.length === 0) for (const id of eventIds) this.owners.set(id, producer);
    return Promise.resolve(foreign);
  }
  ownerOf(eventId: string): Promise<string | undefined> {
    return Promise.resolve(this.owners.get(eventId));
  }
}

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
  const bindings = new MemoryBindings();
  return { sink, bindings, intake: new SubmissionIntake(config, sink, bindings) };
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

    const accepted = await intake.submit(json([s.moving, s.visit]), 'cortege-pp13');

    expect(accepted).toEqual([
      { eventId: s.moving.eventId, revision: 1, duplicate: false },
      { eventId: s.visit.eventId, revision: 1, duplicate: false },
    ]);
    expect(sink.stored).toEqual([s.moving, s.visit]);
  });

  it('acknowledges a resubmission as a duplicate without publishing it again', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();
    await intake.submit(json(visit), 'cortege-pp13');
    // The same content spelled differently: an ISO date instead of milliseconds.
    const again = {
      ...(json(visit) as object),
      submittedAt: new Date(visit.submittedAt).toISOString(),
    };

    expect(await intake.submit(again, 'cortege-pp13')).toEqual([
      { eventId: visit.eventId, revision: 1, duplicate: true },
    ]);
    expect(sink.stored).toHaveLength(1);
  });

  it('refuses other content under an accepted (eventId, revision) with a 409, publishing nothing', async () => {
    const { sink, intake } = intakeWith();
    const { visit, operation } = sampleSubmissions();
    await intake.submit(json(visit), 'cortege-pp13');
    const changed = { ...visit, source: 'another-app' };

    const error = await errorOf(intake.submit(json([operation, changed]), 'cortege-pp13'));

    expect(error.code).toBe(IngestErrorCode.RevisionConflict);
    expect(error.status).toBe(409);
    expect(error.details).toEqual({ eventId: visit.eventId, revision: 1, index: 1 });
    expect(error.submissions).toBe(2);
    expect(sink.stored).toEqual([visit]);
    // A higher revision of the same event is new.
    expect(await intake.submit(json({ ...changed, revision: 2 }), 'cortege-pp13')).toEqual([
      { eventId: visit.eventId, revision: 2, duplicate: false },
    ]);
  });

  it('publishes a pair repeated within one batch once, and refuses it with other content', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();

    expect(await intake.submit(json([visit, visit]), 'cortege-pp13')).toEqual([
      { eventId: visit.eventId, revision: 1, duplicate: false },
      { eventId: visit.eventId, revision: 1, duplicate: true },
    ]);
    expect(sink.stored).toHaveLength(1);
    const { operation } = sampleSubmissions();
    const error = await errorOf(
      intake.submit(json([operation, { ...operation, source: 'x' }]), 'cortege-pp13'),
    );
    expect(error.details).toMatchObject({ eventId: operation.eventId, index: 1 });
  });

  it('remembers nothing when the sink fails, so the retry is published', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();
    sink.next = 'fail';

    const error = await errorOf(intake.submit(json(visit), 'cortege-pp13'));
    expect(error).toMatchObject({
      code: IngestErrorCode.Unavailable,
      status: 503,
      retriable: true,
    });

    sink.next = 'store';
    expect(await intake.submit(json(visit), 'cortege-pp13')).toEqual([
      { eventId: visit.eventId, revision: 1, duplicate: false },
    ]);
    expect(sink.stored).toEqual([visit]);
  });

  it('answers 503 when the acknowledgement is late, and recognises the retry once it came', async () => {
    const { sink, intake } = intakeWith();
    const { visit } = sampleSubmissions();
    sink.next = 'hang';

    const error = await errorOf(intake.submit(json(visit), 'cortege-pp13'));
    expect(error.code).toBe(IngestErrorCode.Unavailable);
    expect(error.message).toContain('did not acknowledge within 200 ms');

    sink.next = 'store';
    const retry = intake.submit(json(visit), 'cortege-pp13'); // waits for the send under way
    sink.acknowledge();
    expect(await retry).toEqual([{ eventId: visit.eventId, revision: 1, duplicate: true }]);
    expect(sink.stored).toEqual([visit]);
  });

  it('publishes once when the same submission arrives twice at the same time', async () => {
    const { sink, intake } = intakeWith({ INGEST_PUBLISH_TIMEOUT_MS: '5000' });
    const { visit } = sampleSubmissions();
    sink.next = 'hang';

    const first = intake.submit(json(visit), 'cortege-pp13');
    const second = intake.submit(json(visit), 'cortege-pp13');
    sink.next = 'store';
    sink.acknowledge();

    expect((await first)[0]?.duplicate).toBe(false);
    expect((await second)[0]?.duplicate).toBe(true);
    expect(sink.stored).toHaveLength(1);
  });

  it('forgets the least recently accepted pairs beyond INGEST_DEDUP_ENTRIES', async () => {
    const { sink, intake } = intakeWith({ INGEST_DEDUP_ENTRIES: '1' });
    const { visit, operation } = sampleSubmissions();
    await intake.submit(json(visit), 'cortege-pp13');
    await intake.submit(json(operation), 'cortege-pp13');

    expect((await intake.submit(json(visit), 'cortege-pp13'))[0]?.duplicate).toBe(false);
    expect(sink.stored).toEqual([visit, operation, visit]);
  });

  it('refuses the whole request when a source is not one the producer may write', async () => {
    const { sink, intake } = intakeWith({
      INGEST_PRODUCERS: 'cortege-pp13=cortege-pp13;mairie=mairie13',
    });
    const { moving, visit } = sampleSubmissions();

    const error = await errorOf(intake.submit(json([moving, visit]), 'mairie'));
    expect(error.status).toBe(403);
    expect(error.body()).toEqual({
      error: 'source_not_allowed',
      message: containing("may not write source 'cortege-pp13' (its sources: mairie13)"),
      index: 0,
      source: 'cortege-pp13',
      producer: 'mairie',
    });
    expect((await errorOf(intake.submit(json(visit), 'unknown'))).code).toBe(
      IngestErrorCode.SourceNotAllowed,
    );
    expect(sink.stored).toEqual([]);
    await intake.submit(json(visit), 'cortege-pp13');
    expect(sink.stored).toHaveLength(1);
  });

  it("refuses another producer's revision of an event, even a duplicate, and binds nothing of the batch", async () => {
    const { sink, bindings, intake } = intakeWith();
    const { moving, visit } = sampleSubmissions();
    await intake.submit(json(moving), 'cortege-pp13');

    for (const body of [moving, { ...moving, revision: moving.revision + 1 }, [visit, moving]]) {
      const error = await errorOf(intake.submit(json(body), 'other'));
      expect(error.code).toBe(IngestErrorCode.EventOfAnotherProducer);
      expect(error.body()).toMatchObject({ eventId: moving.eventId });
    }
    expect(bindings.owners.has(visit.eventId)).toBe(false);
    expect(sink.stored).toHaveLength(1);
  });
});
