import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { nestLogLevels } from '@app/observability';
import { IngestMetrics } from './ingest.metrics';
import { IngestApiModule, type IngestApiConfig } from './ingest-api.module';

/**
 * Builds the ingest API (not yet listening; an HTTP or HTTPS server, hence `net.Server`): HTTPS when a certificate is configured, no
 * generic body parser (the submissions route reads its body itself, with its limit), request
 * metrics and `nosniff`/`no-store` on every answer. Errors at start are thrown, never turned
 * into `process.abort()`.
 */
export async function createIngestApp(
  config: IngestApiConfig,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<INestApplication<Server>> {
  const tls = config.ingest.tls;
  const app = await NestFactory.create<INestApplication<Server>>(IngestApiModule.forRoot(config), {
    bodyParser: false,
    abortOnError: false,
    logger: options.logger ?? nestLogLevels(config.logLevel),
    ...(tls
      ? {
          // Node's defaults: TLS 1.2 at least, its cipher list.
          httpsOptions: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
        }
      : {}),
  });
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable(
    'x-powered-by',
  );
  app.use(app.get(IngestMetrics).middleware());
  // Every answer, errors included: never sniffed as another type, never cached.
  app.use((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  return app;
}
