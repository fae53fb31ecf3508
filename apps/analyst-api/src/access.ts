import { SetMetadata } from '@nestjs/common';
import type { AccessRole } from '@app/access';
import type { IncomingMessage } from 'node:http';

/** Who may read the platform's data: the city's analysts and the Préfecture's viewers. */
export const READ_ROLES: readonly AccessRole[] = ['analyst', 'prefecture-viewer'];
/** Who manages habilitations, and nothing else. */
export const ADMIN_ROLES: readonly AccessRole[] = ['admin'];

export const ROLES = 'analyst-api:roles';
export const IS_PUBLIC = 'analyst-api:public';

/** The roles a route admits (any one of them); routes without it admit {@link READ_ROLES}. */
export const Roles = (...roles: AccessRole[]) => SetMetadata(ROLES, roles);
/** A route open without a token, and left out of the audit: the health probe only. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** What the audit row of a request says of its caller, filled in as the guard learns it. */
export interface RequestCaller {
  readonly startedAt: bigint;
  /** The token's subject once the token verified, else '-'. */
  principal: string;
  /** The role the request was allowed under, else '-'. */
  role: string;
}

export type CallerRequest = IncomingMessage & { caller?: RequestCaller };

/** The caller record of `request`, created at its first use. */
export function callerOf(request: CallerRequest): RequestCaller {
  request.caller ??= { startedAt: process.hrtime.bigint(), principal: '-', role: '-' };
  return request.caller;
}
