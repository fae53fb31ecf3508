import type { SubmissionState, SubmissionStatusView } from '@app/submission-status';

export type { SubmissionState, SubmissionStatusView } from '@app/submission-status';

/** Where the SDK asks for its submissions' status: the ingest API, with the producer's token. */
export interface StatusApiOptions {
  /** Base URL of the ingest API, e.g. `https://ingest.example`. */
  readonly url: string;
  /** The producer's bearer token (called before each request: a fresh one if it expires). */
  readonly token: () => string | Promise<string>;
  /** How long one request may take, ms (10 s unless told). */
  readonly timeoutMs?: number;
}

/** The steps a revision goes through, in order; `waitFor` waits for one of them. */
export const SUBMISSION_STEPS = ['received', 'clean', 'located', 'aggregated'] as const;
export type SubmissionStep = (typeof SUBMISSION_STEPS)[number];

export enum SubmissionStatusErrorCode {
  /** The wait ended before the revision reached the step. */
  Timeout = 'timeout',
  /** A stage rejected the revision: it will never reach the step (`status.rejection` says why). */
  Rejected = 'rejected',
  /** The API refused the request (401, 403, 400): asking again will not help. */
  Refused = 'refused',
  /** The API did not answer, or answered 5xx. */
  Unavailable = 'unavailable',
  /** `statusApi` was not given to the producer. */
  NotConfigured = 'not_configured',
}

/** A status could not be read, or a wait did not end as hoped; `status` is the last one seen. */
export class SubmissionStatusError extends Error {
  constructor(
    readonly code: SubmissionStatusErrorCode,
    message: string,
    readonly status: SubmissionStatusView | undefined,
  ) {
    super(message);
    this.name = 'SubmissionStatusError';
  }

  get retriable(): boolean {
    return (
      this.code === SubmissionStatusErrorCode.Unavailable ||
      this.code === SubmissionStatusErrorCode.Timeout
    );
  }
}

const describe = (status: SubmissionStatusView | undefined): string =>
  status === undefined
    ? 'none (the API knows nothing of it yet)'
    : status.status === 'rejected'
      ? `rejected by the ${status.rejection?.stage ?? 'unknown'} stage (${status.rejection?.code ?? ''})`
      : status.status;

/**
 * Reads a producer's submissions' status from the ingest API (`GET /v1/submissions/…`) and waits
 * for a revision to reach a step, polling with a back-off (100 ms doubled up to 2 s).
 */
export class SubmissionStatusClient {
  constructor(private readonly options: StatusApiOptions) {}

  /**
   * The status of `revision` of `eventId`, or of its newest revision; undefined when the API
   * knows nothing of it (yet).
   * @throws SubmissionStatusError Refused (401, 403: another producer's event, 400) or
   *   Unavailable.
   */
  async status(eventId: string, revision?: number): Promise<SubmissionStatusView | undefined> {
    const path =
      revision === undefined
        ? `/v1/submissions/${encodeURIComponent(eventId)}`
        : `/v1/submissions/${encodeURIComponent(eventId)}/revisions/${revision}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.options.url), {
        headers: {
          authorization: `Bearer ${await this.options.token()}`,
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new SubmissionStatusError(
        SubmissionStatusErrorCode.Unavailable,
        `the ingest API did not answer: ${(error as Error).message}`,
        undefined,
      );
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status === 200)
      return revision === undefined
        ? (body.latest as SubmissionStatusView)
        : (body as unknown as SubmissionStatusView);
    if (response.status === 404) return undefined;
    const why = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    throw new SubmissionStatusError(
      response.status >= 500 || response.status === 429
        ? SubmissionStatusErrorCode.Unavailable
        : SubmissionStatusErrorCode.Refused,
      `the ingest API answered ${response.status}: ${why}`,
      undefined,
    );
  }

  /**
   * Waits until `revision` of `eventId` reaches `step` (or went past it), and returns its
   * status. Polls with a back-off; a 404 (not known yet) or an API away is waited through.
   * @throws SubmissionStatusError Rejected as soon as a stage rejects the revision; Timeout
   *   after `timeoutMs`, naming what was awaited and the last status seen; Refused at once.
   */
  async waitFor(
    eventId: string,
    revision: number,
    step: SubmissionStep,
    { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
  ): Promise<SubmissionStatusView> {
    const deadline = Date.now() + timeoutMs;
    let last: SubmissionStatusView | undefined;
    let unavailable: string | undefined;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        last = await this.status(eventId, revision);
        unavailable = undefined;
      } catch (error) {
        if (
          !(error instanceof SubmissionStatusError) ||
          error.code !== SubmissionStatusErrorCode.Unavailable
        )
          throw error;
        unavailable = error.message;
      }
      if (last?.status === 'rejected')
        throw new SubmissionStatusError(
          SubmissionStatusErrorCode.Rejected,
          `revision ${revision} of event ${eventId} will not reach '${step}': ${describe(last)}`,
          last,
        );
      if (last !== undefined && last.times[step] !== null) return last;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new SubmissionStatusError(
          SubmissionStatusErrorCode.Timeout,
          `timed out after ${timeoutMs} ms waiting for revision ${revision} of event ${eventId} ` +
            `to reach '${step}'; last status seen: ${describe(last)}` +
            (unavailable === undefined ? '' : `; last error: ${unavailable}`),
          last,
        );
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    }
  }
}

/** The steps of `SubmissionState` that are steps (all but `rejected`). */
export const isStep = (state: SubmissionState): state is SubmissionStep =>
  (SUBMISSION_STEPS as readonly string[]).includes(state);
