import type { Pool } from 'pg';
import { localToday, readAgenda } from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { ARRONDISSEMENTS, isAgendaDay, MAX_AGENDA_DAYS, tensionModelOf } from '@app/tension';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { withDatabase } from './with-database';

export const AGENDA_HELP = `usage: cortege agenda [--days N] [--from D] [--json]

The tension agenda of the declared events: for each local day from D (default today, Europe/Paris)
and each of Marseille's 16 arrondissements, a level from 1 to 10 (README, "The agenda"):
1 + ceil(9 x peak / (peak + reference)) where peak is the day's highest resolution-9 cell score
in the arrondissement and reference the model's zone threshold (TENSION_ZONE_THRESHOLD); 1 when
nothing is declared. A '!' after a level: two of its events meet (the model's conflict > 0).

--days N  how many days, 1-${MAX_AGENDA_DAYS}; default 30.
--from D  the first day, YYYY-MM-DD.
--json    one JSON line per day and arrondissement, with the peak, the conflict and the events
          behind it (ids and kinds).

Exit codes: 0 done, 1 failed, 2 bad usage.`;

/** `cortege agenda …`: `argv` is what follows `agenda`. Returns the exit code. */
export async function agendaCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('agenda', AGENDA_HELP, io);
  const parsed = commandArgs(argv, {
    days: { type: 'string' },
    from: { type: 'string' },
    json: { type: 'boolean' },
  });
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usage(`unexpected ${positionals.join(', ')}`);
  const from = values.from ?? localToday();
  if (!isAgendaDay(from)) return badValue(`--from: expected a day YYYY-MM-DD, not '${from}'`);
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!/^\d+$/.test(values.days ?? '30') || days < 1 || days > MAX_AGENDA_DAYS)
    return badValue(
      `--days: expected a whole number from 1 to ${MAX_AGENDA_DAYS}, not '${values.days}'`,
    );
  const json = values.json === true;

  return withDatabase('agenda', openPool, io, async (pool) => {
    const agenda = await readAgenda(pool, {
      from,
      days,
      reference: tensionModelOf(config.tension).zoneThreshold,
    });
    if (!agenda.gazetteer)
      io.stderr.write(
        'cortege agenda: the gazetteer holds no address (cortege gazetteer import): no cell can be placed in an arrondissement, every level is 1\n',
      );
    if (json) {
      for (const entry of agenda.entries) await writeLine(io.stdout, JSON.stringify(entry));
      return 0;
    }
    await writeLine(
      io.stdout,
      `day         ${ARRONDISSEMENTS.map((a) => `${a}e`.padStart(4)).join('')}   events`,
    );
    for (let i = 0; i < agenda.entries.length; i += ARRONDISSEMENTS.length) {
      const row = agenda.entries.slice(i, i + ARRONDISSEMENTS.length);
      const events = new Set(row.flatMap((e) => e.events.map((ev) => ev.eventId)));
      const cells = row.map((e) => `${e.level}${e.conflict ? '!' : ' '}`.padStart(4)).join('');
      await writeLine(io.stdout, `${row[0]?.day ?? ''}  ${cells}   ${events.size}`);
    }
    await writeLine(
      io.stdout,
      `level 1-10 per arrondissement and day (reference ${agenda.reference}, resolution ${agenda.resolution}); ! = events in conflict`,
    );
    return 0;
  });
}
