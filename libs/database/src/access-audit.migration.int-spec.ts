import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { createDataSource, migrate } from './data-source';

const config = loadConfig();
const MIGRATION = 'AccessHabilitationAudit1764600000000';

/** Runs `work` with a client on `url`, then closes it. */
async function withClient<T>(url: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** Who owns the audit and what the migrating role may do on it. */
async function auditPermissions(db: Client) {
  const { rows } = await db.query<{
    table_owner: string;
    function_owners: string[];
    privileges: string[];
    member: boolean;
    owner_can_login: boolean;
  }>(
    `SELECT (SELECT tableowner FROM pg_tables WHERE tablename = 'access_audit') AS table_owner,
            (SELECT array_agg(DISTINCT p.proowner::regrole::text) FROM pg_proc p
              WHERE p.proname LIKE 'access\\_audit\\_%') AS function_owners,
            ARRAY(SELECT privilege FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) AS privilege
                   WHERE has_table_privilege(CURRENT_USER, 'access_audit', privilege)) AS privileges,
            pg_has_role(CURRENT_USER, 'cortege_audit_owner', 'MEMBER') AS member,
            (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'cortege_audit_owner') AS owner_can_login`,
  );
  return rows[0];
}

async function columnsOf(db: Client, table: string): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

describe('the access migration (habilitation, append-only access_audit)', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('migrates several databases of one cluster at once, each audit owned by the NOLOGIN owner', async () => {
    for (let i = 0; i < 4; i += 1) databases.push(await createTestDatabase(config));
    const applied = await Promise.all(databases.map((d) => migrate(d.url)));
    expect(applied.map((names) => names.includes(MIGRATION))).toEqual([true, true, true, true]);
    for (const database of databases) {
      expect(await withClient(database.url, auditPermissions)).toEqual({
        table_owner: 'cortege_audit_owner',
        function_owners: ['cortege_audit_owner'],
        privileges: ['SELECT', 'INSERT'],
        member: false,
        owner_can_login: false,
      });
    }
  });

  it('goes down to the former access_audit and up again', async () => {
    const database = databases[0] ?? (await createTestDatabase(config));
    if (!databases.includes(database)) databases.push(database);
    await migrate(database.url);
    const source = await createDataSource(database.url).initialize();
    try {
      const executed = async () =>
        (await source.query<{ name: string }[]>(`SELECT name FROM schema_migration`)).map(
          (r) => r.name,
        );
      while ((await executed()).includes(MIGRATION)) {
        await source.undoLastMigration({ transaction: 'each' });
      }
    } finally {
      await source.destroy();
    }
    await withClient(database.url, async (db) => {
      expect(await columnsOf(db, 'access_audit')).toEqual([
        'id',
        'at',
        'principal',
        'action',
        'resource',
      ]);
      expect(await columnsOf(db, 'habilitation')).toEqual([]);
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE 'access\\_audit\\_%'`,
      );
      expect(rows[0]!.n).toBe(0);
      expect(
        (
          await db.query<{ member: boolean }>(
            `SELECT pg_has_role(CURRENT_USER, 'cortege_audit_owner', 'MEMBER') AS member`,
          )
        ).rows[0]!.member,
      ).toBe(false);
    });
    expect(await migrate(database.url)).toContain(MIGRATION);
    expect((await withClient(database.url, auditPermissions))?.table_owner).toBe(
      'cortege_audit_owner',
    );
  });
});
