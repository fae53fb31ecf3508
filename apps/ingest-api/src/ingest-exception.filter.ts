import {
  Catch,
  HttpException,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { IngestError, IngestErrorCode } from './ingest.error';

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
 * route…) to its status, and anything else to a 500 that says nothing of the internals.
 */
export function toErrorResponse(error: unknown, retryAfterSeconds: number): ErrorResponse {
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

/** Writes every error as JSON (`{ error, message, ... }`); logs the unexpected ones with their stack. */
@Catch()
export class IngestExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('IngestApi');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    const { status, headers, body } = toErrorResponse(error, this.config.ingest.retryAfterSeconds);
    if (status >= 500 && !(error instanceof IngestError && error.retriable)) {
      this.logger.error((error as Error)?.stack ?? String(error));
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.statusCode = status;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.end(JSON.stringify(body));
  }
}
