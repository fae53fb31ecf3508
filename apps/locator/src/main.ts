/**
 * The locator stage: `cortege.events.v1` → `cortege.presence.v1` (keyed by H3 region) | dead
 * letters. SIGTERM/SIGINT: finish the transaction in flight, leave the group, exit 0.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, ConfigError, type AppConfig } from '@app/config';
import { stopWhenOrphaned } from '@app/observability';
import { LocatorModule } from './locator.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(LocatorModule);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const config = app.get<AppConfig>(APP_CONFIG);
  stopWhenOrphaned(config.parentPid, (line) => new Logger('Locator').warn(line));
  await app.listen(config.locator.port, '127.0.0.1');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
