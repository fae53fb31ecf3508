import { Pool } from 'pg';
import { SUBMISSION_SCHEMA } from '@app/contracts';
import { migrate } from '@app/database';
import { RegistryClient, SchemaGate, valueSubject } from '@app/schema-registry';

/** Where the initial contract is approved: a database, a registry, the contract's topic. */
export interface ContractApprovalTarget {
  readonly databaseUrl: string;
  readonly registryUrl: string;
  /** Its subject `<topic>-value` gets the repository's contract as a version. */
  readonly topic: string;
}

/**
 * What `cortege schema approve --initial` does, for a test: proposes and approves the
 * repository's contract (`SUBMISSION_SCHEMA`) for `topic`, in `databaseUrl` (migrated first).
 * Then producers (the SDK, the ingest API) find it in the registry, and a sanitizer reading
 * that database passes the records written with it. Idempotent; safe to run concurrently.
 */
export async function approveInitialContract(target: ContractApprovalTarget): Promise<void> {
  await migrate(target.databaseUrl);
  const pool = new Pool({ connectionString: target.databaseUrl, max: 1 });
  try {
    const gate = new SchemaGate(pool, new RegistryClient(target.registryUrl));
    const proposal = await gate.propose(
      valueSubject(target.topic),
      SUBMISSION_SCHEMA,
      'test-fixture',
    );
    await gate.approve(String(proposal.id), {
      dpoInformedOn: new Date().toISOString().slice(0, 10),
      impactStudyRef: 'test-fixture',
      approver: 'test-fixture',
    });
  } finally {
    await pool.end();
  }
}
