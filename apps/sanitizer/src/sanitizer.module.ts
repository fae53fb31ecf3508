import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { METRICS_REGISTRY, ObservabilityController } from '@app/observability';
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
  ],
})
export class SanitizerModule {}
