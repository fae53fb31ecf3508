import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { GeocodingModule } from '@app/geocoding-adapters';
import { METRICS_REGISTRY, ObservabilityController, STAGE_HEALTH } from '@app/observability';
import { LocatorConsumer } from './locator.consumer';
import { LocatorMetrics } from './locator.metrics';

@Module({
  // The geocoder of GEOCODING_PROVIDER (the offline PostGIS gazetteer by default), cached.
  imports: [ConfigModule, GeocodingModule.forRoot()],
  controllers: [ObservabilityController],
  providers: [
    LocatorMetrics,
    {
      provide: METRICS_REGISTRY,
      useFactory: (m: LocatorMetrics) => m.registry,
      inject: [LocatorMetrics],
    },
    LocatorConsumer,
    {
      provide: STAGE_HEALTH,
      useFactory: (c: LocatorConsumer) => c.host.health,
      inject: [LocatorConsumer],
    },
  ],
})
export class LocatorModule {}
