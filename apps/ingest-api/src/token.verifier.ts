import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import type { AuthConfig } from '@app/config';
import { IngestError, IngestErrorCode } from './ingest.error';

/** The role a token must carry to submit. */
export const PRODUCER_ROLE = 'producer';

/** DI token of the app's `TokenVerifier`. */
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

/** Who submits: the token's subject (an application of the Préfecture) and its roles. */
export interface VerifiedProducer {
  readonly subject: string | undefined;
  readonly roles: readonly string[];
}

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

const invalid = (message: string, cause?: unknown) =>
  new IngestError(IngestErrorCode.InvalidToken, message, {}, 1, { cause });

/** Why jose refused a token, in words a client can act on; `undefined` if not the token's fault. */
function refusal(error: unknown): IngestError | undefined {
  if (error instanceof errors.JWTExpired) return invalid('the token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed)
    return invalid(`the token's "${error.claim}" claim is refused: ${error.reason}`, error);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalid('the token signature does not verify', error);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return invalid('the token is signed with an algorithm that is not accepted', error);
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalid('no key of the issuer matches the token', error);
  // The issuer's side failed, not the token: the caller answers 503.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return undefined;
  if (error instanceof errors.JOSEError) return invalid('the token is malformed', error);
  return undefined;
}

/**
 * Verifies producers' OAuth2 bearer tokens (JWT): signature with the issuer's key (a remote
 * JWKS, cached by jose, or one static SPKI public key), the configured algorithm only, `iss`,
 * `aud` when configured, `exp` required, `nbf`, with a small clock tolerance.
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

  /**
   * @throws IngestError InvalidToken (401) for a token that does not verify, InsufficientRole
   *   (403) for a valid one without the producer role, Unavailable (503) when the issuer's
   *   keys cannot be fetched.
   */
  async verify(token: string): Promise<VerifiedProducer> {
    let payload: JWTPayload;
    try {
      ({ payload } = await this.verifyJwt(token));
    } catch (error) {
      const refused = refusal(error);
      if (refused) throw refused;
      throw new IngestError(
        IngestErrorCode.Unavailable,
        'the issuer’s keys cannot be fetched to verify the token; retry',
        { retriable: true },
        1,
        { cause: error },
      );
    }
    const roles = rolesOf(payload);
    if (!roles.includes(PRODUCER_ROLE)) {
      throw new IngestError(
        IngestErrorCode.InsufficientRole,
        `the token lacks the '${PRODUCER_ROLE}' role`,
      );
    }
    return { subject: payload.sub, roles };
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header.
 * @throws IngestError InvalidToken (401) when the header is missing or not a bearer token.
 */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '');
  if (!match?.[1]) throw invalid('an Authorization: Bearer <token> header is required');
  return match[1];
}
