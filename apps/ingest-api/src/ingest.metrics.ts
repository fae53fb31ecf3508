import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AcceptedSubmission } from './submission-intake.service';
import { IngestError, IngestErrorCode } from './ingest.error';

/** What became of a submission. */
export const SUBMISSION_OUTCOMES = [
  'accepted',
  'duplicate',
  'rejected',
  'conflict',
  'unavailable',
] as const;
export type SubmissionOutcome = (typeof SUBMISSION_OUTCOMES)[number];

/**
 * The API's Prometheus metrics, in a registry of its own (several apps may share a process in
 * tests): submissions by outcome, request durations, and the default process metrics.
 */
@Injectable()
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly submissions: Counter<'outcome'>;
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.submissions = new Counter({
      name: 'cortege_ingest_submissions_total',
      help: 'Submissions received, by outcome: accepted (published), duplicate (acknowledged, not republished), rejected (invalid or over a limit), conflict (revision taken with other content), unavailable (Kafka did not acknowledge; retriable).',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of SUBMISSION_OUTCOMES) this.submissions.inc({ outcome }, 0);
    this.requestDuration = new Histogram({
      name: 'cortege_ingest_http_request_duration_seconds',
      help: 'HTTP request duration, seconds, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [this.registry],
    });
  }

  /** Counts the submissions of an accepted request. */
  countAccepted(accepted: readonly AcceptedSubmission[]): void {
    const duplicates = accepted.filter((a) => a.duplicate).length;
    this.submissions.inc({ outcome: 'accepted' }, accepted.length - duplicates);
    this.submissions.inc({ outcome: 'duplicate' }, duplicates);
  }

  /** Counts the submissions of a refused request: a whole request is refused, all or nothing. */
  countRefused(error: unknown): void {
    if (!(error instanceof IngestError)) return;
    const outcome: SubmissionOutcome | undefined =
      error.code === IngestErrorCode.RevisionConflict
        ? 'conflict'
        : error.code === IngestErrorCode.Unavailable
          ? 'unavailable'
          : error.status === 401 || error.status === 403
            ? undefined
            : 'rejected';
    if (outcome) this.submissions.inc({ outcome }, error.submissions);
  }

  /** Express middleware timing each request until its response is written. */
  middleware(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
    return (request, response, next) => {
      const stop = this.requestDuration.startTimer({ method: request.method ?? 'GET' });
      response.once('finish', () => {
        // Express sets `route` on a matched request: its template keeps label values few.
        const route = (request as IncomingMessage & { route?: { path?: unknown } }).route?.path;
        stop({
          route: typeof route === 'string' ? route : 'unmatched',
          status: String(response.statusCode),
        });
      });
      next();
    };
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
