import type { Pool } from 'pg';
import { Type } from 'avsc';
import {
  describeSchemaChange,
  schemaChanges,
  SOURCE_IDENTIFIER,
  type AvroJson,
  type SchemaChange,
} from '@app/contracts';
import { SUBJECT_COMPATIBILITY } from './avro-serde';
import type { RegistryClient } from './registry.client';
import { schemaFingerprint } from './schema-fingerprint';

/** Why the gate refused: the schema, the proposal asked for, or the approval's data. */
export enum SchemaGateErrorCode {
  Incompatible = 'incompatible',
  UnknownProposal = 'unknown_proposal',
  InvalidApproval = 'invalid_approval',
}

export class SchemaGateError extends Error {
  constructor(
    readonly code: SchemaGateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SchemaGateError';
  }
}

/** An impact study's reference: a letter or digit, then letters, digits and . _ : / - (≤ 128). */
export const IMPACT_STUDY_REF = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** What an approval states, as the operator gives it. */
export interface ApprovalInput {
  /** The day the data-protection officer was informed, `YYYY-MM-DD`. */
  readonly dpoInformedOn: string | undefined;
  readonly impactStudyRef: string | undefined;
  /** The approving operator's identifier (a role account, `SOURCE_IDENTIFIER`), never a name. */
  readonly approver: string | undefined;
}

export type Approval = { readonly [K in keyof ApprovalInput]: string };

/**
 * The approval's data checked: a real calendar day not after `today` (UTC), an impact-study
 * reference and an operator identifier. Every problem is listed.
 */
export function validateApproval(
  input: ApprovalInput,
  today: Date,
): { ok: true; approval: Approval } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const { dpoInformedOn: day, impactStudyRef: ref, approver } = input;
  if (day === undefined || day === '') problems.push('--dpo-informed-on is required (YYYY-MM-DD)');
  else {
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T00:00:00Z`) : undefined;
    if (
      parsed === undefined ||
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== day
    )
      problems.push(`--dpo-informed-on ${JSON.stringify(day)} is not a day (YYYY-MM-DD)`);
    else if (day > today.toISOString().slice(0, 10))
      problems.push(`--dpo-informed-on ${day} is in the future`);
  }
  if (ref === undefined || !IMPACT_STUDY_REF.test(ref))
    problems.push(
      `--impact-study ${ref === undefined ? 'is required' : `${JSON.stringify(ref)} is not a reference`} (a letter or digit, then at most 127 of A-Z a-z 0-9 . _ : / -)`,
    );
  if (approver === undefined || !SOURCE_IDENTIFIER.test(approver))
    problems.push(
      `--approver ${approver === undefined ? 'is required' : `${JSON.stringify(approver)} is not an operator identifier`} (a lower-case letter, then at most 63 of a-z 0-9 . _ -)`,
    );
  return problems.length > 0 || day === undefined || ref === undefined || approver === undefined
    ? { ok: false, problems }
    : { ok: true, approval: { dpoInformedOn: day, impactStudyRef: ref, approver } };
}

/** A stored proposal. */
export interface SchemaProposal {
  readonly id: number;
  readonly subject: string;
  readonly fingerprint: string;
  readonly changes: readonly SchemaChange[];
  readonly proposer: string;
  readonly proposedAt: string;
}

/** What `propose` found and stored. */
export interface ProposalOutcome extends SchemaProposal {
  /** The registry version compared against (the subject's latest); undefined: a first version. */
  readonly against: number | undefined;
  /** The fingerprint is already a version of the subject. */
  readonly alreadyRegistered: boolean;
}

/** A stored approval. */
export interface SchemaApprovalRecord extends Approval {
  readonly approvalId: number;
  readonly proposalId: number;
  readonly subject: string;
  readonly version: number;
  readonly registryId: number;
  readonly fingerprint: string;
  readonly approvedAt: string;
}

/** One version of a subject as `list` shows it, with its approval if any. */
export interface SubjectVersionStatus {
  readonly subject: string;
  readonly version: number;
  readonly registryId: number;
  readonly fingerprint: string;
  readonly approval: SchemaApprovalRecord | undefined;
}

interface ApprovalRow {
  approval_id: string;
  proposal_id: string;
  subject: string;
  version: number;
  registry_id: number;
  fingerprint: string;
  dpo_informed_on: string;
  impact_study_ref: string;
  approver: string;
  approved_at: Date;
}

const APPROVAL_COLUMNS = `approval_id, proposal_id, subject, version, registry_id, fingerprint,
  to_char(dpo_informed_on, 'YYYY-MM-DD') AS dpo_informed_on, impact_study_ref, approver, approved_at`;

const approvalOf = (r: ApprovalRow): SchemaApprovalRecord => ({
  approvalId: Number(r.approval_id),
  proposalId: Number(r.proposal_id),
  subject: r.subject,
  version: r.version,
  registryId: r.registry_id,
  fingerprint: r.fingerprint,
  dpoInformedOn: r.dpo_informed_on,
  impactStudyRef: r.impact_study_ref,
  approver: r.approver,
  approvedAt: r.approved_at.toISOString(),
});

/**
 * The schema-change gate (convention article 3; docs/adr/0006-schema-change-gate.md): a new
 * version of a contract's subject is proposed — checked against every registered version
 * under the project's compatibility, without registering, its changes named by Annex 1 item,
 * stored — then approved with the day the data-protection officer was informed, the impact
 * study and the approver: only then is it registered, and the approval stored.
 */
export class SchemaGate {
  constructor(
    private readonly pool: Pool,
    private readonly registry: RegistryClient,
  ) {}

  /**
   * Checks `schema` as the next version of `subject` and stores the proposal (the same
   * schema proposed again is the same proposal).
   * @throws SchemaGateError Incompatible naming each incompatibility.
   */
  async propose(subject: string, schema: object, proposer: string): Promise<ProposalOutcome> {
    const fingerprint = schemaFingerprint(schema);
    const versions = await this.registry.versions(subject);
    const latest = versions.at(-1);
    const changes =
      latest === undefined
        ? []
        : schemaChanges(JSON.parse(latest.schema) as AvroJson, schema as AvroJson);
    await this.checkCompatible(subject, schema, versions, changes);
    const { rows } = await this.pool.query<{
      proposal_id: string;
      proposer: string;
      proposed_at: Date;
      changes: SchemaChange[];
    }>(
      `WITH added AS (
         INSERT INTO schema_proposal (subject, fingerprint, schema_text, changes, proposer)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject, fingerprint) DO NOTHING
         RETURNING proposal_id, proposer, proposed_at, changes)
       SELECT * FROM added
       UNION ALL SELECT proposal_id, proposer, proposed_at, changes FROM schema_proposal
        WHERE subject = $1 AND fingerprint = $2`,
      [subject, fingerprint, JSON.stringify(schema), JSON.stringify(changes), proposer],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`the proposal of ${subject} was not stored`);
    return {
      id: Number(row.proposal_id),
      subject,
      fingerprint,
      changes,
      proposer: row.proposer,
      proposedAt: row.proposed_at.toISOString(),
      against: latest?.version,
      alreadyRegistered: versions.some((v) => schemaFingerprint(v.schema) === fingerprint),
    };
  }

  /**
   * Approves a stored proposal (by id, or by its fingerprint or a unique prefix of at least 8
   * of its characters): checks it again, sets the subject's compatibility, registers it and
   * records the approval. Approving a version already approved and registered returns that
   * approval.
   * @throws SchemaGateError UnknownProposal, or Incompatible.
   */
  async approve(
    reference: string,
    approval: Approval,
  ): Promise<{ record: SchemaApprovalRecord; already: boolean }> {
    const proposal = await this.findProposal(reference);
    const schema = JSON.parse(proposal.schemaText) as object;
    const existing = await this.registry.lookup(proposal.subject, schema);
    if (existing !== undefined) {
      const { rows } = await this.pool.query<ApprovalRow>(
        `SELECT ${APPROVAL_COLUMNS} FROM schema_approval
          WHERE subject = $1 AND fingerprint = $2 AND registry_id = $3 AND version = $4
          ORDER BY approval_id LIMIT 1`,
        [proposal.subject, proposal.fingerprint, existing.id, existing.version],
      );
      if (rows[0] !== undefined) return { record: approvalOf(rows[0]), already: true };
    } else {
      const versions = await this.registry.versions(proposal.subject);
      const latest = versions.at(-1);
      const changes =
        latest === undefined
          ? []
          : schemaChanges(JSON.parse(latest.schema) as AvroJson, schema as AvroJson);
      await this.checkCompatible(proposal.subject, schema, versions, changes);
    }
    await this.registry.setCompatibility(proposal.subject, SUBJECT_COMPATIBILITY);
    await this.registry.register(proposal.subject, schema, SUBJECT_COMPATIBILITY);
    const registered = await this.registry.lookup(proposal.subject, schema);
    if (registered === undefined)
      throw new Error(`${proposal.subject}: the schema just registered is not found`);
    const { rows } = await this.pool.query<ApprovalRow>(
      `INSERT INTO schema_approval (proposal_id, subject, version, registry_id, fingerprint,
                                    dpo_informed_on, impact_study_ref, approver)
       VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8) RETURNING ${APPROVAL_COLUMNS}`,
      [
        proposal.id,
        proposal.subject,
        registered.version,
        registered.id,
        proposal.fingerprint,
        approval.dpoInformedOn,
        approval.impactStudyRef,
        approval.approver,
      ],
    );
    return { record: approvalOf(rows[0] as ApprovalRow), already: false };
  }

  /** Every version of each of `subjects` in the registry, with its approval if any. */
  async list(subjects: readonly string[]): Promise<SubjectVersionStatus[]> {
    const listed: SubjectVersionStatus[] = [];
    for (const subject of subjects) {
      for (const version of await this.registry.versions(subject)) {
        const fingerprint = schemaFingerprint(version.schema);
        const { rows } = await this.pool.query<ApprovalRow>(
          `SELECT ${APPROVAL_COLUMNS} FROM schema_approval WHERE fingerprint = $1
            ORDER BY subject = $2 DESC, version = $3 DESC, approval_id LIMIT 1`,
          [fingerprint, subject, version.version],
        );
        listed.push({
          subject,
          version: version.version,
          registryId: version.id,
          fingerprint,
          approval: rows[0] === undefined ? undefined : approvalOf(rows[0]),
        });
      }
    }
    return listed;
  }

  /** The proposals not approved yet, oldest first. */
  async pending(): Promise<SchemaProposal[]> {
    const { rows } = await this.pool.query<{
      proposal_id: string;
      subject: string;
      fingerprint: string;
      changes: SchemaChange[];
      proposer: string;
      proposed_at: Date;
    }>(
      `SELECT p.proposal_id, p.subject, p.fingerprint, p.changes, p.proposer, p.proposed_at
         FROM schema_proposal p
        WHERE NOT EXISTS (SELECT 1 FROM schema_approval a WHERE a.proposal_id = p.proposal_id)
        ORDER BY p.proposal_id`,
    );
    return rows.map((r) => ({
      id: Number(r.proposal_id),
      subject: r.subject,
      fingerprint: r.fingerprint,
      changes: r.changes,
      proposer: r.proposer,
      proposedAt: r.proposed_at.toISOString(),
    }));
  }

  private async findProposal(
    reference: string,
  ): Promise<{ id: number; subject: string; fingerprint: string; schemaText: string }> {
    const byId = /^\d{1,15}$/.test(reference);
    if (!byId && !/^[0-9a-f]{8,64}$/.test(reference))
      throw new SchemaGateError(
        SchemaGateErrorCode.UnknownProposal,
        `${JSON.stringify(reference)} is neither a proposal id nor a fingerprint (at least 8 hexadecimal digits)`,
      );
    const { rows } = await this.pool.query<{
      proposal_id: string;
      subject: string;
      fingerprint: string;
      schema_text: string;
    }>(
      byId
        ? 'SELECT proposal_id, subject, fingerprint, schema_text FROM schema_proposal WHERE proposal_id = $1'
        : `SELECT proposal_id, subject, fingerprint, schema_text FROM schema_proposal
            WHERE starts_with(fingerprint, $1) ORDER BY proposal_id`,
      [reference],
    );
    if (rows.length !== 1) {
      throw new SchemaGateError(
        SchemaGateErrorCode.UnknownProposal,
        rows.length === 0
          ? `no proposal ${reference}: propose the schema first (cortege schema propose FILE)`
          : `${rows.length} proposals have a fingerprint starting with ${reference}: give more of it, or the proposal id`,
      );
    }
    const row = rows[0] as (typeof rows)[number];
    return {
      id: Number(row.proposal_id),
      subject: row.subject,
      fingerprint: row.fingerprint,
      schemaText: row.schema_text,
    };
  }

  /**
   * FULL_TRANSITIVE, checked here against every registered version (each reads the new one,
   * the new one reads each), and by the registry when the subject already has the project's
   * level; refused with every incompatibility named.
   */
  private async checkCompatible(
    subject: string,
    schema: object,
    versions: ReadonlyArray<{ version: number; schema: string }>,
    changes: readonly SchemaChange[],
  ): Promise<void> {
    let proposed: Type;
    try {
      proposed = Type.forSchema(schema as never);
    } catch (error) {
      throw new SchemaGateError(
        SchemaGateErrorCode.Incompatible,
        `not a valid Avro schema: ${(error as Error).message}`,
      );
    }
    const problems: string[] = [];
    for (const version of versions) {
      const registered = Type.forSchema(JSON.parse(version.schema) as never);
      for (const [reader, writer, direction] of [
        [proposed, registered, `cannot read data written with version ${version.version}`],
        [registered, proposed, `version ${version.version} cannot read data written with it`],
      ] as const) {
        try {
          reader.createResolver(writer);
        } catch (error) {
          problems.push(`${direction}: ${(error as Error).message}`);
        }
      }
    }
    if (
      problems.length === 0 &&
      versions.length > 0 &&
      (await this.registry.compatibilityOf(subject)) === SUBJECT_COMPATIBILITY
    ) {
      if ((await this.registry.isCompatible(subject, schema)) === false)
        problems.push(`the registry finds it incompatible under ${SUBJECT_COMPATIBILITY}`);
    }
    if (problems.length === 0) return;
    const breaking = changes.filter((c) => c.breaks !== undefined).map(describeSchemaChange);
    throw new SchemaGateError(
      SchemaGateErrorCode.Incompatible,
      [
        `refused: incompatible with ${subject} under ${SUBJECT_COMPATIBILITY} (docs/adr/0003-schema-compatibility.md)`,
        ...breaking.map((line) => `  ${line}`),
        ...problems.map((line) => `  ${line}`),
      ].join('\n'),
    );
  }
}

/** What `SchemaApprovals` finds of a schema id. */
export type WriterApproval = 'approved' | 'unapproved' | 'unknown';

/**
 * Whether records written with a registry schema id may pass the first stage: its schema's
 * fingerprint has an approval. Approved ids are cached for good; an id not approved is looked
 * up again at its next record after `recheckMs`, so an approval takes effect without a restart.
 * An id the registry does not know is `unknown` (the decoder names it `unknown_schema_id`).
 */
export class SchemaApprovals {
  private readonly approved = new Set<number>();
  private readonly refusedAt = new Map<number, number>();

  constructor(
    private readonly pool: Pool,
    private readonly registry: RegistryClient,
    private readonly recheckMs = 1_000,
  ) {}

  /** @throws what the registry or PostgreSQL throw (retriable: the record is tried again). */
  async judge(schemaId: number): Promise<WriterApproval> {
    if (this.approved.has(schemaId)) return 'approved';
    const refused = this.refusedAt.get(schemaId);
    if (refused !== undefined && Date.now() - refused < this.recheckMs) return 'unapproved';
    const text = await this.registry.schemaText(schemaId);
    if (text === undefined) return 'unknown';
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM schema_approval WHERE fingerprint = $1 LIMIT 1',
      [schemaFingerprint(text)],
    );
    if (rowCount === 0) {
      this.refusedAt.set(schemaId, Date.now());
      return 'unapproved';
    }
    this.approved.add(schemaId);
    this.refusedAt.delete(schemaId);
    return 'approved';
  }
}
