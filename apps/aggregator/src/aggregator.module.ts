import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { METRICS_REGISTRY, ObservabilityController, STAGE_HEALTH } from '@app/observability';
import { AggregatorConsumer } from './aggregator.consumer';
import { AggregatorMetrics } from './aggregator.metrics';

@Module({
  imports: [ConfigModule],
  controllers: [ObservabilityController],
  providers: [
    AggregatorMetrics,
    {
      provide: METRICS_REGISTRY,
      useFactory: (m: AggregatorMetrics) => m.registry,
      inject: [AggregatorMetrics],
    },
    AggregatorConsumer,
    {
      provide: STAGE_HEALTH,
      useFactory: (c: AggregatorConsumer) => c.host.health,
      inject: [AggregatorConsumer],
    },
  ],
})
export class AggregatorModule {}
