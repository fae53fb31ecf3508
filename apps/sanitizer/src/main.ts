/**
 * The sanitizer stage: `cortege.submissions.v1` → `cortege.events.v1` | dead letters.
 * SIGTERM/SIGINT: finish the transaction in flight, leave the group, disconnect, exit 0.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, ConfigError, type AppConfig } from '@app/config';
import { stopWhenOrphaned } from '@app/observability';
import { SanitizerModule } from './sanitizer.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(SanitizerModule);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const config = app.get<AppConfig>(APP_CONFIG);
  stopWhenOrphaned(config.parentPid, (line) => new Logger('Sanitizer').warn(line));
  await app.listen(config.sanitizer.port, '127.0.0.1');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
