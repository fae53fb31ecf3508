import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:net';
import { nestLogLevels } from '@app/observability';
import { callerOf } from './access';
import { AnalystApiModule, type AnalystApiConfig } from './analyst-api.module';

/**
 * Builds the analysts' API (not yet listening): HTTPS when a certificate is configured, JSON
 * bodies up to 16 kB (only the admin routes take one), and each request's clock started first
 * (the audit's duration). Errors at start are thrown, never turned into `process.abort()`.
 */
export async function createAnalystApp(
  config: AnalystApiConfig,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<INestApplication<Server>> {
  const tls = config.analystApi.tls;
  const app = await NestFactory.create<INestApplication<Server>>(AnalystApiModule.forRoot(config), {
    bodyParser: false,
    abortOnError: false,
    logger: options.logger ?? nestLogLevels(config.logLevel),
    ...(tls
      ? { httpsOptions: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } }
      : {}),
  });
  app.use((request: IncomingMessage, _response: unknown, next: () => void) => {
    callerOf(request);
    next();
  });
  (app as unknown as NestExpressApplication).useBodyParser('json', { limit: '16kb' });
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  return app;
}
