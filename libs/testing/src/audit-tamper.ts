import { Client } from 'pg';

/**
 * Runs `statements` on `databaseUrl` as someone able to get round the access audit's
 * protections would: the migrating role (CREATEROLE) makes itself a member of the audit's
 * owner, becomes it, disables the table's triggers, changes rows, then puts everything back
 * (triggers, role, membership) in the same transaction. What `AuditLog.verify` must detect.
 */
export async function tamperAudit(databaseUrl: string, ...statements: string[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('GRANT cortege_audit_owner TO CURRENT_USER');
    await client.query('SET LOCAL ROLE cortege_audit_owner');
    await client.query('ALTER TABLE access_audit DISABLE TRIGGER USER');
    for (const sql of statements) await client.query(sql);
    await client.query('ALTER TABLE access_audit ENABLE TRIGGER USER');
    await client.query('RESET ROLE');
    await client.query('REVOKE cortege_audit_owner FROM CURRENT_USER');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
}
