import { bearerToken, TokenRefusal, TokenVerifier } from '@app/auth';
import type { AuthConfig } from '@app/config';
import { IngestError, IngestErrorCode } from './ingest.error';

export { bearerToken, rolesOf } from '@app/auth';

/** The role a token must carry to submit. */
export const PRODUCER_ROLE = 'producer';

/** DI token of the app's `ProducerVerifier`. */
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

/** Who submits: the token's subject and client (an application of the Préfecture), its roles. */
export interface VerifiedProducer {
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  readonly roles: readonly string[];
}

/**
 * The producer a token speaks for: its client id (`azp`, else `client_id`: with Keycloak's
 * client-credentials grant the client, whose service account's subject is an opaque id), else
 * its subject.
 * @throws IngestError UnidentifiedProducer (403) when the token names neither.
 */
export function producerOf(verified: VerifiedProducer): string {
  const producer = verified.clientId ?? verified.subject;
  if (producer === undefined || producer === '') {
    throw new IngestError(
      IngestErrorCode.UnidentifiedProducer,
      'the token names no client (azp, client_id) nor subject (sub): its producer is unknown',
    );
  }
  return producer;
}

/** A refused token as the ingest API answers it. */
function ingestErrorOf(refusal: TokenRefusal): IngestError {
  return refusal.kind === 'invalid'
    ? new IngestError(IngestErrorCode.InvalidToken, refusal.message, {}, 1, { cause: refusal })
    : new IngestError(IngestErrorCode.Unavailable, refusal.message, { retriable: true }, 1, {
        cause: refusal,
      });
}

/** The platform's token verification (`@app/auth`), plus the producer role the ingest API needs. */
export class ProducerVerifier {
  private constructor(private readonly tokens: TokenVerifier) {}

  /** @throws Error when the static key does not import for the configured algorithm. */
  static async create(auth: AuthConfig): Promise<ProducerVerifier> {
    return new ProducerVerifier(await TokenVerifier.create(auth));
  }

  /**
   * @throws IngestError InvalidToken (401) for a token that does not verify, InsufficientRole
   *   (403) for a valid one without the producer role, Unavailable (503) when the issuer's
   *   keys cannot be fetched.
   */
  async verify(token: string): Promise<VerifiedProducer> {
    let verified;
    try {
      verified = await this.tokens.verify(token);
    } catch (error) {
      throw error instanceof TokenRefusal ? ingestErrorOf(error) : error;
    }
    if (!verified.roles.includes(PRODUCER_ROLE)) {
      throw new IngestError(
        IngestErrorCode.InsufficientRole,
        `the token lacks the '${PRODUCER_ROLE}' role`,
      );
    }
    return verified;
  }

  /** {@link bearerToken}, refused as the ingest API refuses a token. */
  static bearer(authorization: string | undefined): string {
    try {
      return bearerToken(authorization);
    } catch (error) {
      throw error instanceof TokenRefusal ? ingestErrorOf(error) : error;
    }
  }
}
