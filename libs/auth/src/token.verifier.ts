import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import type { AuthConfig } from '@app/config';

/** Who holds a verified token: its subject (an opaque id, never a name) and its roles. */
export interface VerifiedToken {
  readonly subject: string | undefined;
  /** The OAuth2 client the token was issued to (`azp`, else `client_id`), when it says. */
  readonly clientId: string | undefined;
  readonly roles: readonly string[];
}

/**
 * Why a token was refused. `invalid`: the token's fault (answer 401); `unavailable`: the
 * issuer's keys could not be fetched (answer 503, the same token may pass later).
 */
export class TokenRefusal extends Error {
  constructor(
    readonly kind: 'invalid' | 'unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenRefusal';
  }
}

const invalid = (message: string, cause?: unknown) =>
  new TokenRefusal('invalid', message, { cause });

/**
 * The roles of a token: its `roles` array claim and Keycloak's `realm_access.roles`.
 * Anything that is not a string is ignored.
 */
export function rolesOf(payload: JWTPayload): string[] {
  const realmAccess = payload.realm_access as { roles?: unknown } | undefined;
  const lists = [payload.roles, realmAccess?.roles];
  const roles = lists.flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []));
  return [...new Set(roles.filter((r): r is string => typeof r === 'string'))];
}

/** Why jose refused a token, in words a client can act on; `undefined` if not the token's fault. */
function refusal(error: unknown): TokenRefusal | undefined {
  if (error instanceof errors.JWTExpired) return invalid('the token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed)
    return invalid(`the token's "${error.claim}" claim is refused: ${error.reason}`, error);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalid('the token signature does not verify', error);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return invalid('the token is signed with an algorithm that is not accepted', error);
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalid('no key of the issuer matches the token', error);
  // The issuer's side failed, not the token.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return undefined;
  if (error instanceof errors.JOSEError) return invalid('the token is malformed', error);
  return undefined;
}

/**
 * Verifies OAuth2 bearer tokens (JWT) of the platform's issuer: signature with the issuer's key
 * (a remote JWKS, cached by jose, or one static SPKI public key), the configured algorithm only,
 * `iss`, `aud` when configured, `exp` required, `nbf`, with a small clock tolerance. The ingest
 * API and the analysts' API both verify with it; each checks the roles it needs.
 */
export class TokenVerifier {
  private constructor(
    private readonly verifyJwt: (token: string) => Promise<{ payload: JWTPayload }>,
  ) {}

  /** @throws Error when the static key does not import for the configured algorithm. */
  static async create(auth: AuthConfig): Promise<TokenVerifier> {
    const options: JWTVerifyOptions = {
      issuer: auth.issuer,
      algorithms: [auth.algorithm],
      clockTolerance: auth.clockToleranceSeconds,
      requiredClaims: ['exp'],
      ...(auth.audience ? { audience: [...auth.audience] } : {}),
    };
    const source = auth.keySource;
    switch (source.kind) {
      case 'jwks': {
        const keys = createRemoteJWKSet(new URL(source.url), { timeoutDuration: 5_000 });
        return new TokenVerifier((token) => jwtVerify(token, keys, options));
      }
      case 'public-key': {
        const key = await importSPKI(source.pem, auth.algorithm);
        return new TokenVerifier((token) => jwtVerify(token, key, options));
      }
      default: {
        const _exhaustive: never = source;
        return _exhaustive;
      }
    }
  }

  /** @throws TokenRefusal `invalid` for a token that does not verify, `unavailable` when the issuer's keys cannot be fetched. */
  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await this.verifyJwt(token));
    } catch (error) {
      throw (
        refusal(error) ??
        new TokenRefusal(
          'unavailable',
          'the issuer’s keys cannot be fetched to verify the token; retry',
          { cause: error },
        )
      );
    }
    const client = [payload.azp, payload.client_id].find((c) => typeof c === 'string' && c !== '');
    return {
      subject: payload.sub,
      clientId: client as string | undefined,
      roles: rolesOf(payload),
    };
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header.
 * @throws TokenRefusal `invalid` when the header is missing or not a bearer token.
 */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '');
  if (!match?.[1]) throw invalid('an Authorization: Bearer <token> header is required');
  return match[1];
}
