/**
 * The local stack's command line: `npm run stack:up|down|status|logs|wipe`.
 * See README, "The local stack".
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { ensurePythonClient } from './src/python-client';
import {
  SERVICE_NAMES,
  stackDown,
  stackStatus,
  stackUp,
  stackWipe,
  type ServiceName,
  type ServiceStatus,
} from './src/stack';
import { StackError } from './src/stack.error';

const USAGE = `usage: stack.cli.ts <command> [options]

commands:
  up                 start Kafka, the schema registry and PostGIS unless the environment names them; wait until healthy
  down               stop what 'up' started, and nothing else
  status             each service, its URL, its pid, its health and where its data live (exit 3 if one is unhealthy)
  logs [service]     the last lines of a service's log (kafka, registry, postgres); -f to follow, -n N lines
  wipe               'down', then delete every file of the stack (data, logs, unpacked services)
  python             install the Python Confluent client used by the foreign-client test`;

function printStatus(statuses: readonly ServiceStatus[], config: AppConfig): void {
  const rows = statuses.map((s) => [
    s.name,
    s.health.ok ? 'healthy' : 'DOWN',
    s.origin,
    s.pid === undefined ? '-' : String(s.pid),
    s.url,
  ]);
  const header = ['service', 'health', 'origin', 'pid', 'url'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const s of statuses) {
    console.log(`${s.name}: ${s.health.detail}`);
    console.log(`  data: ${s.data}`);
    if (s.logFile) console.log(`  log:  ${s.logFile}`);
  }
  console.log(`\nstack folder: ${config.stack.dir}`);
}

async function logs(
  config: AppConfig,
  service: string | undefined,
  lines: number,
  follow: boolean,
): Promise<void> {
  const statuses = await stackStatus(config);
  const chosen = statuses.filter((s) => (service ? s.name === service : true) && s.logFile);
  if (service && !SERVICE_NAMES.includes(service as ServiceName)) {
    throw new Error(`unknown service '${service}': expected one of ${SERVICE_NAMES.join(', ')}`);
  }
  const files = chosen
    .map((s) => s.logFile)
    .filter((f): f is string => f !== undefined && existsSync(f));
  if (files.length === 0) {
    console.log('no log yet: has the stack been started here (npm run stack:up)?');
    return;
  }
  if (follow) {
    await new Promise<void>((resolve) => {
      spawn('tail', ['-n', String(lines), '-F', ...files], { stdio: 'inherit' }).on('exit', () =>
        resolve(),
      );
    });
    return;
  }
  for (const file of files) {
    console.log(`==> ${file} <==`);
    console.log(
      readFileSync(file, 'utf8')
        .split('\n')
        .slice(-lines - 1)
        .join('\n'),
    );
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      follow: { type: 'boolean', short: 'f', default: false },
      lines: { type: 'string', short: 'n', default: '50' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, service] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  switch (command) {
    case 'up': {
      const started = Date.now();
      const statuses = await stackUp(config);
      printStatus(statuses, config);
      console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return statuses.every((s) => s.health.ok) ? 0 : 3;
    }
    case 'down':
      await stackDown(config);
      console.log('stack stopped');
      return 0;
    case 'status': {
      const statuses = await stackStatus(config);
      printStatus(statuses, config);
      return statuses.every((s) => s.health.ok) ? 0 : 3;
    }
    case 'logs':
      await logs(config, service, Number(values.lines), values.follow ?? false);
      return 0;
    case 'wipe':
      for (const dir of await stackWipe(config)) console.log(`removed ${dir}`);
      return 0;
    case 'python': {
      const client = ensurePythonClient(config.stack);
      console.log(`python client ready: ${client.python}`);
      return 0;
    }
    default:
      console.error(`unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof StackError) {
      console.error(`stack: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
