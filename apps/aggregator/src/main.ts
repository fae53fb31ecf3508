/**
 * The aggregator: `cortege.presence.v1` → `cell_tension` and `tension_zone` in PostGIS, one
 * transaction per chunk of records with its positions. SIGTERM/SIGINT: finish the transaction
 * in flight, leave the group, exit 0.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, ConfigError, type AppConfig } from '@app/config';
import { stopWhenOrphaned } from '@app/observability';
import { TensionError } from '@app/tension';
import { AggregatorModule } from './aggregator.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AggregatorModule);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const config = app.get<AppConfig>(APP_CONFIG);
  stopWhenOrphaned(config.parentPid, (line) => new Logger('Aggregator').warn(line));
  await app.listen(config.aggregator.port, '127.0.0.1');
}

bootstrap().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError || error instanceof TensionError ? error.message : error,
  );
  process.exit(1);
});
