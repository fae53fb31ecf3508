import { userInfo } from 'node:os';
import { AuditLog, HabilitationStore, type Habilitation } from '@app/access';
import { loadConfig } from '@app/config';
import {
  createTestDatabase,
  runCortege,
  tamperAudit,
  type CliRun as Run,
  type TestDatabase,
} from '@app/testing';
import { Pool } from 'pg';

const config = loadConfig();

/** `cortege <args>` as an operator runs it, against `databaseUrl`. */
const cortege = (databaseUrl: string, ...args: string[]): Promise<Run> =>
  runCortege({ DATABASE_URL: databaseUrl }, args);

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('cortege habilitation and cortege audit, as processes', () => {
  let database: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    database = await createTestDatabase(config);
    pool = new Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  /** `cortege` with `words` (split on spaces) then `more` (kept whole), on the test's database. */
  const cli = (words: string, ...more: string[]) =>
    cortege(database.url, ...words.split(' '), ...more);

  it('says to migrate first on a database without the schema', async () => {
    const run = await cli('habilitation list');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^cortege habilitation list: relation "habilitation" does not exist in the database of DATABASE_URL; run 'cortege db migrate' first/,
    );
    expect((await cli('db migrate')).code).toBe(0);
    // The migration is the audit's first record, with the operator who ran it.
    const { rows } = await pool.query<{ principal: string; method: string; route: string }>(
      `SELECT principal, method, route FROM access_audit ORDER BY id`,
    );
    expect(rows).toEqual([
      { principal: `cli:${userInfo().username}`, method: 'CLI', route: 'cortege db migrate' },
    ]);
  });

  it('habilitates the first admin, refuses a second grant, revokes, lists', async () => {
    const reason = 'Mise en service, demandée par M. Martin';
    const grant = await cli(
      'habilitation grant --subject auth0|first-admin --role admin --reason',
      reason,
    );
    expect(grant).toMatchObject({ code: 0, stderr: '' });
    const [admin] = lines(grant.stdout) as unknown as Habilitation[];
    expect(admin).toMatchObject({
      subject: 'auth0|first-admin',
      role: 'admin',
      reason: 'Mise en service, demandée par [NAME]',
      grantedBy: `cli:${userInfo().username}`,
      validUntil: null,
      active: true,
    });
    const store = new HabilitationStore(pool);
    expect(await store.activeRoles('auth0|first-admin')).toEqual(['admin']);

    const [again, badRole, analyst] = await Promise.all([
      cli('habilitation grant --subject auth0|first-admin --role admin --reason again'),
      cli('habilitation grant --subject x --role root --reason r'),
      cli(
        'habilitation grant --subject kc-7f3a --role analyst --reason étude --until 2099-01-01T00:00:00+01:00 --by auth0|first-admin',
      ),
    ]);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `cortege habilitation grant: subject auth0|first-admin already holds an active 'admin' habilitation (id ${admin!.id}); revoke it first\n`,
    });
    expect(badRole).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'cortege habilitation grant: role: "root" is not a role; expected one of analyst, prefecture-viewer, admin\n',
    });
    expect(analyst.code).toBe(0);
    const [granted] = lines(analyst.stdout);
    expect(granted).toMatchObject({
      subject: 'kc-7f3a',
      grantedBy: 'auth0|first-admin',
      validUntil: '2098-12-31T23:00:00.000Z',
      active: true,
    });

    const listed = await cli('habilitation list --active');
    expect(listed.code).toBe(0);
    expect(lines(listed.stdout).map((h) => [h.subject, h.role])).toEqual([
      ['auth0|first-admin', 'admin'],
      ['kc-7f3a', 'analyst'],
    ]);

    const revoke = await cli(`habilitation revoke ${String(granted!.id)} --reason fin`);
    expect(revoke.code).toBe(0);
    expect(lines(revoke.stdout)[0]).toMatchObject({ active: false, revokeReason: 'fin' });
    expect(await store.activeRoles('kc-7f3a')).toEqual([]);

    const [twice, unknown, bySubject] = await Promise.all([
      cli(`habilitation revoke ${String(granted!.id)} --reason fin`),
      cli('habilitation revoke 424242 --reason x'),
      cli('habilitation list --subject kc-7f3a'),
    ]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(
      /^cortege habilitation revoke: habilitation \d+ was already revoked at /,
    );
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cortege habilitation revoke: no habilitation has the id "424242"\n',
    });
    expect(lines(bySubject.stdout).map((h) => h.active)).toEqual([false]);

    // The changes made (not the refusals) are in the access audit, with the operator, and
    // without the reasons' free text.
    const { rows } = await pool.query<{ principal: string; route: string; params: string }>(
      `SELECT principal, route, params FROM access_audit WHERE method = 'CLI' ORDER BY id`,
    );
    const operator = `cli:${userInfo().username}`;
    expect(rows).toEqual([
      { principal: operator, route: 'cortege db migrate', params: expect.any(String) as string },
      {
        principal: operator,
        route: 'cortege habilitation grant',
        params: JSON.stringify({ subject: 'auth0|first-admin', role: 'admin' }),
      },
      {
        principal: operator,
        route: 'cortege habilitation grant',
        params: JSON.stringify({ subject: 'kc-7f3a', role: 'analyst' }),
      },
      {
        principal: operator,
        route: 'cortege habilitation revoke',
        params: JSON.stringify({ id: String(granted!.id) }),
      },
    ]);
    expect(rows.some((r) => r.params.includes('Martin'))).toBe(false);
  });

  it('verifies the audit, with and without an expected head, exports it, and finds tampering', async () => {
    const audit = new AuditLog(pool);
    const appended = [];
    for (let n = 0; n < 5; n += 1) {
      appended.push(
        await audit.append({
          principal: 'kc-7f3a',
          role: 'analyst',
          method: 'GET',
          route: '/collections/{collectionId}/items',
          params: { collectionId: 'zones', limit: n },
          status: 200,
          rows: n,
          durationMs: 12,
        }),
      );
    }
    const head = appended[4]!;
    const [verify, verifyHead, exported, future, badSince] = await Promise.all([
      cli('audit verify'),
      cli(`audit verify --expect-head ${head.id}:${head.hash}`),
      cli('audit export --since 2000-01-01T00:00:00Z'),
      cli('audit export --since 2999-01-01T00:00:00+02:00'),
      cli('audit export --since', '2026-05-01 10:00'),
    ]);
    expect(verify.code).toBe(0);
    // The four operations of the tests above, then the five rows appended here.
    expect(JSON.parse(verify.stdout)).toEqual({ ok: true, rows: 9, head });
    expect(verifyHead.code).toBe(0);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe('audit: 9 records since 2000-01-01T00:00:00.000Z\n');
    const records = lines(exported.stdout);
    expect(records.slice(0, 4).map((r) => r.method)).toEqual(['CLI', 'CLI', 'CLI', 'CLI']);
    expect(records.slice(4).map((r) => [r.id, r.hash])).toEqual(
      appended.map((a) => [a.id, a.hash]),
    );
    expect(records[6]).toMatchObject({
      params: { collectionId: 'zones', limit: 2 },
      durationMs: 12,
    });
    expect(future).toMatchObject({ code: 0, stdout: '' });
    expect(badSince).toMatchObject({ code: 2, stdout: '' });
    expect(badSince.stderr).toMatch(
      /^cortege audit: --since: "2026-05-01 10:00" is not an RFC 3339 date-time/,
    );

    await tamperAudit(database.url, `UPDATE access_audit SET rows = 42 WHERE id = 3`);
    const [broken, wrongHead] = await Promise.all([
      cli('audit verify'),
      cli(`audit verify --expect-head 2:${'0'.repeat(64)}`),
    ]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toEqual({
      ok: false,
      rows: 2,
      brokenAt: '3',
      reason: 'row 3: its hash does not match its contents (a field was changed)',
    });
    expect(wrongHead.code).toBe(1);
    expect(JSON.parse(wrongHead.stdout)).toMatchObject({ ok: false, rows: 1, brokenAt: '2' });
  });

  it('shows the commands and their help', async () => {
    const [help, auditHelp, grantHelp] = await Promise.all([
      cli('--help'),
      cli('audit --help'),
      cli('habilitation grant --help'),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\n {2}habilitation {2}grant, revoke, list /);
    expect(help.stdout).toMatch(/\n {2}audit {9}verify the access audit's hash chain/);
    expect(auditHelp.code).toBe(0);
    expect(auditHelp.stdout).toMatch(/^usage: cortege audit verify \[--expect-head ID:HASH\]/);
    expect(grantHelp.code).toBe(0);
    expect(grantHelp.stdout).toMatch(/^usage: cortege habilitation grant --subject S/);
  });
});
