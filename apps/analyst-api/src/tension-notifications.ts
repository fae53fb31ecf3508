import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { TENSION_CHANNEL } from '@app/aggregation';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { describeError } from '@app/observability';

/** What a listener is told: a committed change of the aggregates, or that some may have been missed. */
export type TensionNotice =
  { readonly kind: 'change'; readonly payload: string } | { readonly kind: 'resync' };

export interface TensionListener {
  notify(notice: TensionNotice): void;
  /** The API is stopping: end the stream. */
  close(): void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Relays the aggregator's `NOTIFY` on {@link TENSION_CHANNEL} (sent inside its transaction, so
 * only committed changes are heard) to the map's live streams: one PostgreSQL connection of its
 * own, `LISTEN`ing while someone listens. A lost connection is retried with capped back-off;
 * on reconnection every listener is told to resync, since changes may have been missed.
 */
@Injectable()
export class TensionNotifications implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AnalystApi');
  private readonly listeners = new Set<TensionListener>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryMs = FIRST_RETRY_MS;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Adds `listener`; resolves once the channel is listened to. Returns its removal. */
  async subscribe(listener: TensionListener): Promise<() => void> {
    this.listeners.add(listener);
    await this.listen();
    return () => this.listeners.delete(listener);
  }

  beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    for (const listener of this.listeners) listener.close();
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    return client ? client.end().catch(() => undefined) : Promise.resolve();
  }

  private listen(): Promise<void> {
    if (this.client || this.stopped) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: 'cortege-analyst-api-live',
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.logger.warn(`the live channel lost PostgreSQL: ${describeError(error ?? 'ended')}`);
      this.scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== TENSION_CHANNEL) return;
      for (const l of this.listeners)
        l.notify({ kind: 'change', payload: message.payload ?? '{}' });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TENSION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn(`the live channel cannot listen: ${describeError(error)}`);
      this.scheduleRetry();
      return;
    }
    const reconnected = this.retryMs > FIRST_RETRY_MS;
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    if (reconnected) for (const l of this.listeners) l.notify({ kind: 'resync' });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.listeners.size === 0 || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.listen();
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}
