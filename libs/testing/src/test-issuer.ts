import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';

/** An OAuth2 issuer for tests: a fresh RS256 key pair, and tokens signed with it. */
export interface TestIssuer {
  readonly issuer: string;
  /** The public key in SPKI PEM, as AUTH_PUBLIC_KEY takes it. */
  readonly publicKeyPem: string;
  /** The environment that makes the ingest API trust this issuer. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * A signed token: the producer role and a 5-minute lifetime unless `claims` and `options`
   * say otherwise (`exp` in epoch seconds, `issuer`, another `key` to sign with, `subject`
   * instead of `cortege-pp13`).
   */
  token(
    claims?: JWTPayload,
    options?: { issuer?: string; exp?: number; key?: KeyLike; audience?: string; subject?: string },
  ): Promise<string>;
}

export async function testIssuer(issuer = 'https://sso.test/realms/cortege'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const publicKeyPem = await exportSPKI(publicKey);
  return {
    issuer,
    publicKeyPem,
    env: { AUTH_ISSUER: issuer, AUTH_PUBLIC_KEY: publicKeyPem },
    token: (claims = { roles: ['producer'] }, options = {}) => {
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(options.issuer ?? issuer)
        .setSubject(options.subject ?? 'cortege-pp13')
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '5m');
      if (options.audience) jwt.setAudience(options.audience);
      return jwt.sign(options.key ?? privateKey);
    },
  };
}
