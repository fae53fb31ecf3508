import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import {
  asAnalyst,
  createTestDatabase,
  tamperAudit,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import { Client, Pool } from 'pg';
import { AUDIT_GENESIS_HASH, auditCanonicalText, auditHash } from './audit-chain';
import { AuditLog, type AuditEntry, type AuditRecord } from './audit-log';

const config = loadConfig();

const entry = (n: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  principal: `sub-${n % 3}`,
  role: 'analyst',
  method: 'GET',
  route: '/collections/{collectionId}/items',
  params: { collectionId: 'zones', limit: n },
  status: 200,
  rows: n,
  durationMs: 3.4,
  ...over,
});

/** The stored rows with `at` in epoch microseconds, as the chain covers them. */
async function storedRows(pool: Pool) {
  const { rows } = await pool.query<{
    id: string;
    at_us: string;
    principal: string;
    role: string;
    method: string;
    route: string;
    params: string;
    status: number;
    rows: number;
    duration_ms: number;
    prev_hash: string;
    hash: string;
    db_text: string;
  }>(
    `SELECT id::text, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us, principal, role,
            method, route, params, status, rows, duration_ms, prev_hash, hash,
            access_audit_canonical_text(id, at, principal, role, method, route, params, status,
                                        rows, duration_ms, prev_hash) AS db_text
       FROM access_audit a ORDER BY a.id`,
  );
  return rows.map((row) => ({
    ...row,
    fields: {
      id: row.id,
      atMicros: BigInt(row.at_us),
      principal: row.principal,
      role: row.role,
      method: row.method,
      route: row.route,
      params: row.params,
      status: row.status,
      rows: row.rows,
      durationMs: row.duration_ms,
      prevHash: row.prev_hash,
    },
  }));
}

/** What `promise` was refused with: its message, or 'allowed'. */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (error: Error) => error.message,
  );

describe('the access audit (hash-chained, append-only)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let audit: AuditLog;
  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 4 });
    // A connection the server ends (the database dropped at the end) must not crash the run.
    pool.on('error', () => undefined);
    audit = new AuditLog(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  /** Empties the chain (as its owner) and appends `count` entries one after the other. */
  async function freshChain(count: number): Promise<{ id: string; hash: string }[]> {
    await tamperAudit(database.url, 'TRUNCATE access_audit');
    const appended = [];
    for (let n = 1; n <= count; n += 1) appended.push(await audit.append(entry(n)));
    return appended;
  }

  it('chains 200 appends from 8 concurrent clients: ids 1..200 without a gap, verify ok', async () => {
    await freshChain(0);
    const clients = Array.from({ length: 8 }, () => {
      const own = new Pool({ connectionString: database.url, max: 1 });
      own.on('error', () => undefined);
      return { pool: own, log: new AuditLog(own) };
    });
    try {
      const appended = await Promise.all(
        clients.map(async ({ log }, c) => {
          const mine = [];
          for (let i = 0; i < 25; i += 1) mine.push(await log.append(entry(c * 25 + i)));
          return mine;
        }),
      );
      const ids = appended
        .flat()
        .map((a) => Number(a.id))
        .sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    } finally {
      await Promise.all(clients.map(({ pool: own }) => own.end()));
    }
    const rows = await storedRows(pool);
    expect(rows[0]!.prev_hash).toBe(AUDIT_GENESIS_HASH);
    expect(rows.slice(1).every((row, i) => row.prev_hash === rows[i]!.hash)).toBe(true);
    const last = rows[199]!;
    expect(await audit.verify()).toEqual({
      ok: true,
      rows: 200,
      head: { id: '200', hash: last.hash },
    });
    expect(await audit.verify({ expectHead: { id: '57', hash: rows[56]!.hash } })).toEqual({
      ok: true,
      rows: 200,
      head: { id: '200', hash: last.hash },
    });
  });

  it('builds in Node the very text and hash the database built, odd characters included', async () => {
    await freshChain(0);
    await audit.append(entry(1));
    await audit.append(
      entry(2, {
        principal: 'auth0|5f7c\u001fbad\u0000',
        role: '-',
        method: 'POST',
        route: '/collections/{collectionId}/items/{featureId}',
        params: { q: 'Réformés – Canebière "quoted" \\ \n ✓ 🚩', sep: '\u001f', nul: '\u0000' },
        status: 404,
        rows: 0,
        durationMs: 1234.56,
      }),
    );
    const rows = await storedRows(pool);
    expect(rows.map((row) => auditCanonicalText(row.fields))).toEqual(rows.map((r) => r.db_text));
    expect(rows.map((row) => auditHash(row.fields))).toEqual(rows.map((r) => r.hash));
    expect(rows[1]).toMatchObject({
      principal: 'auth0|5f7c\\u001fbad\\u0000',
      params: JSON.stringify({
        q: 'Réformés – Canebière "quoted" \\ \n ✓ 🚩',
        sep: '\u001f',
        nul: '\u0000',
      }),
      duration_ms: 1235,
    });
    expect(rows[1]!.db_text.split('\u001f')).toHaveLength(11);
  });

  it('refuses U+001F in a field written around AuditLog', async () => {
    expect(
      await refusal(
        pool.query(
          `INSERT INTO access_audit (principal, role, method, route, params, status, rows, duration_ms)
           VALUES (chr(31), '-', 'GET', '/', '{}', 200, 0, 0)`,
        ),
      ),
    ).toBe('access_audit: a field holds U+001F, the separator of the hash chain');
  });

  it('numbers, stamps and chains a row itself, whatever the inserter gives', async () => {
    const [first] = await freshChain(1);
    const { rows } = await pool.query<{ id: string; at: Date; prev_hash: string; hash: string }>(
      `INSERT INTO access_audit (id, at, principal, role, method, route, params, status, rows, duration_ms, prev_hash, hash)
       VALUES (999, '2000-01-01', 'x', '-', 'GET', '/', '{}', 200, 0, 0, 'forged', 'forged')
       RETURNING id::text, at, prev_hash, hash`,
    );
    expect(rows[0]!.id).toBe('2');
    expect(rows[0]!.prev_hash).toBe(first!.hash);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Math.abs(rows[0]!.at.getTime() - Date.now())).toBeLessThan(60_000);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('leaves no gap behind an append that was rolled back', async () => {
    await freshChain(2);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO access_audit (principal, role, method, route, params, status, rows, duration_ms)
         VALUES ('x', '-', 'GET', '/', '{}', 200, 0, 0)`,
      );
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect((await audit.append(entry(3))).id).toBe('3');
    expect(await audit.verify()).toMatchObject({ ok: true, rows: 3 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the application role, and to the owner', async () => {
    await freshChain(2);
    const answers = [];
    for (const sql of [
      `UPDATE access_audit SET rows = 0`,
      `DELETE FROM access_audit`,
      `TRUNCATE access_audit`,
    ]) {
      answers.push(await refusal(pool.query(sql)));
    }
    expect(answers).toEqual([
      'permission denied for table access_audit',
      'permission denied for table access_audit',
      'permission denied for table access_audit',
    ]);
    // Whoever holds the owner's role still meets the triggers while they are enabled.
    const client = new Client({ connectionString: database.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const asOwner = [];
      for (const sql of [
        `UPDATE access_audit SET rows = 0`,
        `DELETE FROM access_audit`,
        `TRUNCATE access_audit`,
      ]) {
        await client.query('BEGIN');
        await client.query('GRANT cortege_audit_owner TO CURRENT_USER');
        await client.query('SET LOCAL ROLE cortege_audit_owner');
        asOwner.push(await refusal(client.query(sql)));
        await client.query('ROLLBACK');
      }
      expect(asOwner).toEqual([
        'access_audit is append-only: UPDATE refused',
        'access_audit is append-only: DELETE refused',
        'access_audit is append-only: TRUNCATE refused',
      ]);
    } finally {
      await client.end();
    }
    expect(await audit.verify()).toMatchObject({ ok: true, rows: 2 });
  });

  it('finds a changed field at its row', async () => {
    await freshChain(10);
    await tamperAudit(database.url, `UPDATE access_audit SET rows = 999 WHERE id = 4`);
    expect(await audit.verify()).toEqual({
      ok: false,
      rows: 3,
      brokenAt: '4',
      reason: 'row 4: its hash does not match its contents (a field was changed)',
    });
  });

  it('finds a time moved by one microsecond', async () => {
    await freshChain(10);
    await tamperAudit(
      database.url,
      `UPDATE access_audit SET at = at + interval '1 microsecond' WHERE id = 9`,
    );
    expect(await audit.verify()).toMatchObject({ ok: false, rows: 8, brokenAt: '9' });
  });

  it('finds a deleted row at the row after it', async () => {
    await freshChain(10);
    await tamperAudit(database.url, `DELETE FROM access_audit WHERE id = 4`);
    expect(await audit.verify()).toEqual({
      ok: false,
      rows: 3,
      brokenAt: '5',
      reason: 'row 5 follows row 3: row 4 is missing',
    });
    await tamperAudit(database.url, `DELETE FROM access_audit WHERE id <= 2`);
    expect(await audit.verify()).toEqual({
      ok: false,
      rows: 0,
      brokenAt: '3',
      reason: 'the chain starts at row 3: rows 1 to 2 are missing',
    });
  });

  it('finds a row rewritten with its hash recomputed at the link after it', async () => {
    await freshChain(10);
    await tamperAudit(database.url, `UPDATE access_audit SET status = 403 WHERE id = 4`);
    const row4 = (await storedRows(pool))[3]!;
    await tamperAudit(
      database.url,
      `UPDATE access_audit SET hash = '${auditHash(row4.fields)}' WHERE id = 4`,
    );
    expect(await audit.verify()).toEqual({
      ok: false,
      rows: 4,
      brokenAt: '5',
      reason:
        'row 5: prev_hash is not the hash of row 4 (row 4 was rewritten with a recomputed hash, or this link was)',
    });
  });

  it('finds with the expected head what the chain alone cannot: a rewritten or cut end', async () => {
    const appended = await freshChain(10);
    const head = appended[9]!;
    expect(await audit.verify({ expectHead: head })).toMatchObject({ ok: true, rows: 10 });
    // The last row rewritten, its hash recomputed: still a valid chain on its own.
    await tamperAudit(
      database.url,
      `UPDATE access_audit SET principal = 'someone-else' WHERE id = 10`,
    );
    const row10 = (await storedRows(pool))[9]!;
    await tamperAudit(
      database.url,
      `UPDATE access_audit SET hash = '${auditHash(row10.fields)}' WHERE id = 10`,
    );
    expect(await audit.verify()).toMatchObject({ ok: true, rows: 10 });
    expect(await audit.verify({ expectHead: head })).toEqual({
      ok: false,
      rows: 9,
      brokenAt: '10',
      reason: `row 10: its hash ${auditHash(row10.fields)} is not the expected head's ${head.hash}: the chain was rewritten at or before this row`,
    });
    // The last rows removed.
    await tamperAudit(database.url, `DELETE FROM access_audit WHERE id >= 8`);
    expect(await audit.verify()).toMatchObject({ ok: true, rows: 7 });
    expect(await audit.verify({ expectHead: head })).toEqual({
      ok: false,
      rows: 7,
      brokenAt: '10',
      reason:
        'the chain ends at row 7, before the expected head 10: rows were removed from its end',
    });
    await tamperAudit(database.url, `TRUNCATE access_audit`);
    expect(await audit.verify()).toEqual({ ok: true, rows: 0, head: null });
    expect(await audit.verify({ expectHead: head })).toMatchObject({ ok: false, brokenAt: '10' });
    await expect(audit.verify({ expectHead: { id: 'x', hash: head.hash } })).rejects.toThrow(
      RangeError,
    );
  });

  it('pages through the table: a small page size finds the same', async () => {
    await freshChain(10);
    const paged = new AuditLog(pool, { pageSize: 3 });
    expect(await paged.verify()).toEqual(await audit.verify());
    await tamperAudit(database.url, `UPDATE access_audit SET route = '/other' WHERE id = 7`);
    expect(await paged.verify()).toMatchObject({ ok: false, rows: 6, brokenAt: '7' });
    const exported: string[] = [];
    expect(await paged.export(new Date(0), (r) => void exported.push(r.id))).toBe(10);
    expect(exported).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('exports the records since a time, each one re-hashable from what it holds', async () => {
    await freshChain(3);
    const { rows } = await pool.query<{ at: Date }>(`SELECT max(at) AS at FROM access_audit`);
    const since = new Date(rows[0]!.at.getTime() + 1);
    await waitFor('the database clock past the first rows', async () => {
      const now = await pool.query<{ past: boolean }>('SELECT clock_timestamp() >= $1 AS past', [
        since,
      ]);
      return now.rows[0]!.past || undefined;
    });
    for (let n = 4; n <= 6; n += 1) await audit.append(entry(n, { role: 'admin' }));
    const records: AuditRecord[] = [];
    const count = await audit.export(since, async (record) => {
      await Promise.resolve();
      records.push(record);
    });
    expect(count).toBe(3);
    expect(records.map((r) => [r.id, r.role, r.rows, r.durationMs, r.params])).toEqual([
      ['4', 'admin', 4, 3, { collectionId: 'zones', limit: 4 }],
      ['5', 'admin', 5, 3, { collectionId: 'zones', limit: 5 }],
      ['6', 'admin', 6, 3, { collectionId: 'zones', limit: 6 }],
    ]);
    for (const r of records) {
      expect(r.at.getTime()).toBeGreaterThanOrEqual(since.getTime());
      const rehashed = auditHash({
        ...r,
        atMicros: BigInt(r.at.getTime()) * 1000n,
        params: JSON.stringify(r.params),
      });
      expect(rehashed).toBe(r.hash);
    }
    expect(records[0]!.prevHash).not.toBe(AUDIT_GENESIS_HASH);
    expect(await audit.export(new Date(Date.now() + 3_600_000), () => undefined)).toBe(0);
  });

  it('gives analysts nothing on the audit nor the habilitations', async () => {
    await asAnalyst(database.url, async (analyst) => {
      const answers = [];
      for (const sql of [
        `SELECT * FROM access_audit`,
        `INSERT INTO access_audit (principal, role, method, route, params, status, rows, duration_ms) VALUES ('x','-','GET','/','{}',200,0,0)`,
        `SELECT * FROM habilitation`,
        `INSERT INTO habilitation (subject, role, reason, granted_by) VALUES ('me', 'admin', 'x', 'me')`,
      ]) {
        answers.push(await refusal(analyst.query(sql)));
      }
      expect(answers).toEqual([
        'permission denied for table access_audit',
        'permission denied for table access_audit',
        'permission denied for table habilitation',
        'permission denied for table habilitation',
      ]);
    });
  });
});
