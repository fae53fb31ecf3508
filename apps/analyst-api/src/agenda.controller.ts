import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { localToday, readAgenda } from '@app/aggregation';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { isAgendaDay, MAX_AGENDA_DAYS, tensionModelOf } from '@app/tension';
import { invalidParameter } from './analyst.error';
import { ANALYST_POOL } from './analyst-pool';
import { refuseUnknown, single, type RawQuery } from './query-params';
import { Responder, type RoutedRequest } from './responder';

/** What `GET /agenda` asks for. */
export interface AgendaParams {
  readonly from: string;
  readonly days: number;
}

/** `from` (a local day, default today in Marseille) and `days` (1–366, default 30). */
export function parseAgendaQuery(query: RawQuery, today: string = localToday()): AgendaParams {
  refuseUnknown(query, ['from', 'days', 'f']);
  const format = single(query, 'f');
  if (format !== undefined && format !== 'json') throw invalidParameter('f', 'only json is served');
  const from = single(query, 'from') ?? today;
  if (!isAgendaDay(from))
    throw invalidParameter('from', `expected a day YYYY-MM-DD, not '${from}'`);
  const rawDays = single(query, 'days') ?? '30';
  const days = Number(rawDays);
  if (!/^\d+$/.test(rawDays) || days < 1 || days > MAX_AGENDA_DAYS)
    throw invalidParameter(
      'days',
      `expected a whole number from 1 to ${MAX_AGENDA_DAYS}, not '${rawDays}'`,
    );
  return { from, days };
}

/**
 * `GET /agenda`: the tension level (1–10) of each arrondissement for each day from `from`
 * (README, "The agenda"), with the peak, the conflict and the events behind each.
 */
@Controller('agenda')
export class AgendaController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ANALYST_POOL) private readonly pool: Pool,
    @Inject(Responder) private readonly responder: Responder,
  ) {}

  @Get()
  async agenda(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    const params = parseAgendaQuery(request.query ?? {});
    const agenda = await readAgenda(this.pool, {
      ...params,
      reference: tensionModelOf(this.config.tension).zoneThreshold,
    });
    await this.responder.send(request, response, {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(agenda),
      rows: agenda.entries.length,
    });
  }
}
