import { Module } from '@nestjs/common';
import { StageModule } from '@app/stage-runtime';
import { AggregatorMetrics } from './aggregator.metrics';
import { aggregatorStage } from './aggregator.stage';

@Module({
  imports: [StageModule.forStage({ metrics: AggregatorMetrics, define: aggregatorStage })],
})
export class AggregatorModule {}
