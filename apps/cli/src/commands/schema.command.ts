import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Type } from 'avsc';
import type { Pool } from 'pg';
import type { AppConfig } from '@app/config';
import {
  describeSchemaChange,
  inlineSchema,
  SUBMISSION_SCHEMA,
  type AvroJson,
} from '@app/contracts';
import { migrate } from '@app/database';
import {
  RegistryClient,
  RegistrySubjects,
  SchemaGate,
  SchemaGateError,
  validateApproval,
  valueSubject,
  type SchemaApprovalRecord,
} from '@app/schema-registry';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import { cliOperator } from './habilitation.command';

export const SCHEMA_HELP = `usage: cortege schema propose FILE [--topic T] [--json]
       cortege schema approve PROPOSAL --dpo-informed-on YYYY-MM-DD --impact-study REF --approver ID [--json]
       cortege schema approve --initial --dpo-informed-on YYYY-MM-DD --impact-study REF --approver ID [--topic T] [--json]
       cortege schema list [--all] [--json]

The schema-change gate of the contract (convention, article 3): producers and the ingest API
never register a schema; a new version enters the registry only here.

propose   checks FILE (an Avro schema; named types it references are read from the .avsc files
          beside it) against every version of the contract's subject under the project's
          compatibility (FULL_TRANSITIVE), registering nothing; prints its changes by Annex 1
          item, and stores the proposal. An incompatible schema is refused (exit 1), each
          incompatibility named.
approve   registers a proposal (by id, or by fingerprint: 8 hexadecimal digits at least) and
          records the approval: the day the data-protection officer was informed (not in the
          future), the impact study's reference, the approving operator's identifier (a role
          account, never a person's name). --initial proposes and approves the contract this
          software was built with (the repository's schemas/), for a new platform. Approving
          what is already approved and registered changes nothing.
list      the contract subject's versions in the registry (--all: every subject), each with its
          registry id, fingerprint and approval, and the proposals waiting.

--topic T   the contract's topic (default: SANITIZER_INPUT_TOPIC); its subject is T-value.
--json      one JSON document on stdout.

The first stage dead-letters records written with a schema never approved (reason
unapproved_schema). Proposals and approvals are in the access audit. Exit codes: 0 done,
1 refused or failed, 2 bad usage.`;

/** The options `cortege schema` takes (parsed strictly). */
const OPTIONS = {
  topic: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  initial: { type: 'boolean' },
  'dpo-informed-on': { type: 'string' },
  'impact-study': { type: 'string' },
  approver: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `cortege schema …`: `argv` is what follows `schema`. Returns the exit code. */
export async function schemaCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
  today: Date = new Date(),
): Promise<number> {
  const { usage, badValue } = argumentRefusals('schema', SCHEMA_HELP, io);
  const parsed = commandArgs(argv, OPTIONS);
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  const topic = values.topic ?? config.sanitizer.inputTopic;
  const subject = valueSubject(topic);
  const json = values.json === true;

  let run: (gate: SchemaGate, pool: Pool) => Promise<number>;
  let audited: { command: string; params: () => Record<string, unknown> } | undefined;
  switch (action) {
    case 'propose': {
      const [file, ...extra] = rest;
      if (file === undefined || extra.length > 0) return usage('propose takes one FILE');
      let schema: object;
      try {
        schema = readSchema(file);
      } catch (error) {
        return badValue(`${file}: ${(error as Error).message}`);
      }
      let outcome: Awaited<ReturnType<SchemaGate['propose']>> | undefined;
      run = async (gate) => {
        outcome = await gate.propose(subject, schema, cliOperator());
        if (json) await writeLine(io.stdout, JSON.stringify(outcome));
        else await printProposal(io, outcome);
        return 0;
      };
      audited = {
        command: 'cortege schema propose',
        params: () => ({
          subject,
          proposal: outcome?.id ?? null,
          fingerprint: outcome?.fingerprint ?? null,
        }),
      };
      break;
    }
    case 'approve': {
      const initial = values.initial === true;
      const [reference, ...extra] = rest;
      if (initial ? rest.length > 0 : reference === undefined || extra.length > 0)
        return usage('approve takes one PROPOSAL (id or fingerprint), or --initial');
      const checked = validateApproval(
        {
          dpoInformedOn: values['dpo-informed-on'],
          impactStudyRef: values['impact-study'],
          approver: values.approver,
        },
        today,
      );
      if (!checked.ok) return badValue(`approval refused:\n  ${checked.problems.join('\n  ')}`);
      let approved: { record: SchemaApprovalRecord; already: boolean } | undefined;
      run = async (gate) => {
        const ref = initial
          ? String((await gate.propose(subject, SUBMISSION_SCHEMA, cliOperator())).id)
          : (reference as string);
        approved = await gate.approve(ref, checked.approval);
        if (json) await writeLine(io.stdout, JSON.stringify(approved));
        else await printApproval(io, approved.record, approved.already);
        return 0;
      };
      audited = {
        command: 'cortege schema approve',
        params: () => ({
          initial,
          subject: approved?.record.subject ?? subject,
          version: approved?.record.version ?? null,
          registryId: approved?.record.registryId ?? null,
          fingerprint: approved?.record.fingerprint ?? null,
          proposal: approved?.record.proposalId ?? reference ?? null,
          dpoInformedOn: checked.approval.dpoInformedOn,
          impactStudyRef: checked.approval.impactStudyRef,
          approver: checked.approval.approver,
          already: approved?.already ?? null,
        }),
      };
      break;
    }
    case 'list':
      if (rest.length > 0) return usage(`unexpected ${rest.join(', ')}`);
      run = async (gate) => {
        const subjects =
          values.all === true ? await new RegistrySubjects(config.registry.url).list() : [subject];
        const versions = await gate.list(subjects.sort());
        const pending = await gate.pending();
        if (json) await writeLine(io.stdout, JSON.stringify({ versions, pending }));
        else await printList(io, versions, pending);
        return 0;
      };
      break;
    case undefined:
    default:
      return usage('expected propose, approve or list');
  }

  await migrate(config.database.url);
  const pool = openPool();
  const started = Date.now();
  let status = 1;
  try {
    status = await run(new SchemaGate(pool, new RegistryClient(config.registry.url)), pool);
    return status;
  } catch (error) {
    if (!(error instanceof SchemaGateError)) throw error;
    io.stderr.write(`cortege schema ${action}: ${error.message}\n`);
    return 1;
  } finally {
    try {
      if (audited !== undefined)
        await recordOperation(pool, {
          command: audited.command,
          params: audited.params(),
          status,
          rows: status === 0 ? 1 : 0,
          startedAt: started,
        });
    } finally {
      await pool.end();
    }
  }
}

/**
 * The Avro schema of `file`, self-contained: as written when it stands alone, else with the
 * named types it references read from the `.avsc` files of its folder (one type per file,
 * named by its full name, as in the repository's schemas/).
 */
function readSchema(file: string): object {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as {
    name?: unknown;
    namespace?: unknown;
  };
  try {
    Type.forSchema(schema as never);
    return schema;
  } catch {
    // References to named types defined beside it: inlined below.
  }
  const folder = dirname(file);
  const definitions = new Map<string, AvroJson>();
  for (const other of readdirSync(folder).filter((f) => f.endsWith('.avsc')))
    definitions.set(
      basename(other, '.avsc'),
      JSON.parse(readFileSync(join(folder, other), 'utf8')) as AvroJson,
    );
  const fullName =
    typeof schema.name === 'string' && schema.name.includes('.')
      ? schema.name
      : `${typeof schema.namespace === 'string' ? `${schema.namespace}.` : ''}${String(schema.name)}`;
  definitions.set(fullName, schema);
  const inlined = inlineSchema(fullName, definitions);
  Type.forSchema(inlined as never);
  return inlined as object;
}

async function printProposal(
  io: CommandIo,
  outcome: Awaited<ReturnType<SchemaGate['propose']>>,
): Promise<void> {
  const { id, subject, fingerprint, against, changes, alreadyRegistered } = outcome;
  await writeLine(
    io.stdout,
    `proposal ${id} for ${subject} (fingerprint ${fingerprint}), compatible with every version; ` +
      (against === undefined
        ? 'the subject has no version yet'
        : `compared with version ${against}:`),
  );
  if (against !== undefined && changes.length === 0)
    await writeLine(io.stdout, '  no change of fields, types, defaults or symbols');
  for (const change of changes) await writeLine(io.stdout, `  ${describeSchemaChange(change)}`);
  await writeLine(
    io.stdout,
    alreadyRegistered
      ? 'it is already a version of the subject.'
      : `approve it, once the data-protection officer is informed and the impact study done:\n  cortege schema approve ${id} --dpo-informed-on YYYY-MM-DD --impact-study REF --approver ID`,
  );
}

async function printApproval(
  io: CommandIo,
  record: SchemaApprovalRecord,
  already: boolean,
): Promise<void> {
  await writeLine(
    io.stdout,
    `${already ? 'already approved' : 'approved'}: ${record.subject} version ${record.version} (registry id ${record.registryId}, fingerprint ${record.fingerprint}), proposal ${record.proposalId}; DPO informed on ${record.dpoInformedOn}, impact study ${record.impactStudyRef}, approver ${record.approver}, at ${record.approvedAt}`,
  );
}

async function printList(
  io: CommandIo,
  versions: Awaited<ReturnType<SchemaGate['list']>>,
  pending: Awaited<ReturnType<SchemaGate['pending']>>,
): Promise<void> {
  await writeLine(
    io.stdout,
    'subject\tversion\tid\tfingerprint\tapproved\tDPO informed\timpact study\tapprover\tapproved at',
  );
  for (const v of versions) {
    const a = v.approval;
    await writeLine(
      io.stdout,
      [
        v.subject,
        v.version,
        v.registryId,
        v.fingerprint.slice(0, 16),
        a === undefined ? 'NO' : 'yes',
        a?.dpoInformedOn ?? '',
        a?.impactStudyRef ?? '',
        a?.approver ?? '',
        a?.approvedAt ?? '',
      ].join('\t'),
    );
  }
  if (pending.length === 0) return;
  await writeLine(io.stdout, '\nproposals waiting for approval:');
  for (const p of pending)
    await writeLine(
      io.stdout,
      `  ${p.id}\t${p.subject}\t${p.fingerprint.slice(0, 16)}\t${p.proposer}\t${p.proposedAt}\t${p.changes.length} change(s)`,
    );
}
