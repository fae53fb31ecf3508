import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { IS_PUBLIC } from './public.decorator';
import { ProducerVerifier, TOKEN_VERIFIER, type VerifiedProducer } from './token.verifier';

const verifiedOf = new WeakMap<IncomingMessage, VerifiedProducer>();

/** The verified token of a request the guard let through; `undefined` on a public route. */
export function verifiedProducer(request: IncomingMessage): VerifiedProducer | undefined {
  return verifiedOf.get(request);
}

/**
 * Every route needs a valid producer token unless marked `@Public()`: closed by default, so a
 * route added later cannot be left open by mistake. Runs before the body is read.
 *
 * @throws IngestError InvalidToken (401), InsufficientRole (403) or Unavailable (503).
 */
@Injectable()
export class ProducerAuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: ProducerVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const open = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (open) return true;
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const verified = await this.verifier.verify(
      ProducerVerifier.bearer(request.headers.authorization),
    );
    verifiedOf.set(request, verified);
    return true;
  }
}
