/**
 * How the chaos run sends submissions: as a Cortège producer would, through the ingest API
 * with a producer token, one batch at a time, retrying a batch until it is accepted (the API
 * answers 503 while Kafka is down, and nothing at all while it is being restarted). A retried
 * batch the API already published comes back as duplicates, or reaches Kafka twice after an
 * API restart, where the sanitizer drops the second copy.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** What the sending saw, for the report. */
export interface IngestStats {
  requests: number;
  /** Submissions the API accepted (duplicates included). */
  accepted: number;
  /** Of which it answered as already accepted (its idempotency memory). */
  duplicates: number;
  /** Attempts that failed and were retried, by cause (`503`, `network`, …). */
  retried: Record<string, number>;
  /** Batches the API refused for good (4xx): a generator or API bug, never retried. */
  refused: Array<{ status: number; body: string; submissions: number }>;
  /** The longest a batch took from its first attempt to its acceptance, ms. */
  longestBatchMs: number;
}

/** Longest wait between two attempts of a batch, ms (the API suggests 5 s; we poll faster). */
const MAX_RETRY_DELAY_MS = 1_000;
/** Each attempt's own deadline, ms (above the API's 15 s publish timeout). */
const ATTEMPT_TIMEOUT_MS = 30_000;

export class IngestClient {
  readonly stats: IngestStats = {
    requests: 0,
    accepted: 0,
    duplicates: 0,
    retried: {},
    refused: [],
    longestBatchMs: 0,
  };

  constructor(
    /** `http://127.0.0.1:<port>/v1/submissions`. */
    private readonly endpoint: string,
    private readonly token: string,
    private readonly giveUpAfterMs: number,
  ) {}

  /**
   * POSTs `batch` (JSON-ready submissions) until the API accepts it (true), refuses it with a
   * 4xx other than 408/429 (false, recorded), or `giveUpAfterMs` (ms) passed (false, recorded
   * as refused with status 0).
   */
  async send(batch: readonly unknown[]): Promise<boolean> {
    const started = Date.now();
    const body = JSON.stringify(batch);
    for (let attempt = 0; ; attempt += 1) {
      this.stats.requests += 1;
      let cause: string;
      try {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
          body,
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const text = await response.text();
        if (response.status === 202) {
          const { accepted } = JSON.parse(text) as { accepted: Array<{ duplicate: boolean }> };
          this.stats.accepted += accepted.length;
          this.stats.duplicates += accepted.filter((a) => a.duplicate).length;
          this.stats.longestBatchMs = Math.max(this.stats.longestBatchMs, Date.now() - started);
          return true;
        }
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          this.stats.refused.push({
            status: response.status,
            body: text.slice(0, 500),
            submissions: batch.length,
          });
          return false;
        }
        cause = String(response.status);
      } catch (error) {
        cause = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network';
      }
      this.stats.retried[cause] = (this.stats.retried[cause] ?? 0) + 1;
      if (Date.now() - started > this.giveUpAfterMs) {
        this.stats.refused.push({
          status: 0,
          body: `gave up after ${attempt + 1} attempts (${cause})`,
          submissions: batch.length,
        });
        return false;
      }
      await sleep(Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt));
    }
  }
}
