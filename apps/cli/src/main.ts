/** `cortege`: the project's command line. Each pipeline stage can run over JSON lines here. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@app/config';
import { sanitizationPolicy } from '@app/sanitization';
import { Pool } from 'pg';
import { migrate } from '@app/database';
import { locatorModel } from '@app/geo';
import {
  GAZETTEER_IMPORT_HELP,
  createGeocoder,
  gazetteerImportCommand,
} from '@app/geocoding-adapters';
import { AUDIT_HELP, auditCommand } from './commands/audit.command';
import { HABILITATION_HELP, habilitationCommand } from './commands/habilitation.command';
import { LOCATE_HELP, locateCommand } from './commands/locate.command';
import { missingSchemaMessage } from './commands/missing-schema';
import { SANITIZE_HELP, sanitizeCommand } from './commands/sanitize.command';
import { SCORE_HELP, scoreCommand } from './commands/score.command';
import { aggregateChecksum } from '@app/aggregation';
import { TensionError, tensionModelOf } from '@app/tension';

const CHECKSUM_HELP = `cortege checksum

Prints an ordered digest of the aggregate tables of DATABASE_URL (event, event_region,
event_presence, cell_tension, tension_zone) as JSON: equal digests mean equal rows.
Used to prove a rebuild, a replay or a crash recovery gives the same aggregates.`;

const HELP = `usage: cortege <command> [options]

commands:
  sanitize      validate and anonymise submissions (JSON lines on stdin → JSON lines on stdout)
  gazetteer     gazetteer import <adresses-13.csv[.gz]>: load the geocoder's PostGIS gazetteer
  locate        place clean events in H3 cells over time (JSON lines on stdin → JSON lines on stdout)
  score         cell scores and zones of tension from presence records (JSON lines in → out)
  checksum      ordered digest of the aggregate tables (DATABASE_URL), as JSON
  db migrate    apply the PostGIS schema's pending migrations (DATABASE_URL)
  habilitation  grant, revoke, list who may use the analysts' API, in which role (DATABASE_URL)
  audit         verify the access audit's hash chain, or export its records as JSON lines

cortege <command> --help shows a command's own help.`;

const COMMAND_HELP: Record<string, string> = {
  sanitize: SANITIZE_HELP,
  locate: LOCATE_HELP,
  score: SCORE_HELP,
  checksum: CHECKSUM_HELP,
  gazetteer: GAZETTEER_IMPORT_HELP,
  habilitation: HABILITATION_HELP,
  audit: AUDIT_HELP,
};

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const [command] = positionals;
  if (!command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (values.help) {
    console.log(COMMAND_HELP[command] ?? HELP);
    return COMMAND_HELP[command] ? 0 : 2;
  }
  switch (command) {
    case 'sanitize': {
      const config = loadConfig();
      const policy = sanitizationPolicy(config.sanitizer.policyOverrides);
      await sanitizeCommand(process.stdin, process.stdout, policy);
      return 0;
    }
    case 'locate': {
      const config = loadConfig();
      const pool = new Pool({ connectionString: config.database.url, max: 2 });
      try {
        const model = locatorModel(config.locator.modelOverrides);
        await migrate(config.database.url);
        await locateCommand(
          process.stdin,
          process.stdout,
          createGeocoder(config.geocoding, { db: pool }),
          model,
        );
      } finally {
        await pool.end();
      }
      return 0;
    }
    case 'score': {
      await scoreCommand(process.stdin, process.stdout, tensionModelOf(loadConfig().tension));
      return 0;
    }
    case 'checksum': {
      const pool = new Pool({ connectionString: loadConfig().database.url, max: 1 });
      try {
        console.log(JSON.stringify(await aggregateChecksum(pool), null, 2));
      } catch (error) {
        const missing = missingSchemaMessage(error);
        if (missing === undefined) throw error;
        console.error(`cortege checksum: ${missing}`);
        return 1;
      } finally {
        await pool.end();
      }
      return 0;
    }
    case 'gazetteer': {
      if (positionals[1] !== 'import') {
        console.error(`cortege gazetteer: expected 'import'\n\n${GAZETTEER_IMPORT_HELP}`);
        return 2;
      }
      return gazetteerImportCommand(argv.slice(argv.indexOf('import') + 1), loadConfig());
    }
    case 'db': {
      if (positionals[1] !== 'migrate') {
        console.error(`cortege db: expected 'migrate'\n\n${HELP}`);
        return 2;
      }
      const applied = await migrate(loadConfig().database.url);
      console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'schema up to date');
      return 0;
    }
    case 'habilitation':
      return habilitationCommand(argv.slice(argv.indexOf('habilitation') + 1), databasePool);
    case 'audit':
      return auditCommand(argv.slice(argv.indexOf('audit') + 1), databasePool);
    default:
      console.error(`cortege: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}

/** A small pool on DATABASE_URL, for a command that runs a few queries. */
function databasePool(): Pool {
  return new Pool({ connectionString: loadConfig().database.url, max: 2 });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof TensionError
        ? `cortege: ${error.message}`
        : error,
    );
    process.exitCode = 1;
  },
);
