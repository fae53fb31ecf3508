import type { Alert } from '@app/contracts';
import type { Pool } from 'pg';
import { AlertStore, type AlertOptions } from './alert-store';

/** The headers of an alert record: which version of which pair it is, without decoding it. */
export const ALERT_HEADERS = { alertId: 'cortege-alert-id', version: 'cortege-alert-version' };

/** Where alert versions go: the alerts topic, keyed by `alertId` (an adapter sends them). */
export interface AlertSink {
  /** Sends the versions in order, acknowledged by every in-sync replica, or throws. */
  send(alerts: readonly Alert[]): Promise<void>;
  /**
   * The versions the topic already holds (`alertId|version`), read from its records' headers:
   * those sent before a crash that left their outbox rows unmarked.
   */
  published(): Promise<ReadonlySet<string>>;
}

/** The publisher's advisory lock: one publisher sends at a time, so each pair stays in order. */
const PUBLISH_LOCK = 7_407_004;

/** Most versions sent in one pass over the outbox. */
const PASS_SIZE = 500;

/**
 * Recomputes the alerts of the events that settled and sends the alert versions of
 * `alert_outbox` to the alerts topic, in order (README, "Conflict alerts"). A pass takes the
 * publisher lock, settles the events no batch touched for `settleMs` (`AlertStore.settle`),
 * reads the unsent versions, sends them and marks them sent, in one transaction: two
 * publishers never send the same versions. A crash between
 * the send and the commit would send them again; so before its first pass (and after a failed
 * one) the publisher reads which versions the topic holds and marks those sent instead. Each
 * batch that commits wakes it; it also looks every `intervalMs` (versions written by
 * `cortege rebuild` or `retention apply`).
 */
export class AlertPublisher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private recovered = false;
  private again = false;
  private closed = false;
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pool: Pool,
    private readonly sink: AlertSink,
    private readonly options: {
      readonly intervalMs: number;
      /** How alerts are recomputed, and how long an event must be left alone first, ms. */
      readonly settle?: AlertOptions & { readonly settleMs: number };
      /** Told of each pass that sent versions. */
      readonly sent?: (count: number) => void;
      /** Told of a failed pass; the next one tries again. */
      readonly failed?: (error: unknown) => void;
    },
  ) {}

  /** Starts looking at the outbox every `intervalMs`. */
  start(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => this.wake(), this.options.intervalMs);
    this.wake();
  }

  /** Runs a pass soon (one at a time; a wake during a pass runs another after it). */
  wake(): void {
    if (this.closed) return;
    if (this.again) return;
    this.again = true;
    this.running = this.running.then(async () => {
      this.again = false;
      if (this.closed) return;
      try {
        const count = await this.drain();
        if (count > 0) this.options.sent?.(count);
      } catch (error) {
        this.recovered = false;
        this.options.failed?.(error);
      }
    });
  }

  /** Events were marked: a pass once they have settled. */
  touched(): void {
    if (this.closed) return;
    const delay = (this.options.settle?.settleMs ?? 0) + 50;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.wake();
    }, delay);
    this.pending.add(timer);
  }

  /** Waits for the pass in flight (tests, shutdown). */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.running) {
      seen = this.running;
      await seen;
    }
  }

  /** Stops looking; waits for the pass in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const timer of this.pending) clearTimeout(timer);
    await this.running;
  }

  /** Sends every unsent version; returns how many were sent. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.pass();
      if (sent === undefined) return total;
      total += sent;
    }
  }

  /** One pass: undefined when nothing was left to send (or another publisher holds the lock). */
  private async pass(): Promise<number | undefined> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS ok',
        [PUBLISH_LOCK],
      );
      if (lock[0]?.ok !== true) {
        await client.query('ROLLBACK');
        return undefined;
      }
      if (!this.recovered) {
        const published = await this.sink.published();
        if (published.size > 0)
          await client.query(
            `UPDATE alert_outbox SET published_at = clock_timestamp()
              WHERE published_at IS NULL AND (event_a::text || ':' || event_b::text) || '|' || version = ANY($1::text[])`,
            [[...published]],
          );
        this.recovered = true;
      }
      const settle = this.options.settle;
      if (settle !== undefined)
        await new AlertStore(client, settle.alertRules, settle.alertWebhooks).settle(
          settle.settleMs,
        );
      const { rows } = await client.query<{ seq: string; record: Alert }>(
        `SELECT seq, record FROM alert_outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [PASS_SIZE],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return undefined;
      }
      await this.sink.send(rows.map((r) => r.record));
      await client.query(
        `UPDATE alert_outbox SET published_at = clock_timestamp() WHERE seq = ANY($1::bigint[])`,
        [rows.map((r) => r.seq)],
      );
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
