import type { AccessRole } from './access-role';

/** A role granted to a token subject, as stored in `habilitation`. */
export interface Habilitation {
  id: string;
  /** The token's opaque subject, never a name. */
  subject: string;
  role: AccessRole;
  /** Why it was granted, scrubbed of personal data. */
  reason: string;
  grantedBy: string;
  grantedAt: Date;
  /** Null: until revoked. */
  validUntil: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
  /** Not revoked and not expired, by the database's clock at the time of the read. */
  active: boolean;
}

export interface GrantInput {
  subject: string;
  role: AccessRole;
  reason: string;
  /** Who grants it: a token subject, or `cli:<user>`. */
  grantedBy: string;
  validUntil?: Date | null;
}

export interface RevokeInput {
  revokedBy: string;
  reason: string;
}

export interface HabilitationFilter {
  subject?: string;
  /** Only those neither revoked nor expired. */
  activeOnly?: boolean;
}
