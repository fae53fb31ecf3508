/**
 * `npm run demo`. Until the pipeline's stages exist it brings the stack up (unless the
 * environment names existing services) and prints its status; the pipeline issues extend it
 * to publish a realistic day in Marseille and print the zones of tension.
 */
import { ConfigError, loadConfig } from '@app/config';
import { stackUp } from './src/stack';
import { StackError } from './src/stack.error';

async function main(): Promise<number> {
  const config = loadConfig();
  const statuses = await stackUp(config);
  for (const s of statuses) {
    console.log(
      `${s.health.ok ? 'healthy' : 'DOWN   '}  ${s.name.padEnd(8)}  ${s.url}  (${s.health.detail})`,
    );
  }
  console.log('\nThe stack runs. Try: npm test · npm run stack:status · npm run stack:down');
  return statuses.every((s) => s.health.ok) ? 0 : 3;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof StackError
        ? `demo: ${error.message}`
        : error,
    );
    process.exit(1);
  },
);
