import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { migrate } from '@app/database';
import { IngestError, IngestErrorCode } from './ingest.error';

/** DI token of the app's `ProducerBindings`. */
export const PRODUCER_BINDINGS = Symbol('PRODUCER_BINDINGS');

/** An event bound to another producer than the one submitting it. */
export interface ForeignEvent {
  readonly eventId: string;
  readonly producer: string;
}

/** Which producer created each event: the first to submit it, for good. */
export interface ProducerBindings {
  /**
   * Binds each of `eventIds` not yet bound to `producer`, unless one is bound to another
   * producer: then nothing is bound and those are returned.
   * @throws IngestError Unavailable when the database does not answer (retriable).
   */
  claim(eventIds: readonly string[], producer: string): Promise<readonly ForeignEvent[]>;
  /**
   * The producer `eventId` is bound to, or undefined when none is.
   * @throws IngestError Unavailable when the database does not answer (retriable).
   */
  ownerOf(eventId: string): Promise<string | undefined>;
}

/**
 * The bindings in PostgreSQL (`ingest_event_producer`, migrated on first use): an insert that
 * does nothing for an event already bound, then a read of the owners, in one transaction, so
 * concurrent requests on several API instances agree on the first producer of each event; the
 * ids are sorted so two batches never wait on each other's rows in opposite orders.
 */
@Injectable()
export class PgProducerBindings implements ProducerBindings, OnApplicationShutdown {
  private readonly logger = new Logger('ProducerBindings');
  private readonly pool: Pool;
  private migrated: Promise<unknown> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.database.url,
      max: 4,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client losing its connection is an 'error' event, fatal unheard.
    this.pool.on('error', () => undefined);
  }

  async claim(eventIds: readonly string[], producer: string): Promise<readonly ForeignEvent[]> {
    const ids = [...new Set(eventIds)].sort();
    try {
      await this.ready();
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO ingest_event_producer (event_id, producer)
           SELECT id, $2 FROM unnest($1::uuid[]) AS id ORDER BY id
           ON CONFLICT (event_id) DO NOTHING`,
          [ids, producer],
        );
        const { rows } = await client.query<{ event_id: string; producer: string }>(
          `SELECT event_id::text, producer FROM ingest_event_producer
            WHERE event_id = ANY($1::uuid[]) AND producer <> $2 ORDER BY event_id`,
          [ids, producer],
        );
        await client.query(rows.length > 0 ? 'ROLLBACK' : 'COMMIT');
        return rows.map((r) => ({ eventId: r.event_id, producer: r.producer }));
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      this.logger.warn(`cannot read or record the events' producers: ${(error as Error).message}`);
      throw new IngestError(
        IngestErrorCode.Unavailable,
        'the database of event producers does not answer; retry',
        { retriable: true },
        1,
        { cause: error },
      );
    }
  }

  async ownerOf(eventId: string): Promise<string | undefined> {
    try {
      await this.ready();
      const { rows } = await this.pool.query<{ producer: string }>(
        `SELECT producer FROM ingest_event_producer WHERE event_id = $1`,
        [eventId],
      );
      return rows[0]?.producer;
    } catch (error) {
      this.logger.warn(`cannot read the event's producer: ${(error as Error).message}`);
      throw new IngestError(
        IngestErrorCode.Unavailable,
        'the database of event producers does not answer; retry',
        { retriable: true },
        0,
        { cause: error },
      );
    }
  }

  /** Resolves when PostgreSQL answers a query (the health probe); rejects otherwise. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /** Applies the migrations once (again after a failure), as the stages do before they consume. */
  private ready(): Promise<unknown> {
    this.migrated ??= migrate(this.config.database.url).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }
}
