import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { loadConfig } from '@app/config';
import { testIssuer, type TestIssuer } from '@app/testing';
import { IngestErrorCode } from './ingest.error';
import { ProducerAuthGuard } from './producer-auth.guard';
import { Public } from './public.decorator';
import { ProducerVerifier } from './token.verifier';

class Routes {
  submit(this: void): void {}
  @Public()
  health(this: void): void {}
}

const contextFor = (handler: keyof Routes, authorization?: string): ExecutionContext =>
  ({
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }),
  }) as unknown as ExecutionContext;

describe('ProducerAuthGuard', () => {
  let issuer: TestIssuer;
  let guard: ProducerAuthGuard;

  beforeAll(async () => {
    issuer = await testIssuer();
    const verifier = await ProducerVerifier.create(
      loadConfig(issuer.env, '/', { require: ['auth'] }).auth,
    );
    guard = new ProducerAuthGuard(new Reflector(), verifier);
  });

  it('lets a producer token through', async () => {
    await expect(
      guard.canActivate(contextFor('submit', `Bearer ${await issuer.token()}`)),
    ).resolves.toBe(true);
  });

  it('refuses a request without a token with 401, and one without the role with 403', async () => {
    await expect(guard.canActivate(contextFor('submit'))).rejects.toMatchObject({
      status: 401,
      code: IngestErrorCode.InvalidToken,
    });
    const analyst = await issuer.token({ roles: ['analyst'] });
    await expect(
      guard.canActivate(contextFor('submit', `Bearer ${analyst}`)),
    ).rejects.toMatchObject({
      status: 403,
      code: IngestErrorCode.InsufficientRole,
    });
  });

  it("answers an expired token with 401 and the verifier's reason", async () => {
    const expired = await issuer.token(undefined, { exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(
      guard.canActivate(contextFor('submit', `Bearer ${expired}`)),
    ).rejects.toMatchObject({
      status: 401,
      code: IngestErrorCode.InvalidToken,
      message: 'the token has expired',
    });
  });

  it('opens @Public() routes without a token', async () => {
    await expect(guard.canActivate(contextFor('health'))).resolves.toBe(true);
  });
});
