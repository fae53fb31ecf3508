import type { Pool, PoolClient } from 'pg';
import { AccessError } from './access.error';
import { ACCESS_ROLES, isAccessRole, type AccessRole } from './access-role';
import type { GrantInput, Habilitation, HabilitationFilter, RevokeInput } from './habilitation';
import {
  checkRole,
  checkSubject,
  checkUntil,
  scrubReason,
  SUBJECT_MAX_LENGTH,
} from './habilitation.rules';

const ACTIVE = `revoked_at IS NULL AND (valid_until IS NULL OR valid_until > now())`;

const COLUMNS = `id::text, subject, role, reason, granted_by, granted_at, valid_until, revoked_at,
  revoked_by, revoke_reason, (${ACTIVE}) AS active`;

interface HabilitationRow {
  id: string;
  subject: string;
  role: string;
  reason: string;
  granted_by: string;
  granted_at: Date;
  valid_until: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  active: boolean;
}

/** A habilitation id is a positive bigint written in decimal. */
const ID = /^[1-9]\d{0,18}$/;

/**
 * The habilitations in PostgreSQL (`habilitation`, see the migration
 * AccessHabilitationAudit1764600000000). Nothing is cached: a grant or a revocation holds from
 * the next call on, in every process.
 */
export class HabilitationStore {
  constructor(private readonly pool: Pool) {}

  /**
   * The roles `subject` holds an active habilitation for now (granted, not revoked, not
   * expired), in `ACCESS_ROLES` order. One indexed query, no cache: a revocation takes effect
   * on the next request. A string that cannot be a subject holds none.
   */
  async activeRoles(subject: string): Promise<AccessRole[]> {
    if (subject === '' || subject.length > SUBJECT_MAX_LENGTH || subject.includes('\0')) return [];
    const { rows } = await this.pool.query<{ role: string }>(
      `SELECT role FROM habilitation WHERE subject = $1 AND ${ACTIVE}`,
      [subject],
    );
    return ACCESS_ROLES.filter((role) => rows.some((row) => row.role === role));
  }

  /**
   * Grants `role` to `subject`. The reason is scrubbed of personal data before it is stored. A
   * habilitation of that subject and role that expired without being revoked is closed first
   * (revoked now by `grantedBy`, "expired; superseded by a new grant").
   * @throws AccessError `invalid_subject` (subject or grantedBy), `invalid_role`,
   *   `invalid_reason`, `invalid_until`, `already_granted` (an active one exists).
   */
  async grant(input: GrantInput): Promise<Habilitation> {
    const subject = checkSubject(input.subject, 'subject');
    const role = checkRole(input.role);
    const reason = scrubReason(input.reason, 'reason');
    const grantedBy = checkSubject(input.grantedBy, 'grantedBy');
    const validUntil = checkUntil(input.validUntil, new Date());
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE habilitation
            SET revoked_at = now(), revoked_by = $3, revoke_reason = 'expired; superseded by a new grant'
          WHERE subject = $1 AND role = $2 AND revoked_at IS NULL AND valid_until <= now()`,
        [subject, role, grantedBy],
      );
      const { rows } = await client.query<HabilitationRow>(
        `INSERT INTO habilitation (subject, role, reason, granted_by, valid_until)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [subject, role, reason, grantedBy, validUntil],
      );
      await client.query('COMMIT');
      return habilitationOf(rows[0]!);
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError;
        throw error;
      }
      throw await grantRefusal(client, error, subject, role);
    } finally {
      // A connection that could not roll back is discarded, not handed to the next caller.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * Revokes habilitation `id` now.
   * @throws AccessError `not_found`, `already_revoked`, `invalid_subject` (revokedBy),
   *   `invalid_reason`.
   */
  async revoke(id: string, input: RevokeInput): Promise<Habilitation> {
    const revokedBy = checkSubject(input.revokedBy, 'revokedBy');
    const reason = scrubReason(input.reason, 'reason');
    if (!ID.test(id)) throw notFound(id);
    const { rows } = await this.pool.query<HabilitationRow>(
      `UPDATE habilitation SET revoked_at = now(), revoked_by = $2, revoke_reason = $3
        WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [id, revokedBy, reason],
    );
    if (rows[0]) return habilitationOf(rows[0]);
    const existing = await this.get(id);
    if (existing === undefined) throw notFound(id);
    throw new AccessError(
      'already_revoked',
      `habilitation ${id} was already revoked at ${existing.revokedAt?.toISOString()} by ${existing.revokedBy}`,
      'id',
    );
  }

  /** Habilitations, oldest first; of one subject, or only the active ones, when asked. */
  async list(filter: HabilitationFilter = {}): Promise<Habilitation[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.subject !== undefined) {
      values.push(filter.subject);
      where.push(`subject = $${values.length}`);
    }
    if (filter.activeOnly) where.push(ACTIVE);
    const { rows } = await this.pool.query<HabilitationRow>(
      `SELECT ${COLUMNS} FROM habilitation h ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY h.id`,
      values,
    );
    return rows.map(habilitationOf);
  }

  /** The habilitation `id`, or undefined when there is none. */
  async get(id: string): Promise<Habilitation | undefined> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.pool.query<HabilitationRow>(
      `SELECT ${COLUMNS} FROM habilitation WHERE id = $1`,
      [id],
    );
    return rows[0] ? habilitationOf(rows[0]) : undefined;
  }
}

function notFound(id: string): AccessError {
  return new AccessError('not_found', `no habilitation has the id ${JSON.stringify(id)}`, 'id');
}

function habilitationOf(row: HabilitationRow): Habilitation {
  // The table's CHECK holds the role to ACCESS_ROLES.
  if (!isAccessRole(row.role)) throw new Error(`habilitation ${row.id}: unknown role ${row.role}`);
  return {
    id: row.id,
    subject: row.subject,
    role: row.role,
    reason: row.reason,
    grantedBy: row.granted_by,
    grantedAt: row.granted_at,
    validUntil: row.valid_until,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
    active: row.active,
  };
}

/** The AccessError a failed grant stands for, or the error itself when it is not one. */
async function grantRefusal(
  client: PoolClient,
  error: unknown,
  subject: string,
  role: AccessRole,
): Promise<unknown> {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'habilitation_one_active') {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id::text FROM habilitation WHERE subject = $1 AND role = $2 AND revoked_at IS NULL`,
      [subject, role],
    );
    const current = rows[0] ? ` (id ${rows[0].id})` : '';
    return new AccessError(
      'already_granted',
      `subject ${subject} already holds an active '${role}' habilitation${current}; revoke it first`,
    );
  }
  if (code === '23514' && constraint === 'habilitation_until_after_grant') {
    return new AccessError('invalid_until', 'validUntil: not after the grant', 'validUntil');
  }
  return error;
}
