import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema-change gate (issue #18, convention article 3): a new version of a contract is
 * first proposed (`schema_proposal`: its text, fingerprint, the Annex 1 changes, who proposed
 * it), then approved (`schema_approval`: the registry version it became, the date the
 * data-protection officer was informed, the impact study, the approver). The approver and the
 * proposer are operator identifiers (role accounts), never a person's name. The first stage
 * passes only records whose writer schema's fingerprint is approved.
 */
export class SchemaChangeGate1796630000000 implements MigrationInterface {
  name = 'SchemaChangeGate1796630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE schema_proposal (
         proposal_id bigserial PRIMARY KEY,
         subject text NOT NULL CHECK (subject <> ''),
         fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
         schema_text text NOT NULL,
         changes jsonb NOT NULL,
         proposer text NOT NULL CHECK (proposer <> ''),
         proposed_at timestamptz NOT NULL DEFAULT now(),
         UNIQUE (subject, fingerprint)
       )`,
    );
    await q.query(
      `CREATE TABLE schema_approval (
         approval_id bigserial PRIMARY KEY,
         proposal_id bigint NOT NULL REFERENCES schema_proposal,
         subject text NOT NULL,
         version int NOT NULL CHECK (version >= 1),
         registry_id int NOT NULL,
         fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
         dpo_informed_on date NOT NULL,
         impact_study_ref text NOT NULL CHECK (impact_study_ref <> ''),
         approver text NOT NULL CHECK (approver <> ''),
         approved_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    await q.query(`CREATE INDEX schema_approval_fingerprint ON schema_approval (fingerprint)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schema_approval`);
    await q.query(`DROP TABLE schema_proposal`);
  }
}
