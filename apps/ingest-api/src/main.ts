import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import { stopWhenOrphaned } from '@app/observability';
import { createIngestApp } from './ingest-api.factory';

/**
 * The ingest API process: configuration (auth required), the app, graceful shutdown on
 * SIGTERM/SIGINT — stop accepting, let requests in flight finish, disconnect from Kafka, exit 0.
 */
async function main(): Promise<void> {
  const config = loadConfig(undefined, undefined, { require: ['auth'] });
  const app = await createIngestApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  stopWhenOrphaned(config.parentPid, (line) => new Logger('IngestApi').warn(line));
  await app.listen(config.ingest.port, config.ingest.host);
  const scheme = config.ingest.tls ? 'https' : 'http';
  new Logger('IngestApi').log(
    `listening on ${scheme}://${config.ingest.host}:${config.ingest.port}, publishing to ${config.ingest.topic}`,
  );
}

main().catch((error: unknown) => {
  // A bad configuration is the user's to fix: its list of problems, without a stack.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
