import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { describeError, within } from '@app/observability';
import { Public } from './access';
import { ANALYST_POOL } from './analyst-pool';

const PROBE_TIMEOUT_MS = 2_500;

/**
 * `GET /health`: 200 when PostgreSQL answers, else 503 with the reason; no token, no audit row
 * (the process runner polls it every few seconds, and it reveals no data).
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(ANALYST_POOL) private readonly pool: Pool) {}

  @Get()
  async check(@Res() response: ServerResponse): Promise<void> {
    let postgres: string;
    try {
      await within(this.pool.query('SELECT 1'), PROBE_TIMEOUT_MS, 'PostgreSQL');
      postgres = 'up';
    } catch (error) {
      postgres = `down: ${describeError(error)}`;
    }
    const up = postgres === 'up';
    response.statusCode = up ? 200 : 503;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify({ status: up ? 'ok' : 'unavailable', postgres }));
  }
}
