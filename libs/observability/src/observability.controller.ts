import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { Registry } from 'prom-client';

/** DI token of a stage's Prometheus registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** `GET /health` (the process answers) and `GET /metrics` (Prometheus text) of a stage. */
@Controller()
export class ObservabilityController {
  // Explicit token: tsx (esbuild) emits no decorator metadata for Nest to read.
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
