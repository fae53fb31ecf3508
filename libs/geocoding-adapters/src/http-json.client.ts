import { setTimeout as sleep } from 'node:timers/promises';
import { GeocodingError, GeocodingErrorCode } from '@app/geocoding';
import type { RateLimiter } from './rate-limiter';

export interface HttpJsonClientOptions {
  /** The service's name in error messages (`BAN`, `Nominatim`). */
  readonly service: string;
  readonly limiter: RateLimiter;
  /** Per attempt, ms (connection, headers and body). */
  readonly timeoutMs: number;
  /** Attempts after the first, on a 429, a 5xx or a network error. */
  readonly retries: number;
  readonly userAgent: string;
  /** Longest `Retry-After` honoured, ms; a longer one fails at once as `rate_limited`. */
  readonly maxRetryAfterMs?: number;
  /** Back-off after a 5xx or a network error: `baseBackoffMs × 2^attempt`. */
  readonly baseBackoffMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * GET a JSON document from a rate-limited service. Every attempt waits for the limiter; a `429`
 * waits its `Retry-After` (seconds or an HTTP date; 1 s when absent) and tries again, at most
 * `retries` times; a 5xx or a network error backs off exponentially; a timeout fails at once.
 * @throws GeocodingError `timeout`, `rate_limited`, `unavailable` (retriable), `rejected` (4xx)
 *   or `malformed_response` (not JSON).
 */
export class HttpJsonClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<unknown>;

  constructor(private readonly options: HttpJsonClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  async getJson(url: URL): Promise<unknown> {
    const { service, retries } = this.options;
    for (let attempt = 0; ; attempt++) {
      const release = await this.options.limiter.acquire();
      const outcome = await this.attempt(url).finally(release);
      if (outcome.kind === 'json') return outcome.value;
      if (attempt >= retries) {
        throw new GeocodingError(
          outcome.code,
          `${service}: ${outcome.message} (after ${attempt + 1} attempt${attempt ? 's' : ''})`,
          { cause: outcome.cause },
        );
      }
      await this.sleep(outcome.waitMs ?? (this.options.baseBackoffMs ?? 200) * 2 ** attempt);
    }
  }

  private async attempt(url: URL): Promise<
    | { kind: 'json'; value: unknown }
    | {
        kind: 'retry';
        code: GeocodingErrorCode;
        message: string;
        waitMs?: number;
        cause?: unknown;
      }
  > {
    const { service, timeoutMs } = this.options;
    let response: Response;
    let body: string;
    try {
      response = await this.fetch(url, {
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent },
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await response.text();
    } catch (error) {
      if (isTimeout(error)) {
        throw new GeocodingError(
          GeocodingErrorCode.Timeout,
          `${service}: no answer within ${timeoutMs} ms from ${url.origin}`,
          { cause: error },
        );
      }
      return {
        kind: 'retry',
        code: GeocodingErrorCode.Unavailable,
        message: `cannot reach ${url.origin}: ${describe(error)}`,
        cause: error,
      };
    }
    if (response.status === 429) {
      const waitMs = retryAfterMs(response.headers.get('retry-after'));
      const max = this.options.maxRetryAfterMs ?? 60_000;
      if (waitMs > max) {
        throw new GeocodingError(
          GeocodingErrorCode.RateLimited,
          `${service}: 429, asked to wait ${waitMs} ms (more than ${max} ms)`,
        );
      }
      return {
        kind: 'retry',
        code: GeocodingErrorCode.RateLimited,
        message: '429 Too Many Requests',
        waitMs,
      };
    }
    if (response.status >= 500) {
      return {
        kind: 'retry',
        code: GeocodingErrorCode.Unavailable,
        message: `${response.status} from ${url.origin}: ${snippet(body)}`,
      };
    }
    if (response.status !== 200) {
      throw new GeocodingError(
        GeocodingErrorCode.Rejected,
        `${service}: ${response.status} for ${url.pathname}${url.search}: ${snippet(body)}`,
      );
    }
    try {
      return { kind: 'json', value: JSON.parse(body) as unknown };
    } catch (error) {
      throw new GeocodingError(
        GeocodingErrorCode.MalformedResponse,
        `${service}: the answer is not JSON: ${snippet(body)}`,
        { cause: error },
      );
    }
  }
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === '') return 1000;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/** Errors are told apart by shape, not `instanceof`: fetch's come from another realm in tests. */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

const asErrorLike = (error: unknown): ErrorLike | undefined =>
  typeof error === 'object' && error !== null ? error : undefined;

function isTimeout(error: unknown): boolean {
  const name = asErrorLike(error)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** `fetch failed (connect ECONNREFUSED 127.0.0.1:1234)`: the message and its cause's. */
function describe(error: unknown): string {
  const e = asErrorLike(error);
  if (e === undefined) return String(error);
  const cause = asErrorLike(e.cause);
  const message = typeof e.message === 'string' ? e.message : String(error);
  return cause && typeof cause.message === 'string' ? `${message} (${cause.message})` : message;
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat || '(empty body)';
}
