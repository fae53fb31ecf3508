import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@app/config';
import { GEOCODER } from '@app/geocoding';
import { ensureGazetteerSchema, GazetteerGeocoder } from '@app/geocoding-adapters';
import { METRICS_REGISTRY, ObservabilityController } from '@app/observability';
import { LocatorConsumer } from './locator.consumer';
import { LocatorMetrics } from './locator.metrics';

const DATABASE = Symbol('DATABASE');

/** Closes the database pool last, after the consumer stopped. */
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly pool: Pool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Module({
  imports: [ConfigModule],
  controllers: [ObservabilityController],
  providers: [
    LocatorMetrics,
    {
      provide: METRICS_REGISTRY,
      useFactory: (m: LocatorMetrics) => m.registry,
      inject: [LocatorMetrics],
    },
    {
      provide: DATABASE,
      useFactory: (config: AppConfig) =>
        new Pool({ connectionString: config.database.url, max: 4 }),
      inject: [APP_CONFIG],
    },
    {
      provide: GEOCODER,
      // Offline by default: the PostGIS gazetteer (import it with `cortege gazetteer import`).
      useFactory: async (pool: Pool) => {
        await ensureGazetteerSchema(pool);
        return new GazetteerGeocoder(pool);
      },
      inject: [DATABASE],
    },
    DatabaseLifecycle,
    LocatorConsumer,
  ],
})
export class LocatorModule {}
