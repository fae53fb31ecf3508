import type { Pool } from 'pg';
import {
  backoffDelayMs,
  isRetriableStatus,
  retryAfterMs,
  type BackoffPolicy,
} from './webhook-backoff';
import type { WebhookTarget } from './webhook-outbox';
import {
  ATTEMPT_HEADER,
  SIGNATURE_HEADER,
  WEBHOOK_ID_HEADER,
  signWebhook,
} from './webhook-signature';

export interface WebhookDispatcherOptions {
  /** The URL and secret of a target by name; `undefined` = no longer configured (given up). */
  readonly targets: (name: string) => WebhookTarget | undefined;
  /**
   * The targets this dispatcher claims deliveries of; all when unset. Two apps that share the
   * outbox each name theirs, so that neither claims (and gives up) the other's deliveries.
   */
  readonly only?: readonly string[];
  /** Attempts of one delivery before it is given up. */
  readonly maxAttempts: number;
  /** Age (ms since enqueued) past which a delivery is given up rather than tried again. */
  readonly maxAgeMs: number;
  /** How long one POST may take, answer included, ms. */
  readonly timeoutMs: number;
  /** How often the outbox is polled for due deliveries, ms. */
  readonly pollMs: number;
  readonly backoff: BackoffPolicy;
  /** Most deliveries of one target in flight at once (4 unless told). */
  readonly perTarget?: number;
  /** Most deliveries in flight at once, all targets together (64 unless told). */
  readonly maxInFlight?: number;
  /** Told of each attempt's outcome (logs, metrics). */
  readonly onAttempt?: (attempt: WebhookAttempt) => void;
  /** Told of a failed poll (the database unreachable…); the next poll tries again. */
  readonly onError?: (error: unknown) => void;
  /** [0, 1): the jitter's source (tests pin it). */
  readonly random?: () => number;
}

/** What came of one attempt. */
export interface WebhookAttempt {
  readonly id: string;
  readonly target: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly outcome: 'delivered' | 'retry' | 'gave-up';
  /** The HTTP status, when an answer came. */
  readonly status: number | undefined;
  /** Why it failed (network error, status, timeout), if it did. */
  readonly error: string | undefined;
  /** When the next attempt is due, for `retry`. */
  readonly nextAttemptAt: Date | undefined;
  readonly ms: number;
}

interface Claimed {
  id: string;
  target: string;
  payload: string;
  attempts: number;
  created_at: Date;
}

/** Margin of a claim's lease over the POST's timeout, ms: the time to record the outcome. */
const LEASE_MARGIN_MS = 5_000;

/**
 * Sends the outbox's deliveries (`webhook_delivery`): each poll claims the due rows with
 * `FOR UPDATE SKIP LOCKED` and leases them (their `next_attempt_at` moved past the POST's
 * timeout) in one short transaction, then POSTs each one, signed, outside any transaction, and
 * records the outcome: delivered (2xx), another attempt after an exponential, jittered back-off
 * (network error, timeout, 408, 429, 5xx; `Retry-After` respected), or given up (another 4xx,
 * `maxAttempts` reached, older than `maxAgeMs`, target unknown).
 *
 * A dispatcher that dies holding a claim loses nothing: the lease lapses and the row is
 * claimed again, by it once restarted or by another instance — at least once, with the same
 * `Cortege-Webhook-Id`, by which receivers drop a repeat. Each target is claimed and sent on
 * its own (at most `perTarget` in flight, never awaited by a poll), so a dead or slow endpoint
 * holds back no other.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private closed = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perTargetInFlight = new Map<string, number>();

  constructor(
    private readonly pool: Pool,
    private readonly options: WebhookDispatcherOptions,
  ) {}

  /** Starts polling every `pollMs`. */
  start(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => this.poke(), this.options.pollMs);
    this.poke();
  }

  /** Polls now (after an enqueue in this process, say) unless a poll is under way. */
  poke(): void {
    if (this.closed || this.polling !== undefined) return;
    this.polling = this.poll()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => (this.polling = undefined));
  }

  /** Stops polling and waits for the attempts in flight (each ends within `timeoutMs`). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.polling;
    await Promise.all(this.inFlight.values());
  }

  private async poll(): Promise<void> {
    const free = (this.options.maxInFlight ?? 64) - this.inFlight.size;
    if (free <= 0) return;
    const perTarget = this.options.perTarget ?? 4;
    const lease = this.options.timeoutMs + LEASE_MARGIN_MS;
    // Each target's share is what it may still have in flight: a slow one cannot take the rest.
    const busy = JSON.stringify(Object.fromEntries(this.perTargetInFlight));
    const { rows } = await this.pool.query<Claimed>(
      `WITH due AS (
         SELECT id, row_number() OVER (PARTITION BY target ORDER BY next_attempt_at, id) AS rank,
                $2::int - coalesce((($4::jsonb) ->> target)::int, 0) AS share
           FROM webhook_delivery
          WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= now()
            AND ($5::text[] IS NULL OR target = ANY($5::text[]))
       ), picked AS (
         SELECT d.id FROM webhook_delivery d JOIN due ON due.id = d.id
          WHERE due.rank <= due.share
            AND d.delivered_at IS NULL AND d.given_up_at IS NULL AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at
          LIMIT $1
            FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_delivery w
          SET attempts = w.attempts + 1, last_attempt_at = now(),
              next_attempt_at = now() + $3::int * interval '1 millisecond'
         FROM picked WHERE w.id = picked.id
       RETURNING w.id, w.target, w.payload, w.attempts, w.created_at`,
      [free, perTarget, lease, busy, this.options.only ?? null],
    );
    for (const row of rows) {
      this.perTargetInFlight.set(row.target, (this.perTargetInFlight.get(row.target) ?? 0) + 1);
      const attempt = this.attempt(row)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.inFlight.delete(row.id);
          const left = (this.perTargetInFlight.get(row.target) ?? 1) - 1;
          if (left > 0) this.perTargetInFlight.set(row.target, left);
          else this.perTargetInFlight.delete(row.target);
        });
      this.inFlight.set(row.id, attempt);
    }
  }

  /** One POST of a claimed delivery, and its outcome recorded. */
  private async attempt(row: Claimed): Promise<void> {
    const started = Date.now();
    const target = this.options.targets(row.target);
    if (target === undefined) {
      await this.record(row, started, {
        kind: 'final',
        status: undefined,
        error: 'target not configured',
      });
      return;
    }
    let status: number | undefined;
    let retryAfter: string | null = null;
    let error: string | undefined;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'cortege-webhooks',
          [WEBHOOK_ID_HEADER]: row.id,
          [ATTEMPT_HEADER]: String(row.attempts),
          [SIGNATURE_HEADER]: signWebhook(
            target.secret,
            Math.floor(Date.now() / 1000),
            row.payload,
          ),
        },
        body: row.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      // The answer's body is not wanted; reading it to the end frees the connection.
      await response.arrayBuffer().catch(() => undefined);
    } catch (cause) {
      error = describe(cause);
    }
    if (status !== undefined && status >= 200 && status < 300) {
      await this.record(row, started, { kind: 'delivered', status });
    } else if (status !== undefined && !isRetriableStatus(status)) {
      await this.record(row, started, { kind: 'final', status, error: `HTTP ${status}` });
    } else {
      const wait = Math.max(
        backoffDelayMs(this.options.backoff, row.attempts, this.options.random),
        retryAfterMs(retryAfter, Date.now()) ?? 0,
      );
      const next = new Date(Date.now() + wait);
      const why = error ?? `HTTP ${status}`;
      if (
        row.attempts >= this.options.maxAttempts ||
        next.getTime() - row.created_at.getTime() > this.options.maxAgeMs
      )
        await this.record(row, started, { kind: 'final', status, error: why });
      else await this.record(row, started, { kind: 'retry', status, error: why, next });
    }
  }

  private async record(
    row: Claimed,
    started: number,
    outcome:
      | { kind: 'delivered'; status: number }
      | { kind: 'final'; status: number | undefined; error: string }
      | { kind: 'retry'; status: number | undefined; error: string; next: Date },
  ): Promise<void> {
    switch (outcome.kind) {
      case 'delivered':
        // Whoever holds the row now, it has been delivered.
        await this.pool.query(
          `UPDATE webhook_delivery SET delivered_at = now(), last_status = $2, last_error = NULL
            WHERE id = $1 AND delivered_at IS NULL`,
          [row.id, outcome.status],
        );
        break;
      case 'final':
        // Only while the claim is still this attempt's (a lapsed lease may have been retaken).
        await this.pool.query(
          `UPDATE webhook_delivery SET given_up_at = now(), last_status = $3, last_error = $4
            WHERE id = $1 AND attempts = $2 AND delivered_at IS NULL`,
          [row.id, row.attempts, outcome.status ?? null, outcome.error],
        );
        break;
      case 'retry':
        await this.pool.query(
          `UPDATE webhook_delivery SET next_attempt_at = $3, last_status = $4, last_error = $5
            WHERE id = $1 AND attempts = $2 AND delivered_at IS NULL`,
          [row.id, row.attempts, outcome.next, outcome.status ?? null, outcome.error],
        );
        break;
      default: {
        const _exhaustive: never = outcome;
        return _exhaustive;
      }
    }
    this.options.onAttempt?.({
      id: row.id,
      target: row.target,
      attempt: row.attempts,
      outcome:
        outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'retry' ? 'retry' : 'gave-up',
      status: outcome.status,
      error: outcome.kind === 'delivered' ? undefined : outcome.error,
      nextAttemptAt: outcome.kind === 'retry' ? outcome.next : undefined,
      ms: Date.now() - started,
    });
  }
}

/**
 * A network failure in a few words (fetch hides the cause: ECONNREFUSED, a timeout…). Read by
 * shape, not `instanceof`: fetch's errors may come from another realm.
 */
function describe(error: unknown): string {
  const e = error as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (e?.name === 'TimeoutError') return 'timed out';
  for (const candidate of [e?.cause?.code, e?.cause?.message, e?.message])
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  return String(error);
}
