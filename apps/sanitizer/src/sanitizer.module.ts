import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { METRICS_REGISTRY, ObservabilityController, STAGE_HEALTH } from '@app/observability';
import { SanitizerConsumer } from './sanitizer.consumer';
import { SanitizerMetrics } from './sanitizer.metrics';

@Module({
  imports: [ConfigModule],
  controllers: [ObservabilityController],
  providers: [
    SanitizerMetrics,
    {
      provide: METRICS_REGISTRY,
      useFactory: (m: SanitizerMetrics) => m.registry,
      inject: [SanitizerMetrics],
    },
    SanitizerConsumer,
    {
      provide: STAGE_HEALTH,
      useFactory: (c: SanitizerConsumer) => c.host.health,
      inject: [SanitizerConsumer],
    },
  ],
})
export class SanitizerModule {}
