import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@app/testing';
import { Pool } from 'pg';
import { AccessError } from './access.error';
import { ACCESS_ROLES } from './access-role';
import { HabilitationStore } from './habilitation.store';

const config = loadConfig();

/** The code and field of the AccessError `promise` is refused with. */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    return error.field === undefined
      ? { code: error.code }
      : { code: error.code, field: error.field };
  }
  throw new Error('expected an AccessError');
}

describe('habilitations (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: HabilitationStore;
  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    store = new HabilitationStore(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const admin = 'cli:root';

  it('grants a role, which is active at once, with the reason scrubbed', async () => {
    const subject = uniqueName('sub');
    expect(await store.activeRoles(subject)).toEqual([]);
    const granted = await store.grant({
      subject,
      role: 'analyst',
      reason: 'Étude des cortèges pour M. Dupont (jean.dupont@example.org)',
      grantedBy: admin,
    });
    expect(granted).toMatchObject({
      subject,
      role: 'analyst',
      reason: 'Étude des cortèges pour [NAME] ([EMAIL])',
      grantedBy: admin,
      validUntil: null,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
      active: true,
    });
    expect(granted.id).toMatch(/^\d+$/);
    expect(Math.abs(granted.grantedAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await store.get(granted.id)).toEqual(granted);
    const { rows } = await pool.query<{ reason: string }>(
      'SELECT reason FROM habilitation WHERE id = $1',
      [granted.id],
    );
    expect(rows[0]!.reason).toBe('Étude des cortèges pour [NAME] ([EMAIL])');
    expect(await store.activeRoles(subject)).toEqual(['analyst']);
  });

  it('gives every role, each subject its own', async () => {
    const subject = uniqueName('sub');
    for (const role of [...ACCESS_ROLES].reverse()) {
      await store.grant({ subject, role, reason: 'all of them', grantedBy: admin });
    }
    expect(await store.activeRoles(subject)).toEqual(['analyst', 'prefecture-viewer', 'admin']);
    expect(await store.activeRoles(uniqueName('sub'))).toEqual([]);
    expect(await store.activeRoles('')).toEqual([]);
    expect(await store.activeRoles('a\u0000b')).toEqual([]);
  });

  it('refuses a second active grant of the same role to the same subject', async () => {
    const subject = uniqueName('sub');
    const first = await store.grant({ subject, role: 'admin', reason: 'first', grantedBy: admin });
    const error = await store
      .grant({ subject, role: 'admin', reason: 'again', grantedBy: admin })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessError);
    expect(error).toMatchObject({
      code: 'already_granted',
      field: undefined,
      message: `subject ${subject} already holds an active 'admin' habilitation (id ${first.id}); revoke it first`,
    });
    // Two at once: one wins, the other is refused.
    const other = uniqueName('sub');
    const outcomes = await Promise.allSettled([
      store.grant({ subject: other, role: 'admin', reason: 'one', grantedBy: admin }),
      store.grant({ subject: other, role: 'admin', reason: 'two', grantedBy: admin }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((o) => o.status === 'rejected');
    expect(lost?.status === 'rejected' && lost.reason).toMatchObject({ code: 'already_granted' });
    expect((await store.list({ subject: other })).length).toBe(1);
  });

  it('revokes: effective on the very next call, recorded, and only once', async () => {
    const subject = uniqueName('sub');
    const granted = await store.grant({
      subject,
      role: 'prefecture-viewer',
      reason: 'liaison',
      grantedBy: admin,
    });
    const revoked = await store.revoke(granted.id, {
      revokedBy: 'auth0|admin-1',
      reason: 'fin de mission, voir 06 12 34 56 78',
    });
    expect(revoked).toMatchObject({
      id: granted.id,
      revokedBy: 'auth0|admin-1',
      revokeReason: 'fin de mission, voir [PHONE]',
      active: false,
    });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await store.activeRoles(subject)).toEqual([]);
    expect(await refusal(store.revoke(granted.id, { revokedBy: admin, reason: 'again' }))).toEqual({
      code: 'already_revoked',
      field: 'id',
    });
    // A revoked habilitation does not block a new grant.
    const again = await store.grant({
      subject,
      role: 'prefecture-viewer',
      reason: 'nouvelle mission',
      grantedBy: admin,
    });
    expect(again.id).not.toBe(granted.id);
    expect(await store.activeRoles(subject)).toEqual(['prefecture-viewer']);
  });

  it('ends a habilitation at its validUntil, then lets it be granted anew', async () => {
    const subject = uniqueName('sub');
    const until = new Date(Date.now() + 1500);
    const granted = await store.grant({
      subject,
      role: 'analyst',
      reason: 'short',
      grantedBy: admin,
      validUntil: until,
    });
    expect(granted.validUntil).toEqual(until);
    expect(await store.activeRoles(subject)).toEqual(['analyst']);
    await waitFor(
      'the habilitation to expire',
      async () => ((await store.activeRoles(subject)).length === 0 ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect((await store.get(granted.id))?.active).toBe(false);
    expect(await store.list({ subject, activeOnly: true })).toEqual([]);
    // The expired one is closed by the new grant, which is active.
    const renewed = await store.grant({
      subject,
      role: 'analyst',
      reason: 'renewed',
      grantedBy: 'auth0|admin-2',
    });
    expect(await store.activeRoles(subject)).toEqual(['analyst']);
    expect(await store.get(granted.id)).toMatchObject({
      active: false,
      revokedBy: 'auth0|admin-2',
      revokeReason: 'expired; superseded by a new grant',
    });
    expect((await store.list({ subject })).map((h) => [h.id, h.active])).toEqual([
      [granted.id, false],
      [renewed.id, true],
    ]);
  });

  it('refuses bad input with the field named, before touching the table', async () => {
    const subject = uniqueName('sub');
    const ok = { subject, role: 'analyst' as const, reason: 'why', grantedBy: admin };
    expect(await refusal(store.grant({ ...ok, role: 'root' as never }))).toEqual({
      code: 'invalid_role',
      field: 'role',
    });
    expect(await refusal(store.grant({ ...ok, subject: 'Jean Dupont' }))).toEqual({
      code: 'invalid_subject',
      field: 'subject',
    });
    expect(await refusal(store.grant({ ...ok, grantedBy: '' }))).toEqual({
      code: 'invalid_subject',
      field: 'grantedBy',
    });
    expect(await refusal(store.grant({ ...ok, reason: '  ' }))).toEqual({
      code: 'invalid_reason',
      field: 'reason',
    });
    expect(await refusal(store.grant({ ...ok, validUntil: new Date(Date.now() - 1000) }))).toEqual({
      code: 'invalid_until',
      field: 'validUntil',
    });
    expect(await store.list({ subject })).toEqual([]);
  });

  it('answers not_found for an unknown id, and get() undefined', async () => {
    for (const id of ['999999999', 'abc', '', '-1']) {
      expect(await refusal(store.revoke(id, { revokedBy: admin, reason: 'x' }))).toEqual({
        code: 'not_found',
        field: 'id',
      });
      expect(await store.get(id)).toBeUndefined();
    }
  });

  it('lists oldest first, by subject, active only', async () => {
    const subject = uniqueName('sub');
    const a = await store.grant({ subject, role: 'analyst', reason: 'a', grantedBy: admin });
    const b = await store.grant({ subject, role: 'admin', reason: 'b', grantedBy: admin });
    await store.revoke(a.id, { revokedBy: admin, reason: 'done' });
    expect((await store.list({ subject })).map((h) => h.id)).toEqual([a.id, b.id]);
    expect((await store.list({ subject, activeOnly: true })).map((h) => h.id)).toEqual([b.id]);
    const all = await store.list();
    expect(all.map((h) => BigInt(h.id))).toEqual(
      all.map((h) => BigInt(h.id)).sort((x, y) => (x < y ? -1 : 1)),
    );
    expect(all.length).toBeGreaterThanOrEqual(2);
  });

  it('reads the active roles through the index', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT role FROM habilitation WHERE subject = 'x' AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > now())`,
      );
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/habilitation_one_active/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
