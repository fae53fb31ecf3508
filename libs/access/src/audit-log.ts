import type { Pool } from 'pg';
import { AUDIT_GENESIS_HASH, auditFieldText, auditHash } from './audit-chain';

/** One request to the analysts' API, as the API reports it. */
export interface AuditEntry {
  /** The token's subject, or '-' when unknown. */
  principal: string;
  /** The role the request was served under, or '-'. */
  role: string;
  method: string;
  /** The route template, e.g. `/collections/{id}/items`. */
  route: string;
  /** Path and query parameters; stored as the JSON text `JSON.stringify` makes of them. */
  params: Record<string, unknown>;
  status: number;
  rows: number;
  /** Stored in whole milliseconds (rounded). */
  durationMs: number;
}

/** A row of the audit: the entry, its place in the chain and its time (milliseconds, UTC). */
export interface AuditRecord extends AuditEntry {
  id: string;
  at: Date;
  prevHash: string;
  hash: string;
}

/** A row of the chain, named by its id and hash: what a data-protection officer writes down. */
export interface AuditHead {
  id: string;
  hash: string;
}

/**
 * The outcome of `AuditLog.verify`. `rows` counts the rows found intact (before `brokenAt`
 * when broken); `head` is the last row of an intact chain (null when empty); `brokenAt` is
 * the id of the first row whose link fails, `reason` says how.
 */
export type AuditVerification =
  | { ok: true; rows: number; head: AuditHead | null }
  | { ok: false; rows: number; brokenAt: string; reason: string };

export interface AuditLogOptions {
  /** Rows per query of `verify` and `export` (default 1,000). */
  readonly pageSize?: number;
}

interface StoredRow {
  id: string;
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
}

const HEAD_HASH = /^[0-9a-f]{64}$/;
/** Below every id: verify reads rows with ids ≤ 0 too, should any be there. */
const FIRST = '-9223372036854775808';
const ROW_ID = /^[1-9]\d{0,18}$/;

/**
 * The access audit in PostgreSQL (`access_audit`): an append-only, hash-chained log of the
 * requests served. The database numbers, stamps and chains each row (a trigger, see the
 * migration AccessHabilitationAudit1764600000000); `verify` recomputes every hash here, in
 * Node, from the rows as stored.
 */
export class AuditLog {
  private readonly pageSize: number;

  constructor(
    private readonly pool: Pool,
    options: AuditLogOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
  }

  /**
   * Appends `entry`: one statement, one round trip. Appenders are serialised by the database
   * until their transaction commits, so call it outside any long transaction. U+0000 and
   * U+001F in the text fields are written as `\u0000` and `\u001f`.
   * @returns the row's id and hash.
   */
  async append(entry: AuditEntry): Promise<{ id: string; hash: string }> {
    const { rows } = await this.pool.query<{ id: string; hash: string }>(
      `INSERT INTO access_audit (principal, role, method, route, params, status, rows, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text, hash`,
      [
        auditFieldText(entry.principal),
        auditFieldText(entry.role),
        auditFieldText(entry.method),
        auditFieldText(entry.route),
        JSON.stringify(entry.params ?? {}),
        entry.status,
        entry.rows,
        Math.max(0, Math.round(entry.durationMs)),
      ],
    );
    return rows[0]!;
  }

  /**
   * Reads the whole chain in id order, a page at a time, and checks each row: its id follows
   * the previous one (no row removed), its `prev_hash` is the previous row's hash (the genesis
   * value, 64 zeros, for row 1), and its hash is the SHA-256 of its canonical text, recomputed
   * here. With `expectHead`, the row of that id must still have that hash, and exist: a head
   * written down earlier proves the chain was neither rewritten nor cut back up to it.
   * Reports the first broken row.
   * @throws RangeError when `expectHead` is not a row id and a 64-hex-digit hash.
   */
  async verify(options: { expectHead?: AuditHead } = {}): Promise<AuditVerification> {
    const expected = options.expectHead;
    if (expected && (!ROW_ID.test(expected.id) || !HEAD_HASH.test(expected.hash))) {
      throw new RangeError(
        'expectHead: expected a positive integer id and a hash of 64 lower-case hex digits',
      );
    }
    let intact = 0;
    let previous: AuditHead | null = null;
    let page = await this.verifyPage(FIRST);
    while (page.length > 0) {
      for (const row of page) {
        const problem = linkProblem(row, previous) ?? headProblem(row, expected);
        if (problem !== undefined)
          return { ok: false, rows: intact, brokenAt: row.id, reason: problem };
        intact += 1;
        previous = { id: row.id, hash: row.hash };
      }
      page = page.length < this.pageSize ? [] : await this.verifyPage(previous!.id);
    }
    if (expected && (previous === null || BigInt(previous.id) < BigInt(expected.id))) {
      return {
        ok: false,
        rows: intact,
        brokenAt: expected.id,
        reason: `the chain ${previous ? `ends at row ${previous.id}` : 'is empty'}, before the expected head ${expected.id}: rows were removed from its end`,
      };
    }
    return { ok: true, rows: intact, head: previous };
  }

  /**
   * Hands every record stamped at or after `since` to `write`, in id order, a page at a time,
   * waiting for `write` when it returns a promise.
   * @returns the number of records written.
   */
  async export(since: Date, write: (record: AuditRecord) => void | Promise<void>): Promise<number> {
    const first = await this.pool.query<{ id: string | null }>(
      `SELECT min(id)::text AS id FROM access_audit WHERE at >= $1`,
      [since],
    );
    let after = first.rows[0]?.id ? (BigInt(first.rows[0].id) - 1n).toString() : null;
    let count = 0;
    while (after !== null) {
      const { rows } = await this.pool.query<StoredRow & { at: Date }>(
        `SELECT id::text, at, principal, role, method, route, params, status, rows, duration_ms,
                prev_hash, hash
           FROM access_audit a WHERE a.id > $1::bigint AND a.at >= $2 ORDER BY a.id LIMIT $3`,
        [after, since, this.pageSize],
      );
      for (const row of rows) {
        await write(recordOf(row));
        count += 1;
      }
      after = rows.length < this.pageSize ? null : rows[rows.length - 1]!.id;
    }
    return count;
  }

  /** The rows after `afterId`, in id order, with `at` in microseconds. */
  private async verifyPage(afterId: string): Promise<(StoredRow & { at_us: string })[]> {
    const { rows } = await this.pool.query<StoredRow & { at_us: string }>(
      `SELECT id::text, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us, principal, role,
              method, route, params, status, rows, duration_ms, prev_hash, hash
         FROM access_audit a WHERE a.id > $1::bigint ORDER BY a.id LIMIT $2`,
      [afterId, this.pageSize],
    );
    return rows;
  }
}

/** What is wrong with `row`'s link to `previous` (null: it should be row 1), or undefined. */
function linkProblem(
  row: StoredRow & { at_us: string },
  previous: AuditHead | null,
): string | undefined {
  const id = BigInt(row.id);
  const expectedId = previous === null ? 1n : BigInt(previous.id) + 1n;
  if (id !== expectedId) {
    if (previous === null) {
      return id > 1n
        ? `the chain starts at row ${id}: rows 1 to ${id - 1n} are missing`
        : `row ${id}: ids start at 1`;
    }
    const missing = id - expectedId;
    return `row ${id} follows row ${previous.id}: ${missing === 1n ? `row ${expectedId} is` : `rows ${expectedId} to ${id - 1n} are`} missing`;
  }
  if (row.prev_hash !== (previous?.hash ?? AUDIT_GENESIS_HASH)) {
    return previous === null
      ? `row 1: prev_hash is not the genesis value`
      : `row ${id}: prev_hash is not the hash of row ${previous.id} (row ${previous.id} was rewritten with a recomputed hash, or this link was)`;
  }
  const recomputed = auditHash({
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
  });
  if (recomputed !== row.hash) {
    return `row ${id}: its hash does not match its contents (a field was changed)`;
  }
  return undefined;
}

/** What is wrong with `row` as the expected head, or undefined (another row: nothing). */
function headProblem(row: StoredRow, expected: AuditHead | undefined): string | undefined {
  if (expected === undefined || row.id !== expected.id || row.hash === expected.hash)
    return undefined;
  return `row ${row.id}: its hash ${row.hash} is not the expected head's ${expected.hash}: the chain was rewritten at or before this row`;
}

function recordOf(row: StoredRow & { at: Date }): AuditRecord {
  let params: Record<string, unknown>;
  try {
    params = JSON.parse(row.params) as Record<string, unknown>;
  } catch {
    throw new Error(`access_audit row ${row.id}: params is not JSON; run cortege audit verify`);
  }
  return {
    id: row.id,
    at: row.at,
    principal: row.principal,
    role: row.role,
    method: row.method,
    route: row.route,
    params,
    status: row.status,
    rows: row.rows,
    durationMs: row.duration_ms,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
