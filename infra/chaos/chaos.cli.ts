/**
 * `npm run chaos [-- flags]`: the platform under faults, then checked (infra/chaos/chaos-run.ts).
 * Exit 0 when every check passed, 1 when one failed, 2 on bad flags.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@app/config';
import { StackError } from '../local/src/stack.error';
import { formatReport } from './chaos-report';
import { runChaos } from './chaos-run';
import { MALFORMED_KINDS } from './malformed-records';

const HELP = `usage: npm run chaos -- [flags]

Realistic submissions through the ingest API and malformed records beside them, while stage
processes, the broker, PostgreSQL and the registry are killed and restarted; then checks that
nothing accepted was lost, that the dead letters hold exactly the malformed records, that the
aggregates equal a clean run's, and that no process is left crash-looping. It kills the stack's
services: run it only on a stack of its own (STACK_* ports and INGEST/SANITIZER/LOCATOR/
AGGREGATOR_PORT of its own; README, "Chaos run").

  --submissions N        valid submissions, revisions and cancels included   (20000)
  --kills N              SIGKILLs of random stage processes                  (50)
  --broker-restarts N    broker SIGKILLs, each followed by a restart         (3)
  --postgres-restarts N  PostgreSQL stops in immediate mode, then restarts   (3)
  --registry-restarts N  registry stops and restarts                         (2)
  --malformed N          malformed records of every kind                     (10000)
  --seed N               the input is a function of the seed                 (1)
  --report PATH          the JSON report                     (<STACK_DIR>/chaos-report.json)
  --window S             seconds over which faults are injected and the input sent (600)
  --settle-timeout S     seconds the pipeline may take to settle afterwards  (1800)
  --quiet S              seconds every process must then stay up             (20)
  --batch N              submissions per request to the ingest API           (100)
  --skip-clean           no clean reference run (and no checksum comparison)
  --keep                 keep the run's databases and topics`;

function whole(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new RangeError(`--${name} must be a whole number ≥ ${min}, got '${value}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      submissions: { type: 'string' },
      kills: { type: 'string' },
      'broker-restarts': { type: 'string' },
      'postgres-restarts': { type: 'string' },
      'registry-restarts': { type: 'string' },
      malformed: { type: 'string' },
      seed: { type: 'string' },
      report: { type: 'string' },
      window: { type: 'string' },
      'settle-timeout': { type: 'string' },
      quiet: { type: 'string' },
      batch: { type: 'string' },
      'skip-clean': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let options;
  const config = loadConfig();
  try {
    options = {
      submissions: whole('submissions', values.submissions, 20_000, 1),
      kills: whole('kills', values.kills, 50),
      brokerRestarts: whole('broker-restarts', values['broker-restarts'], 3),
      postgresRestarts: whole('postgres-restarts', values['postgres-restarts'], 3),
      registryRestarts: whole('registry-restarts', values['registry-restarts'], 2),
      malformed: whole('malformed', values.malformed, 10_000, Object.keys(MALFORMED_KINDS).length),
      seed: whole('seed', values.seed, 1),
      reportPath: values.report ?? join(config.stack.dir, 'chaos-report.json'),
      windowSeconds: whole('window', values.window, 600, 1),
      settleTimeoutSeconds: whole('settle-timeout', values['settle-timeout'], 1_800, 1),
      quietSeconds: whole('quiet', values.quiet, 20),
      batchSize: whole('batch', values.batch, 100, 1),
      clean: !values['skip-clean'],
      keep: values.keep ?? false,
      print: (line: string) => console.log(line),
    };
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const report = await runChaos(config, options);
  console.log(`\n${formatReport(report)}`);
  console.log(`report: ${options.reportPath}`);
  return report.verdict === 'pass' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof StackError || error instanceof Error
        ? `chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
        : error,
    );
    process.exit(1);
  },
);
