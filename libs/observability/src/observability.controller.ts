import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { StageHealth } from './stage-health';

/** DI token of a stage's Prometheus registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** DI token of a stage's `StageHealth`. */
export const STAGE_HEALTH = Symbol('STAGE_HEALTH');

/**
 * `GET /health`: 200 when the stage is doing its job, else 503 with the reasons, and in both
 * cases its lag and the age of its last batch; `GET /metrics` (Prometheus text).
 */
@Controller()
export class ObservabilityController {
  // Explicit tokens: tsx (esbuild) emits no decorator metadata for Nest to read.
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(STAGE_HEALTH) private readonly health: StageHealth,
  ) {}

  @Get('health')
  async check(@Res() response: ServerResponse): Promise<void> {
    const report = await this.health.current();
    response.statusCode = report.status === 'ok' ? 200 : 503;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify(report));
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
