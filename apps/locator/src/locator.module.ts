import { Module } from '@nestjs/common';
import { GEOCODER } from '@app/geocoding';
import { GEOCODING_POOL, GeocodingModule } from '@app/geocoding-adapters';
import { StageModule } from '@app/stage-runtime';
import { LocatorMetrics } from './locator.metrics';
import { locatorStage } from './locator.stage';

@Module({
  imports: [
    StageModule.forStage({
      // The geocoder of GEOCODING_PROVIDER (the offline PostGIS gazetteer by default), cached.
      imports: [GeocodingModule.forRoot()],
      metrics: LocatorMetrics,
      inject: [GEOCODER, GEOCODING_POOL],
      define: locatorStage,
    }),
  ],
})
export class LocatorModule {}
