import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AuditLog } from '@app/access';
import { AnalystError, AnalystErrorCode } from './analyst.error';
import { callerOf, type CallerRequest } from './access';

/** What a route answers; `rows` is how many data rows it reveals (the audit's count). */
export interface Reply {
  readonly status: number;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly rows: number;
}

/** The request as Express hands it over (no Express types in the project). */
export type RoutedRequest = CallerRequest & {
  readonly route?: { readonly path?: unknown };
  readonly params?: Readonly<Record<string, unknown>>;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly method?: string;
  readonly path?: string;
};

const MAX_AUDITED_VALUE = 500;

/** The route template of a request, OpenAPI style (`/collections/{collectionId}/items`). */
export function routeOf(request: RoutedRequest): string {
  const path = request.route?.path;
  return typeof path === 'string' ? path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') : '(no route)';
}

/** Path and query parameters as the audit keeps them: each value cut to 500 characters. */
export function auditedParams(request: RoutedRequest): Record<string, unknown> {
  const cut = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.slice(0, MAX_AUDITED_VALUE)
      : Array.isArray(value)
        ? value.slice(0, 20).map(cut)
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value).slice(0, MAX_AUDITED_VALUE)
          : value;
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.params ?? {})) params[name] = cut(value);
  for (const [name, value] of Object.entries(request.query ?? {}))
    params[name.slice(0, 100)] = cut(value);
  if (request.route === undefined) params.path = cut(request.path ?? request.url ?? '');
  return params;
}

/**
 * Answers every audited request: first the audit row (who, which role, route, parameters,
 * status, rows, duration), then the response. No data leave without their row: when the audit
 * cannot be written the caller gets a 503 instead of the data.
 */
@Injectable()
export class Responder {
  private readonly logger = new Logger('AnalystApi');

  constructor(@Inject(AuditLog) private readonly audit: AuditLog) {}

  async send(request: RoutedRequest, response: ServerResponse, reply: Reply): Promise<void> {
    try {
      await this.record(request, reply.status, reply.rows);
    } catch (error) {
      this.logger.error(`the access audit cannot be written: ${(error as Error).message}`);
      const refused = new AnalystError(
        AnalystErrorCode.Unavailable,
        'the access audit cannot be written now, so no data are served; retry',
      );
      write(
        response,
        { status: 503, body: JSON.stringify(refused.body()), rows: 0 },
        'application/json',
      );
      return;
    }
    write(response, reply, 'application/json');
  }

  /** Appends the audit row of `request` with this outcome. */
  async record(request: RoutedRequest, status: number, rows: number): Promise<void> {
    const caller = callerOf(request);
    await this.audit.append({
      principal: caller.principal,
      role: caller.role,
      method: request.method ?? 'GET',
      route: routeOf(request),
      params: auditedParams(request),
      status,
      rows,
      durationMs: Math.round(Number(process.hrtime.bigint() - caller.startedAt) / 1e6),
    });
  }
}

function write(response: ServerResponse, reply: Reply, fallbackType: string): void {
  response.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (reply.body === undefined) {
    response.end();
    return;
  }
  response.setHeader('Content-Type', reply.contentType ?? `${fallbackType}; charset=utf-8`);
  response.end(reply.body);
}
