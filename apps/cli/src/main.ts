/**
 * `cortege`: the project's command line. Each pipeline stage can run over JSON lines here, and
 * the operations (migrations, habilitations, the audit) are run from here. A command's module
 * is loaded only when it runs, so that `--help` and short commands start at once.
 */
import { parseArgs } from 'node:util';

const HELP = `usage: cortege <command> [options]

commands:
  sanitize      validate and anonymise submissions (JSON lines on stdin → JSON lines on stdout)
  gazetteer     gazetteer import <adresses-13.csv[.gz]>: load the geocoder's PostGIS gazetteer
  locate        place clean events in H3 cells over time (JSON lines on stdin → JSON lines on stdout)
  score         cell scores and zones of tension from presence records (JSON lines in → out)
  checksum      ordered digest of the aggregate tables (DATABASE_URL), as JSON
  db migrate    apply the PostGIS schema's pending migrations (DATABASE_URL) [--json]
  habilitation  grant, revoke, list who may use the analysts' API, in which role (DATABASE_URL)
  audit         verify the access audit's hash chain, or export its records as JSON lines
  dlq           list, show and redrive the stages' dead letters
  replay        move a stage's position in its input topic (dry run unless --execute)
  rebuild       recompute every aggregate from the presence topic, then swap them in
  retention     status: each topic's and table's retention and oldest record; apply: remove what is past it
  purge         --all or --event ID: destroy the data, with a manifest and a signed destruction report; verify REPORT
  hotspots      recompute the hotspots (Gi*) of every day and week, or of --from/--to; list the hot and cold cells
  agenda        the tension level (1-10) of each arrondissement for each of the next days (--days 30)
  schema        propose a new version of the contract, approve it (DPO informed, impact study), list the versions

cortege <command> --help shows a command's own help.`;

/** A command: its help, and what it does with the arguments after its name. */
interface Command {
  help(): Promise<string>;
  run(args: string[], argv: readonly string[]): Promise<number>;
}

const pipeline = () => import('./commands/pipeline.commands');

const COMMANDS: Record<string, Command> = {
  sanitize: {
    help: async () => (await import('./commands/sanitize.command')).SANITIZE_HELP,
    run: async () => (await pipeline()).sanitizeMain(),
  },
  locate: {
    help: async () => (await import('./commands/locate.command')).LOCATE_HELP,
    run: async () => (await pipeline()).locateMain(),
  },
  score: {
    help: async () => (await import('./commands/score.command')).SCORE_HELP,
    run: async () => (await pipeline()).scoreMain(),
  },
  checksum: {
    help: async () => (await pipeline()).CHECKSUM_HELP,
    run: async () => (await pipeline()).checksumMain(),
  },
  gazetteer: {
    help: async () => (await import('@app/geocoding-adapters')).GAZETTEER_IMPORT_HELP,
    run: async (args, argv) => {
      const { GAZETTEER_IMPORT_HELP, gazetteerImportCommand } =
        await import('@app/geocoding-adapters');
      if (args[0] !== 'import') {
        console.error(`cortege gazetteer: expected 'import'\n\n${GAZETTEER_IMPORT_HELP}`);
        return 2;
      }
      const [{ loadConfig }, { recordOperation }] = await Promise.all([
        import('@app/config'),
        import('./operations-audit'),
      ]);
      const started = Date.now();
      const options = argv.slice(argv.indexOf('import') + 1);
      const code = await gazetteerImportCommand(options, loadConfig());
      if (code !== 0 || options.includes('--help') || options.includes('-h')) return code;
      const pool = (await (await pipeline()).databasePool())();
      try {
        await recordOperation(pool, {
          command: 'cortege gazetteer import',
          params: { arguments: options },
          status: code,
          rows: 0,
          startedAt: started,
        });
      } finally {
        await pool.end();
      }
      return code;
    },
  },
  db: {
    help: () => Promise.resolve(HELP),
    run: async (args, argv) => {
      if (args[0] !== 'migrate') {
        console.error(`cortege db: expected 'migrate'\n\n${HELP}`);
        return 2;
      }
      return (await pipeline()).migrateMain(argv.includes('--json'));
    },
  },
  habilitation: {
    help: async () => (await import('./commands/habilitation.command')).HABILITATION_HELP,
    run: async (args, argv) => {
      const [{ habilitationCommand }, { recordOperation }] = await Promise.all([
        import('./commands/habilitation.command'),
        import('./operations-audit'),
      ]);
      const pool = await (await pipeline()).databasePool();
      const started = Date.now();
      const options = argv.slice(argv.indexOf('habilitation') + 1);
      const code = await habilitationCommand(options, pool);
      // A grant or a revocation is also in the access audit, as every change made here is.
      const [action] = args;
      if (code !== 0 || (action !== 'grant' && action !== 'revoke') || options.includes('--help'))
        return code;
      const audit = pool();
      try {
        await recordOperation(audit, {
          command: `cortege habilitation ${action}`,
          // Who and which role, or which habilitation: never the reason's free text.
          params:
            action === 'grant'
              ? { subject: optionValue(options, '--subject'), role: optionValue(options, '--role') }
              : { id: options[1] ?? null },
          status: code,
          rows: 1,
          startedAt: started,
        });
      } finally {
        await audit.end();
      }
      return code;
    },
  },
  audit: {
    help: async () => (await import('./commands/audit.command')).AUDIT_HELP,
    run: async (_args, argv) => {
      const { auditCommand } = await import('./commands/audit.command');
      const pool = await (await pipeline()).databasePool();
      return auditCommand(argv.slice(argv.indexOf('audit') + 1), pool);
    },
  },
  dlq: {
    help: async () => (await import('./commands/dlq.command')).DLQ_HELP,
    run: async (_args, argv) => {
      const [{ dlqCommand }, { loadConfig }] = await Promise.all([
        import('./commands/dlq.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return dlqCommand(argv.slice(argv.indexOf('dlq') + 1), loadConfig(), pool);
    },
  },
  replay: {
    help: async () => (await import('./commands/replay.command')).REPLAY_HELP,
    run: async (_args, argv) => {
      const [{ replayCommand }, { loadConfig }] = await Promise.all([
        import('./commands/replay.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return replayCommand(argv.slice(argv.indexOf('replay') + 1), loadConfig(), pool);
    },
  },
  rebuild: {
    help: async () => (await import('./commands/rebuild.command')).REBUILD_HELP,
    run: async (_args, argv) => {
      const [{ rebuildCommand }, { loadConfig }] = await Promise.all([
        import('./commands/rebuild.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return rebuildCommand(argv.slice(argv.indexOf('rebuild') + 1), loadConfig(), pool);
    },
  },
  retention: {
    help: async () => (await import('./commands/retention.command')).RETENTION_HELP,
    run: async (_args, argv) => {
      const [{ retentionCommand }, { loadConfig }] = await Promise.all([
        import('./commands/retention.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return retentionCommand(argv.slice(argv.indexOf('retention') + 1), loadConfig(), pool);
    },
  },
  agenda: {
    help: async () => (await import('./commands/agenda.command')).AGENDA_HELP,
    run: async (_args, argv) => {
      const [{ agendaCommand }, { loadConfig }] = await Promise.all([
        import('./commands/agenda.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return agendaCommand(argv.slice(argv.indexOf('agenda') + 1), loadConfig(), pool);
    },
  },
  hotspots: {
    help: async () => (await import('./commands/hotspots.command')).HOTSPOTS_HELP,
    run: async (_args, argv) => {
      const [{ hotspotsCommand }, { loadConfig }] = await Promise.all([
        import('./commands/hotspots.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return hotspotsCommand(argv.slice(argv.indexOf('hotspots') + 1), loadConfig(), pool);
    },
  },
  schema: {
    help: async () => (await import('./commands/schema.command')).SCHEMA_HELP,
    run: async (_args, argv) => {
      const [{ schemaCommand }, { loadConfig }] = await Promise.all([
        import('./commands/schema.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return schemaCommand(argv.slice(argv.indexOf('schema') + 1), loadConfig(), pool);
    },
  },
  purge: {
    help: async () => (await import('./commands/purge.command')).PURGE_HELP,
    run: async (_args, argv) => {
      const [{ purgeCommand }, { loadConfig }] = await Promise.all([
        import('./commands/purge.command'),
        import('@app/config'),
      ]);
      const pool = await (await pipeline()).databasePool();
      return purgeCommand(argv.slice(argv.indexOf('purge') + 1), loadConfig(), pool);
    },
  },
};

/** The value after `--name` (or in `--name=value`) in `options`, or null. */
function optionValue(options: readonly string[], name: string): string | null {
  const at = options.indexOf(name);
  if (at >= 0) return options[at + 1] ?? null;
  const joined = options.find((o) => o.startsWith(`${name}=`));
  return joined === undefined ? null : joined.slice(name.length + 1);
}

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const [name, ...args] = positionals;
  if (!name) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`cortege: unknown command '${name}'\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(await command.help());
    return 0;
  }
  return command.run(args, argv);
}

/** Errors that explain themselves: printed as their message alone. */
async function explains(error: unknown): Promise<boolean> {
  const [{ ConfigError }, { TensionError }] = await Promise.all([
    import('@app/config'),
    import('@app/tension'),
  ]);
  return error instanceof ConfigError || error instanceof TensionError;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    console.error((await explains(error)) ? `cortege: ${(error as Error).message}` : error);
    process.exitCode = 1;
  },
);
