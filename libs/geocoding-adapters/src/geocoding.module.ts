import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { GEOCODER, type Geocoder } from '@app/geocoding';
import { Pool } from 'pg';
import { createGeocoder } from './geocoder.factory';
import { migrate } from '@app/database';

/** DI token of the geocoding module's `GeocodingPool` (closed when the application shuts down). */
export const GEOCODING_POOL = Symbol('GEOCODING_POOL');

/**
 * The geocoding module's own `pg` Pool, ended on shutdown. Nothing touches the database while
 * the module is built, so that a process starts (and reports its health) while PostgreSQL is
 * away: `ready()` migrates the schema (the geocoding tables among it), and `ping()` probes the database.
 */
export class GeocodingPool implements OnApplicationShutdown {
  constructor(
    readonly pool: Pool,
    private readonly url: string,
  ) {
    // An idle client whose server went away (a restart) is reported here; without a listener
    // pg's 'error' event would end the process. The next query connects again, or fails.
    pool.on('error', () => undefined);
  }

  /** Migrates the schema (the geocoding tables among it); safe to call again after a failure. */
  async ready(): Promise<void> {
    await migrate(this.url);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Provides `GEOCODER` (see `createGeocoder`) from `APP_CONFIG` (import `ConfigModule` too), and
 * `GEOCODING_POOL`, whose `ready()` the user calls before geocoding. Explicit tokens: no
 * decorator metadata needed.
 */
@Module({})
export class GeocodingModule {
  static forRoot(): DynamicModule {
    return {
      module: GeocodingModule,
      providers: [
        {
          provide: GEOCODING_POOL,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            new GeocodingPool(
              new Pool({
                connectionString: config.database.url,
                max: 4,
                connectionTimeoutMillis: 5_000,
              }),
              config.database.url,
            ),
        },
        {
          provide: GEOCODER,
          inject: [APP_CONFIG, GEOCODING_POOL],
          useFactory: (config: AppConfig, holder: GeocodingPool): Geocoder =>
            createGeocoder(config.geocoding, { db: holder.pool }),
        },
      ],
      exports: [GEOCODER, GEOCODING_POOL],
    };
  }
}
