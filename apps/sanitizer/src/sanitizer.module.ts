import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { ObservabilityController } from './observability.controller';
import { SanitizerConsumer } from './sanitizer.consumer';
import { SanitizerMetrics } from './sanitizer.metrics';

@Module({
  imports: [ConfigModule],
  controllers: [ObservabilityController],
  providers: [SanitizerMetrics, SanitizerConsumer],
})
export class SanitizerModule {}
