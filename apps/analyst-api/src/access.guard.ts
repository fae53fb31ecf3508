import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HabilitationStore, type AccessRole } from '@app/access';
import { bearerToken, TokenRefusal, TokenVerifier } from '@app/auth';
import { AnalystError, AnalystErrorCode } from './analyst.error';
import { callerOf, IS_PUBLIC, READ_ROLES, ROLES, type CallerRequest } from './access';

/** DI token of the analysts' `TokenVerifier` (the platform's, with the API's audience). */
export const ANALYST_TOKEN_VERIFIER = Symbol('ANALYST_TOKEN_VERIFIER');

/**
 * Closed by default: a route needs a verified token that carries one of the route's roles
 * **and** an active habilitation of its subject for that role (looked up on every request, so a
 * revocation is effective at once). Runs before anything reads the request.
 *
 * @throws AnalystError InvalidToken (401), Forbidden (403), Unavailable (503).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ANALYST_TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(HabilitationStore) private readonly habilitations: HabilitationStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;
    const admitted =
      this.reflector.getAllAndOverride<AccessRole[] | undefined>(ROLES, targets) ?? READ_ROLES;
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const caller = callerOf(request);

    let verified;
    try {
      verified = await this.verifier.verify(bearerToken(request.headers.authorization));
    } catch (error) {
      if (!(error instanceof TokenRefusal)) throw error;
      throw new AnalystError(
        error.kind === 'invalid' ? AnalystErrorCode.InvalidToken : AnalystErrorCode.Unavailable,
        error.message,
        undefined,
        { cause: error },
      );
    }
    if (!verified.subject)
      throw new AnalystError(AnalystErrorCode.InvalidToken, 'the token has no subject (sub)');
    caller.principal = verified.subject;

    const claimed = admitted.filter((role) => verified.roles.includes(role));
    if (claimed.length === 0)
      throw new AnalystError(
        AnalystErrorCode.Forbidden,
        `this resource needs the role ${admitted.join(' or ')}; the token carries none`,
      );
    let active: AccessRole[];
    try {
      active = await this.habilitations.activeRoles(verified.subject);
    } catch (error) {
      throw new AnalystError(
        AnalystErrorCode.Unavailable,
        'habilitations cannot be read now; retry',
        undefined,
        { cause: error },
      );
    }
    const role = claimed.find((r) => active.includes(r));
    if (role === undefined)
      throw new AnalystError(
        AnalystErrorCode.Forbidden,
        `no active habilitation for the role ${claimed.join(' or ')}: an admin grants it`,
      );
    caller.role = role;
    return true;
  }
}
