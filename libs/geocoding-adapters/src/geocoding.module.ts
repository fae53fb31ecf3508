import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { GEOCODER, type Geocoder } from '@app/geocoding';
import { Pool } from 'pg';
import { createGeocoder } from './geocoder.factory';
import { ensureGazetteerSchema } from './gazetteer.schema';

/** DI token of the geocoding module's own `pg` Pool (closed when the application shuts down). */
export const GEOCODING_POOL = Symbol('GEOCODING_POOL');

/** Holds the pool so that Nest ends it on shutdown. */
class GeocodingPool implements OnApplicationShutdown {
  constructor(readonly pool: Pool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Provides `GEOCODER` (see `createGeocoder`) from `APP_CONFIG` (import `ConfigModule` too).
 * Creates the geocoding tables when missing. Explicit tokens: no decorator metadata needed.
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
            new GeocodingPool(new Pool({ connectionString: config.database.url, max: 4 })),
        },
        {
          provide: GEOCODER,
          inject: [APP_CONFIG, GEOCODING_POOL],
          useFactory: async (config: AppConfig, holder: GeocodingPool): Promise<Geocoder> => {
            await ensureGazetteerSchema(holder.pool);
            return createGeocoder(config.geocoding, { db: holder.pool });
          },
        },
      ],
      exports: [GEOCODER],
    };
  }
}
