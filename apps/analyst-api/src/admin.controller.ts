import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ACCESS_ROLES, HabilitationStore, type AccessRole, type Habilitation } from '@app/access';
import { AnalystError, AnalystErrorCode, invalidParameter } from './analyst.error';
import { callerOf, Roles } from './access';
import { refuseUnknown, single } from './query-params';
import { Responder, type RoutedRequest } from './responder';

const text = (
  body: Record<string, unknown>,
  field: string,
  required: boolean,
): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw invalidParameter(field, 'required');
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParameter(field, 'expected a string');
  return value;
};

/** The JSON object of a request body, or a 415/400 saying what is wrong with it. */
function bodyOf(request: RoutedRequest, body: unknown): Record<string, unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new AnalystError(
      AnalystErrorCode.UnsupportedMediaType,
      'send the body as application/json',
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidParameter('body', 'expected a JSON object');
  return body as Record<string, unknown>;
}

function allowedFields(body: Record<string, unknown>, fields: readonly string[]): void {
  const unknown = Object.keys(body).find((f) => !fields.includes(f));
  if (unknown !== undefined)
    throw new AnalystError(
      AnalystErrorCode.UnknownParameter,
      `unknown field '${unknown.slice(0, 100)}'; expected ${fields.join(', ')}`,
      unknown.slice(0, 100),
    );
}

const asJson = (h: Habilitation) => ({
  ...h,
  grantedAt: h.grantedAt.toISOString(),
  validUntil: h.validUntil?.toISOString() ?? null,
  revokedAt: h.revokedAt?.toISOString() ?? null,
});

/**
 * Habilitations, managed by admins only: who may read (analyst, prefecture-viewer) or manage
 * (admin), granted with a reason and an optional end, revocable at once. Who did it is the
 * admin's token subject, never a name typed in.
 */
@Roles('admin')
@Controller('admin/habilitations')
export class AdminController {
  constructor(
    @Inject(HabilitationStore) private readonly habilitations: HabilitationStore,
    @Inject(Responder) private readonly responder: Responder,
  ) {}

  @Get()
  async list(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    const query = request.query ?? {};
    refuseUnknown(query, ['subject', 'active']);
    const subject = single(query, 'subject');
    const active = single(query, 'active');
    if (active !== undefined && active !== 'true' && active !== 'false')
      throw invalidParameter('active', 'expected true or false');
    const found = await this.habilitations.list({
      ...(subject === undefined ? {} : { subject }),
      activeOnly: active === 'true',
    });
    await this.send(request, response, 200, { habilitations: found.map(asJson) }, found.length);
  }

  @Get(':id')
  async get(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('id') id: string,
  ): Promise<void> {
    refuseUnknown(request.query ?? {}, []);
    const found = /^\d{1,18}$/.test(id) ? await this.habilitations.get(id) : undefined;
    if (!found)
      throw new AnalystError(AnalystErrorCode.NotFound, `no habilitation ${id.slice(0, 50)}`, 'id');
    await this.send(request, response, 200, asJson(found), 1);
  }

  @Post()
  async grant(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Body() raw: unknown,
  ): Promise<void> {
    refuseUnknown(request.query ?? {}, []);
    const body = bodyOf(request, raw);
    allowedFields(body, ['subject', 'role', 'reason', 'validUntil']);
    const role = text(body, 'role', true) as string;
    if (!(ACCESS_ROLES as readonly string[]).includes(role))
      throw invalidParameter('role', `expected one of ${ACCESS_ROLES.join(', ')}`);
    const until = text(body, 'validUntil', false);
    const validUntil = until === undefined ? null : new Date(until);
    if (
      validUntil !== null &&
      (Number.isNaN(validUntil.getTime()) || !/[zZ]|[+-]\d{2}:\d{2}$/.test(until ?? ''))
    )
      throw invalidParameter('validUntil', 'expected an RFC 3339 date-time with an offset');
    const granted = await this.habilitations.grant({
      subject: text(body, 'subject', true) as string,
      role: role as AccessRole,
      reason: text(body, 'reason', true) as string,
      grantedBy: callerOf(request).principal,
      validUntil,
    });
    await this.send(request, response, 201, asJson(granted), 1);
  }

  @Post(':id/revoke')
  async revoke(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('id') id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    refuseUnknown(request.query ?? {}, []);
    const body = bodyOf(request, raw);
    allowedFields(body, ['reason']);
    if (!/^\d{1,18}$/.test(id))
      throw new AnalystError(AnalystErrorCode.NotFound, `no habilitation ${id.slice(0, 50)}`, 'id');
    const revoked = await this.habilitations.revoke(id, {
      revokedBy: callerOf(request).principal,
      reason: text(body, 'reason', true) as string,
    });
    await this.send(request, response, 200, asJson(revoked), 1);
  }

  private send(
    request: RoutedRequest,
    response: ServerResponse,
    status: number,
    body: unknown,
    rows: number,
  ) {
    return this.responder.send(request, response, {
      status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(body),
      rows,
    });
  }
}
