import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ANALYST_POOL } from './analyst-pool';
import { Responder, type RoutedRequest } from './responder';
import { countEvents, parseStatsQuery, suppressSmallGroups } from './stats';

/** `GET /stats`: events and people per day, kind, organiser status and arrondissement. */
@Controller('stats')
export class StatsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ANALYST_POOL) private readonly pool: Pool,
    @Inject(Responder) private readonly responder: Responder,
  ) {}

  @Get()
  async stats(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    const query = parseStatsQuery(request.query ?? {});
    const k = this.config.analystApi.minGroupSize;
    const { groups, suppressed } = suppressSmallGroups(
      await countEvents(this.pool, query),
      query.groupBy,
      k,
    );
    await this.responder.send(request, response, {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        groupBy: query.groupBy,
        minGroupSize: query.groupBy.includes('organiserStatus') ? k : undefined,
        suppressedGroups: suppressed,
        groups,
      }),
      rows: groups.length,
    });
  }
}
