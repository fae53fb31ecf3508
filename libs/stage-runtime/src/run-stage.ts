import 'reflect-metadata';
import { Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, ConfigError, type AppConfig } from '@app/config';
import { stopWhenOrphaned } from '@app/observability';

/**
 * Runs a stage application: listens on `port` (loopback) for `/health` and `/metrics`; on
 * SIGTERM or SIGINT finishes the chunk in flight, leaves the group and exits 0; stops the
 * same way when the process that started it dies. A configuration error (or one of
 * `expected`, errors that explain themselves) is printed as its message alone, with status 1.
 */
export function runStage(
  module: Type,
  name: string,
  port: (config: AppConfig) => number,
  expected: ReadonlyArray<abstract new (...args: never[]) => Error> = [],
): void {
  const bootstrap = async () => {
    const app = await NestFactory.create(module);
    app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    const config = app.get<AppConfig>(APP_CONFIG);
    stopWhenOrphaned(config.parentPid, (line) => new Logger(name).warn(line));
    await app.listen(port(config), '127.0.0.1');
  };
  bootstrap().catch((error: unknown) => {
    const known = [ConfigError, ...expected].some((type) => error instanceof type);
    console.error(known ? (error as Error).message : error);
    process.exit(1);
  });
}
