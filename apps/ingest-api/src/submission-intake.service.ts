import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Submission } from '@app/contracts';
import { sanitizationPolicy, type SanitizationPolicy } from '@app/sanitization/rules';
import { LruCache } from './dedup.cache';
import { IngestError, IngestErrorCode } from './ingest.error';
import { PRODUCER_BINDINGS, type ProducerBindings } from './producer-bindings';
import { parseBatch } from './submission-batch';
import { fingerprint, revisionKey } from './submission.fingerprint';
import { SUBMISSION_SINK, type SubmissionSink } from './submission.sink';
import { SUBMISSION_RECEIPTS, type SubmissionReceipts } from './submission-status.service';

/** One submission of an accepted request, as the 202 body lists it. */
export interface AcceptedSubmission {
  readonly eventId: string;
  readonly revision: number;
  /** True when this (eventId, revision) was already accepted with the same content. */
  readonly duplicate: boolean;
}

interface Entry {
  readonly submission: Submission;
  readonly key: string;
  readonly fingerprint: string;
}

/** Resolves like `promise`, or rejects with `onTimeout()` after `ms` milliseconds. */
async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The ingest use case: a request body in, its submissions durably published or refused as a
 * whole. Idempotent on (eventId, revision) within the process: an accepted pair is remembered
 * with its content's fingerprint in a bounded LRU, so a retry is acknowledged without being
 * republished and a different content under the same pair is a conflict. The memory is per
 * process: after a restart, or on another instance, a duplicate reaches Kafka and the
 * sanitizer's (eventId, revision) dedupe drops it.
 */
@Injectable()
export class SubmissionIntake {
  private readonly accepted: LruCache<string, string>;
  /** Pairs being published now, so a concurrent retry waits for the outcome instead of racing. */
  private readonly inFlight = new Map<string, { fingerprint: string; settled: Promise<void> }>();
  /**
   * The sanitizer stage's policy, built the way the stage builds it (the same SANITIZER_*
   * variables): what the stage would reject is a 400 here.
   */
  private readonly policy: SanitizationPolicy;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SUBMISSION_SINK) private readonly sink: SubmissionSink,
    @Inject(PRODUCER_BINDINGS) private readonly bindings: ProducerBindings,
    /** Where each accepted submission's receipt goes (its `received` status); none in unit tests. */
    @Optional()
    @Inject(SUBMISSION_RECEIPTS)
    private readonly receipts?: SubmissionReceipts,
  ) {
    this.accepted = new LruCache(config.ingest.dedupEntries);
    this.policy = sanitizationPolicy(config.sanitizer.policyOverrides);
    this.sources = config.ingest.producers
      ? new Map(config.ingest.producers.map((p) => [p.producer, new Set(p.sources)]))
      : undefined;
  }

  /** The sources each producer may write (INGEST_PRODUCERS); `undefined`: any. */
  private readonly sources: ReadonlyMap<string, ReadonlySet<string>> | undefined;

  /**
   * Validates, confines to `producer`, deduplicates and publishes the submissions of a parsed
   * request body.
   * @returns one entry per submission, in request order.
   * @throws IngestError (see `parseBatch`), SourceNotAllowed (403) for a source the producer
   *   may not write, EventOfAnotherProducer (403) for an event another producer created,
   *   RevisionConflict (409) for a pair already taken with other content, or Unavailable (503)
   *   when Kafka or the database did not answer in time.
   */
  async submit(body: unknown, producer: string): Promise<AcceptedSubmission[]> {
    const entries = parseBatch(body, this.config.ingest, this.policy).map((submission): Entry => ({
      submission,
      key: revisionKey(submission),
      fingerprint: fingerprint(submission),
    }));
    this.checkSources(entries, producer);
    await this.claimEvents(entries, producer);
    // Wait while another request publishes one of these pairs. The last check, the plan and
    // the registration of this request's sends happen without an await in between, so no
    // other request can slip in (`publish` registers before its first await).
    const deadline = Date.now() + this.config.ingest.publishTimeoutMs;
    for (let pending = this.inFlightOf(entries); pending; pending = this.inFlightOf(entries)) {
      await withTimeout(pending, deadline - Date.now(), () => this.timedOut(entries.length));
    }
    const { toSend, outcomes } = this.plan(entries);
    if (toSend.length > 0) await this.publish(toSend, entries.length, producer);
    return outcomes;
  }

  /** Refuses the request when a submission's source is not one the producer may write. */
  private checkSources(entries: readonly Entry[], producer: string): void {
    if (!this.sources) return;
    const allowed = this.sources.get(producer);
    const index = entries.findIndex((e) => !allowed?.has(e.submission.source));
    if (index < 0) return;
    const { source } = (entries[index] as Entry).submission;
    throw new IngestError(
      IngestErrorCode.SourceNotAllowed,
      allowed
        ? `producer '${producer}' may not write source '${source}' (its sources: ${[...allowed].join(', ')}); nothing was accepted`
        : `producer '${producer}' may not write source '${source}': it may write no source (INGEST_PRODUCERS); nothing was accepted`,
      { index, source, producer },
      entries.length,
    );
  }

  /** Binds new events to the producer; refuses the request when one is another's. */
  private async claimEvents(entries: readonly Entry[], producer: string): Promise<void> {
    let foreign;
    try {
      foreign = await this.bindings.claim(
        entries.map((e) => e.submission.eventId),
        producer,
      );
    } catch (error) {
      if (error instanceof IngestError) {
        throw new IngestError(error.code, error.message, error.details, entries.length, {
          cause: error.cause,
        });
      }
      throw error;
    }
    const [first] = foreign;
    if (!first) return;
    const index = entries.findIndex((e) => e.submission.eventId === first.eventId);
    throw new IngestError(
      IngestErrorCode.EventOfAnotherProducer,
      `event ${first.eventId} was created by another producer; '${producer}' may not revise or cancel it; nothing was accepted`,
      { index, eventId: first.eventId, revision: entries[index]?.submission.revision },
      entries.length,
    );
  }

  /** Splits a batch into new submissions and duplicates; refuses it on any conflict. */
  private plan(entries: readonly Entry[]): { toSend: Entry[]; outcomes: AcceptedSubmission[] } {
    const inBatch = new Map<string, string>();
    const toSend: Entry[] = [];
    const outcomes = entries.map((entry, index): AcceptedSubmission => {
      const known = this.accepted.get(entry.key) ?? inBatch.get(entry.key);
      const { eventId, revision } = entry.submission;
      if (known !== undefined && known !== entry.fingerprint) {
        throw new IngestError(
          IngestErrorCode.RevisionConflict,
          `revision ${revision} of event ${eventId} was already accepted with other content; send a higher revision`,
          { eventId, revision, index },
          entries.length,
        );
      }
      if (known === undefined) {
        inBatch.set(entry.key, entry.fingerprint);
        toSend.push(entry);
      }
      return { eventId, revision, duplicate: known !== undefined };
    });
    return { toSend, outcomes };
  }

  /** Publishes, remembering each pair once the brokers acknowledged — even after a timeout. */
  private async publish(
    toSend: readonly Entry[],
    requestSize: number,
    producer: string,
  ): Promise<void> {
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    for (const entry of toSend)
      this.inFlight.set(entry.key, { fingerprint: entry.fingerprint, settled });
    const sending = this.sink
      .send(
        toSend.map((e) => e.submission),
        producer,
      )
      .then(async () => {
        for (const entry of toSend) this.accepted.set(entry.key, entry.fingerprint);
        await this.receipts?.received(
          toSend.map((e) => e.submission),
          new Date(),
        );
      })
      .finally(() => {
        for (const entry of toSend)
          if (this.inFlight.get(entry.key)?.settled === settled) this.inFlight.delete(entry.key);
        settle();
      });
    try {
      await withTimeout(sending, this.config.ingest.publishTimeoutMs, () =>
        this.timedOut(requestSize),
      );
    } catch (error) {
      if (error instanceof IngestError) {
        throw new IngestError(error.code, error.message, error.details, requestSize, {
          cause: error.cause,
        });
      }
      throw error;
    }
  }

  /** Settles when the sends under way of any of `entries` have; `undefined` when none is. */
  private inFlightOf(entries: readonly Entry[]): Promise<unknown> | undefined {
    const pending = new Set<Promise<void>>();
    for (const entry of entries) {
      const flight = this.inFlight.get(entry.key);
      if (flight) pending.add(flight.settled);
    }
    return pending.size > 0 ? Promise.all(pending) : undefined;
  }

  private timedOut(requestSize: number): IngestError {
    return new IngestError(
      IngestErrorCode.Unavailable,
      `Kafka did not acknowledge within ${this.config.ingest.publishTimeoutMs} ms; retry (an acknowledged submission is recognised as a duplicate)`,
      { retriable: true },
      requestSize,
    );
  }
}
