import { Controller, Get, Header, Inject } from '@nestjs/common';
import { SanitizerMetrics } from './sanitizer.metrics';

/** Liveness and Prometheus metrics of the sanitizer. */
@Controller()
export class ObservabilityController {
  // Explicit token: tsx (esbuild) emits no decorator metadata for Nest to read.
  constructor(@Inject(SanitizerMetrics) private readonly metrics: SanitizerMetrics) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
