import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import { stopWhenOrphaned } from '@app/observability';
import { createAnalystApp } from './analyst-api.factory';

/**
 * The analysts' API process: configuration (auth required), the app, graceful shutdown on
 * SIGTERM/SIGINT (requests in flight finish, the pool closes, exit 0).
 */
async function main(): Promise<void> {
  const config = loadConfig(undefined, undefined, { require: ['auth'] });
  const app = await createAnalystApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  stopWhenOrphaned(config.parentPid, (line) => new Logger('AnalystApi').warn(line));
  const { host, port, tls } = config.analystApi;
  await app.listen(port, host);
  new Logger('AnalystApi').log(`listening on ${tls ? 'https' : 'http'}://${host}:${port}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
