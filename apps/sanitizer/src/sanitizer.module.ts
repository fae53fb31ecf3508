import { Module } from '@nestjs/common';
import { StageModule } from '@app/stage-runtime';
import { SanitizerMetrics } from './sanitizer.metrics';
import { sanitizerStage } from './sanitizer.stage';

@Module({
  imports: [StageModule.forStage({ metrics: SanitizerMetrics, define: sanitizerStage })],
})
export class SanitizerModule {}
