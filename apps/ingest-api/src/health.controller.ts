import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { DependencyHealth } from './dependency.health';
import { Public } from './public.decorator';

/**
 * `GET /health`: 200 when submissions can be accepted now (a dependency may be `slow`), 503 when
 * one is down; no token needed.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(DependencyHealth) private readonly health: DependencyHealth) {}

  @Get()
  async check(@Res() response: ServerResponse): Promise<void> {
    const status = await this.health.check();
    const up = Object.values(status).every((state) => state !== 'down');
    response.statusCode = up ? 200 : 503;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify({ status: up ? 'ok' : 'unavailable', ...status }));
  }
}
