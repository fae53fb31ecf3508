import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The NOLOGIN role that owns `access_audit`: no application role can change what it holds. */
const AUDIT_OWNER = 'cortege_audit_owner';

/**
 * Who may read the analysts' data, and who read it:
 * - `habilitation`: the roles granted to token subjects (opaque ids, never names), with the
 *   reason, who granted it, until when, and its revocation. At most one habilitation per
 *   (subject, role) is not revoked; the same partial index serves the lookup of a subject's
 *   active roles on every request.
 * - `access_audit` (unused until now, replaced): one row per request, hash-chained. A BEFORE
 *   INSERT trigger serialises appenders (a transaction-scoped advisory lock), numbers the row
 *   right after the last one (no gaps), stamps it and computes its hash from its canonical
 *   text and the previous row's hash, so an append is one round trip and no client chooses
 *   those columns. The table belongs to `cortege_audit_owner` (NOLOGIN); the application role
 *   may only INSERT and SELECT, and triggers refuse UPDATE, DELETE and TRUNCATE to the owner
 *   too. Whoever disables the triggers to rewrite rows breaks the chain, which
 *   `AuditLog.verify` (libs/access) recomputes in Node.
 * Analysts' `cortege_analyst` gets nothing on either table.
 */
export class AccessHabilitationAudit1764600000000 implements MigrationInterface {
  name = 'AccessHabilitationAudit1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE habilitation (
        id bigserial PRIMARY KEY,
        subject text NOT NULL CHECK (subject <> ''),
        role text NOT NULL CHECK (role IN ('analyst','prefecture-viewer','admin')),
        reason text NOT NULL CHECK (btrim(reason) <> ''),
        granted_by text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        valid_until timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        revoke_reason text,
        CONSTRAINT habilitation_until_after_grant CHECK (valid_until > granted_at),
        CONSTRAINT habilitation_revocation_complete CHECK (
          (revoked_at IS NULL) = (revoked_by IS NULL) AND (revoked_at IS NULL) = (revoke_reason IS NULL))
      )`);
    // One index for both rules: at most one habilitation per (subject, role) is not revoked,
    // and a subject's active roles are read from it alone (valid_until included).
    await q.query(`
      CREATE UNIQUE INDEX habilitation_one_active ON habilitation (subject, role)
        INCLUDE (valid_until) WHERE revoked_at IS NULL`);

    await q.query(`DROP TABLE access_audit`);
    await q.query(`
      CREATE TABLE access_audit (
        id bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        principal text NOT NULL,
        role text NOT NULL,
        method text NOT NULL,
        route text NOT NULL,
        params text NOT NULL,
        status integer NOT NULL,
        rows integer NOT NULL CHECK (rows >= 0),
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX access_audit_at ON access_audit (at)`);
    // The text a row's hash is computed from; libs/access (auditCanonicalText) builds the same
    // one in Node. U+001F separates the fields, and the chain trigger refuses it inside them.
    await q.query(`
      CREATE FUNCTION access_audit_canonical_text(
        id bigint, at timestamptz, principal text, role text, method text, route text,
        params text, status integer, rows integer, duration_ms integer, prev_hash text)
      RETURNS text LANGUAGE sql STABLE AS $fn$
        SELECT concat_ws(chr(31), $1::text,
                         to_char($2 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                         $3, $4, $5, $6, $7, $8::text, $9::text, $10::text, $11)
      $fn$`);
    await q.query(`
      CREATE FUNCTION access_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        last_id bigint;
        last_hash text;
      BEGIN
        IF strpos(concat(NEW.principal, NEW.role, NEW.method, NEW.route, NEW.params), chr(31)) > 0 THEN
          RAISE EXCEPTION 'access_audit: a field holds U+001F, the separator of the hash chain'
            USING ERRCODE = 'check_violation';
        END IF;
        -- Held until commit: the next appender reads this row as the last one.
        PERFORM pg_advisory_xact_lock(hashtext('cortege.access_audit'));
        SELECT a.id, a.hash INTO last_id, last_hash FROM access_audit a ORDER BY a.id DESC LIMIT 1;
        NEW.id := coalesce(last_id, 0) + 1;
        -- Milliseconds: what a JavaScript Date holds, so a record read back rebuilds its text.
        NEW.at := date_trunc('milliseconds', clock_timestamp());
        NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
        NEW.hash := encode(sha256(convert_to(access_audit_canonical_text(
          NEW.id, NEW.at, NEW.principal, NEW.role, NEW.method, NEW.route, NEW.params,
          NEW.status, NEW.rows, NEW.duration_ms, NEW.prev_hash), 'UTF8')), 'hex');
        RETURN NEW;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION access_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'access_audit is append-only: % refused', TG_OP
          USING HINT = 'rows are only ever inserted; check the chain with cortege audit verify';
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER access_audit_chain BEFORE INSERT ON access_audit
        FOR EACH ROW EXECUTE FUNCTION access_audit_chain()`);
    await q.query(`
      CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_audit
        FOR EACH STATEMENT EXECUTE FUNCTION access_audit_refuse_change()`);

    // Roles are cluster-wide and many databases share a cluster: another migration may be
    // creating it at this very moment (it then commits first and ours is a duplicate).
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${AUDIT_OWNER}') THEN
          CREATE ROLE ${AUDIT_OWNER} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await asMemberOfAuditOwner(q, async () => {
      // The new owner of a table needs CREATE on its schema at the moment it receives it.
      const schemaGrant: unknown = await q.query(
        `SELECT NOT has_schema_privilege('${AUDIT_OWNER}', current_schema(), 'CREATE') AS needed, quote_ident(current_schema()) AS schema`,
      );
      const { needed, schema } = (schemaGrant as { needed: boolean; schema: string }[])[0]!;
      if (needed) await q.query(`GRANT CREATE ON SCHEMA ${schema} TO ${AUDIT_OWNER}`);
      await q.query(`ALTER TABLE access_audit OWNER TO ${AUDIT_OWNER}`);
      for (const fn of AUDIT_FUNCTIONS)
        await q.query(`ALTER FUNCTION ${fn} OWNER TO ${AUDIT_OWNER}`);
      if (needed) await q.query(`REVOKE CREATE ON SCHEMA ${schema} FROM ${AUDIT_OWNER}`);
      await q.query(`GRANT SELECT, INSERT ON access_audit TO CURRENT_USER`);
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await asMemberOfAuditOwner(q, async () => {
      await q.query(`DROP TABLE access_audit`);
      for (const fn of AUDIT_FUNCTIONS) await q.query(`DROP FUNCTION ${fn}`);
    });
    // The role stays: other databases of the cluster may hold tables it owns.
    await q.query(`
      CREATE TABLE access_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        principal text NOT NULL,
        action text NOT NULL,
        resource text NOT NULL
      )`);
    await q.query(`DROP TABLE habilitation`);
  }
}

const AUDIT_FUNCTIONS = [
  'access_audit_chain()',
  'access_audit_refuse_change()',
  'access_audit_canonical_text(bigint, timestamptz, text, text, text, text, text, integer, integer, integer, text)',
];

/**
 * Runs `work` with the migrating role a member of the audit owner, as PostgreSQL requires to
 * give it objects or drop them; the role has CREATEROLE, which lets it grant that membership
 * (PostgreSQL 15), and it is revoked again in the same transaction. Another database's
 * migration granting it meanwhile waits on the membership row until this one commits, so
 * neither revokes the other's. A role that already was a member (or a superuser) stays as it was.
 */
async function asMemberOfAuditOwner(q: QueryRunner, work: () => Promise<void>): Promise<void> {
  const answer: unknown = await q.query(
    `SELECT pg_has_role(CURRENT_USER, '${AUDIT_OWNER}', 'MEMBER') AS member`,
  );
  const alreadyMember = (answer as { member: boolean }[])[0]?.member === true;
  if (!alreadyMember) await q.query(`GRANT ${AUDIT_OWNER} TO CURRENT_USER`);
  await work();
  if (!alreadyMember) await q.query(`REVOKE ${AUDIT_OWNER} FROM CURRENT_USER`);
}
