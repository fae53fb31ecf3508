import {
  Catch,
  HttpException,
  Inject,
  Logger,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { IngestError, IngestErrorCode } from './ingest.error';
import { RequestAbortedError } from './request-body.reader';
import { ROUTE_METHODS, RouteMethods } from './route-methods';

/** What an error becomes on the wire. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

const HTTP_ERROR_NAMES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
};

/**
 * Maps an error to its response: an `IngestError` to its status, code and details (with
 * `WWW-Authenticate` on 401/403 and `Retry-After` on 503), a Nest `HttpException` (unknown
 * route…) to its status — a 404 on a path that has routes for other methods (`allow`) to a
 * 405 with `Allow` — and anything else to a 500 that says nothing of the internals.
 */
export function toErrorResponse(
  error: unknown,
  retryAfterSeconds: number,
  allow?: readonly string[],
): ErrorResponse {
  if (error instanceof NotFoundException && allow && allow.length > 0) {
    return {
      status: 405,
      headers: { Allow: allow.join(', ') },
      body: {
        error: HTTP_ERROR_NAMES[405],
        message: `this route answers ${allow.join(', ')} only`,
        allow,
      },
    };
  }
  if (error instanceof IngestError) {
    const headers: Record<string, string> = {};
    if (error.code === IngestErrorCode.InvalidToken)
      headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    if (error.code === IngestErrorCode.InsufficientRole)
      headers['WWW-Authenticate'] = 'Bearer error="insufficient_scope"';
    if (error.retriable) headers['Retry-After'] = String(retryAfterSeconds);
    return { status: error.status, headers, body: error.body() };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return {
      status,
      headers: {},
      body: { error: HTTP_ERROR_NAMES[status] ?? 'http_error', message: error.message },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: 'internal_error', message: 'unexpected error; the server logged it' },
  };
}

/**
 * Writes every error as JSON (`{ error, message, ... }`); logs the unexpected ones (5xx) with
 * their stack, and nothing for a client's error. After a 401 or a 413, or whenever the request's
 * body has not all arrived, the answer says `Connection: close` and the connection is destroyed
 * once it is written: the rest of the body is never read. A client that went away mid-body is
 * one warning line.
 */
@Catch()
export class IngestExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('IngestApi');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROUTE_METHODS) private readonly routes: RouteMethods,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = http.getResponse<ServerResponse>();
    if (error instanceof RequestAbortedError) {
      this.logger.warn(`${request.method} ${request.url}: ${error.message}`);
      response.destroy();
      return;
    }
    const allow =
      error instanceof NotFoundException ? this.routes.allowed(request.url ?? '') : undefined;
    const { status, headers, body } = toErrorResponse(
      error,
      this.config.ingest.retryAfterSeconds,
      allow,
    );
    if (status >= 500 && !(error instanceof IngestError && error.retriable)) {
      this.logger.error((error as Error)?.stack ?? String(error));
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    if (status === 401 || status === 413 || !request.complete) {
      response.setHeader('Connection', 'close');
      response.once('finish', () => request.socket.destroy());
    }
    response.statusCode = status;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.end(JSON.stringify(body));
  }
}
