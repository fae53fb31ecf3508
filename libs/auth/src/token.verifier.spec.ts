import { loadConfig } from '@app/config';
import { generateKeyPair, SignJWT } from 'jose';
import { testIssuer, type TestIssuer } from '@app/testing';
import { bearerToken, rolesOf, TokenRefusal, TokenVerifier } from './token.verifier';

const refusalOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TokenRefusal) return [error.kind, error.message];
    throw error;
  }
  return undefined;
};

describe('TokenVerifier with a static public key', () => {
  let issuer: TestIssuer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    issuer = await testIssuer();
    verifier = await TokenVerifier.create(
      loadConfig({ ...issuer.env, AUTH_AUDIENCE: 'ingest-api' }, '/', { require: ['auth'] }).auth,
    );
  });

  it('accepts a token of the issuer with the producer role, in roles or realm_access', async () => {
    await expect(
      verifier.verify(await issuer.token({ roles: ['producer'] }, { audience: 'ingest-api' })),
    ).resolves.toEqual({ subject: 'cortege-pp13', roles: ['producer'] });
    await expect(
      verifier.verify(
        await issuer.token(
          { realm_access: { roles: ['offline_access', 'producer'] } },
          { audience: 'ingest-api' },
        ),
      ),
    ).resolves.toEqual({ subject: 'cortege-pp13', roles: ['offline_access', 'producer'] });
  });

  it('gives the client a token was issued to: azp, else client_id', async () => {
    const verify = async (claims: Record<string, unknown>) =>
      (await verifier.verify(await issuer.token(claims, { audience: 'ingest-api' }))).clientId;
    expect(await verify({ roles: ['producer'], azp: 'pp13', client_id: 'other' })).toBe('pp13');
    expect(await verify({ roles: ['producer'], client_id: 'pp13' })).toBe('pp13');
    expect(await verify({ roles: ['producer'] })).toBeUndefined();
  });

  it('gives every role of a valid token, whichever they are: callers check their own', async () => {
    const token = await issuer.token({ roles: ['analyst'] }, { audience: 'ingest-api' });
    await expect(verifier.verify(token)).resolves.toEqual({
      subject: 'cortege-pp13',
      roles: ['analyst'],
    });
  });

  it('refuses expired, foreign, forged and audience-less tokens as invalid', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const stranger = await generateKeyPair('RS256');
    const cases = {
      expired: await issuer.token(undefined, { exp: past, audience: 'ingest-api' }),
      wrongIssuer: await issuer.token(undefined, {
        issuer: 'https://evil.test',
        audience: 'ingest-api',
      }),
      badSignature: await issuer.token(undefined, {
        key: stranger.privateKey,
        audience: 'ingest-api',
      }),
      noAudience: await issuer.token(),
      garbage: 'a.b.c',
    };
    const refusals = Object.fromEntries(
      await Promise.all(
        Object.entries(cases).map(async ([name, token]): Promise<[string, unknown]> => [
          name,
          await refusalOf(verifier.verify(token)),
        ]),
      ),
    );
    expect(refusals).toEqual({
      expired: ['invalid', 'the token has expired'],
      wrongIssuer: ['invalid', `the token's "iss" claim is refused: check_failed`],
      badSignature: ['invalid', 'the token signature does not verify'],
      noAudience: ['invalid', `the token's "aud" claim is refused: missing`],
      garbage: ['invalid', 'the token is malformed'],
    });
  });

  it('refuses an HMAC token signed with the public key as secret (algorithm confusion)', async () => {
    const token = await new SignJWT({ roles: ['producer'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer.issuer)
      .setAudience('ingest-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(issuer.publicKeyPem));
    expect(await refusalOf(verifier.verify(token))).toEqual([
      'invalid',
      'the token is signed with an algorithm that is not accepted',
    ]);
  });

  it('refuses a token without an expiry', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const own = await TokenVerifier.create({
      issuer: 'https://sso.test',
      audience: undefined,
      keySource: { kind: 'public-key', pem: issuer.publicKeyPem },
      algorithm: 'RS256',
      clockToleranceSeconds: 0,
    });
    const withoutExp = await new SignJWT({ roles: ['producer'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://sso.test')
      .sign(privateKey);
    expect((await refusalOf(own.verify(withoutExp)))?.[0]).toBe('invalid');
  });
});

describe('rolesOf', () => {
  it('merges roles and realm_access.roles, ignoring what is not a string', () => {
    expect(rolesOf({ roles: ['a', 3, 'b'], realm_access: { roles: ['b', 'producer'] } })).toEqual([
      'a',
      'b',
      'producer',
    ]);
    expect(rolesOf({ roles: 'producer' })).toEqual([]);
  });
});

describe('bearerToken', () => {
  it('reads the token of a bearer Authorization header', () => {
    expect(bearerToken('Bearer abc.def-ghi_jkl')).toBe('abc.def-ghi_jkl');
    expect(bearerToken('bearer  x.y.z')).toBe('x.y.z');
  });

  it('refuses a missing or non-bearer header as invalid', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
      let refused: unknown;
      try {
        bearerToken(header);
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({ kind: 'invalid' });
    }
  });
});
