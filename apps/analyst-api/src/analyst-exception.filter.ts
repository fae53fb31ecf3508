import {
  Catch,
  HttpException,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AccessError } from '@app/access';
import { isRetriable } from '@app/observability';
import { AnalystError, AnalystErrorCode } from './analyst.error';
import { PresenceQueryTooWide } from './features.repository';
import { Responder, type RoutedRequest } from './responder';

const RETRY_AFTER_SECONDS = 5;

const ACCESS_ERROR_CODES: Readonly<Record<AccessError['code'], AnalystErrorCode>> = {
  invalid_role: AnalystErrorCode.InvalidParameterValue,
  invalid_subject: AnalystErrorCode.InvalidParameterValue,
  invalid_reason: AnalystErrorCode.InvalidParameterValue,
  invalid_until: AnalystErrorCode.InvalidParameterValue,
  already_granted: AnalystErrorCode.Conflict,
  already_revoked: AnalystErrorCode.Conflict,
  not_found: AnalystErrorCode.NotFound,
};

/** PostgreSQL's "query_canceled": the statement timeout stopped an analyst's query. */
const QUERY_CANCELED = '57014';

/** Any error as the analysts' API answers it: an OGC exception (`{ code, description }`). */
export function toAnalystError(error: unknown): AnalystError | undefined {
  if (error instanceof AnalystError) return error;
  if (error instanceof AccessError)
    return new AnalystError(ACCESS_ERROR_CODES[error.code], error.message, error.field);
  if (error instanceof PresenceQueryTooWide)
    return new AnalystError(AnalystErrorCode.InvalidParameterValue, error.message, 'bbox');
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404)
      return new AnalystError(AnalystErrorCode.NotFound, 'no such resource; see / for the links');
    // Express's JSON body parser: a malformed or too large body.
    return new AnalystError(
      AnalystErrorCode.InvalidParameterValue,
      `the request is refused: ${error.message}`,
      'body',
    );
  }
  const parser = error as { type?: unknown; status?: unknown };
  if (typeof parser.type === 'string' && parser.type.startsWith('entity.'))
    return new AnalystError(
      AnalystErrorCode.InvalidParameterValue,
      'the body is not valid JSON or is too large',
      'body',
    );
  if ((error as { code?: unknown }).code === QUERY_CANCELED)
    return new AnalystError(
      AnalystErrorCode.Unavailable,
      'the query ran too long and was stopped; narrow it (bbox, datetime, limit)',
    );
  if (isRetriable(error))
    return new AnalystError(
      AnalystErrorCode.Unavailable,
      'the database cannot be reached now; retry',
    );
  return undefined;
}

/**
 * Writes every error as an OGC exception, after its audit row (a refused request is audited
 * too); logs the unexpected ones with their stack and answers them 500 without details.
 */
@Catch()
export class AnalystExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AnalystApi');

  constructor(@Inject(Responder) private readonly responder: Responder) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<RoutedRequest>();
    const response = http.getResponse<ServerResponse>();
    const known = toAnalystError(error);
    if (!known)
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const status = known?.status ?? 500;
    const headers: Record<string, string> = {};
    if (known?.code === AnalystErrorCode.InvalidToken)
      headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    if (known?.code === AnalystErrorCode.Forbidden)
      headers['WWW-Authenticate'] = 'Bearer error="insufficient_scope"';
    if (status === 503) headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
    const body = known?.body() ?? {
      code: 'InternalError',
      description: 'unexpected error; the server logged it',
    };
    if (response.headersSent) {
      response.end();
      return;
    }
    void this.responder
      .send(request, response, { status, headers, body: JSON.stringify(body), rows: 0 })
      .catch((failure: unknown) => {
        this.logger.error(`cannot answer a refused request: ${(failure as Error).message}`);
        if (!response.headersSent) response.statusCode = 500;
        response.end();
      });
  }
}
