/**
 * `npm run demo [-- --once] [-- --day YYYY-MM-DD]`: the whole platform on a realistic day in
 * Marseille (infra/demo). Without `--once` it keeps running until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { ConfigError, loadConfig } from '@app/config';
import { CORTEGE_ZONE } from '@app/contracts';
import { runDemo } from '../demo/demo';
import { StackError } from './src/stack.error';

const HELP = `usage: npm run demo [-- --once] [-- --day YYYY-MM-DD]

  --once        publish, wait for the aggregates, print the zones, stop everything and exit
  --day         the local day (Europe/Paris) of the events; default: today`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      once: { type: 'boolean', default: false },
      day: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig();
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return runDemo(config, {
    once: values.once ?? false,
    day: values.day ?? DateTime.now().setZone(CORTEGE_ZONE).toISODate() ?? '',
    print: (line) => console.log(line),
    interrupted,
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof StackError || error instanceof Error
        ? `demo: ${error.message}`
        : error,
    );
    process.exit(1);
  },
);
