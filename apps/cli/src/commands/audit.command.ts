import { AuditLog, type AuditHead } from '@app/access';
import type { Pool } from 'pg';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { parseRfc3339 } from '../rfc3339';
import { withDatabase } from './with-database';

export const AUDIT_HELP = `usage: cortege audit verify [--expect-head ID:HASH]
       cortege audit export --since <RFC 3339 date-time>

The access audit of DATABASE_URL: one row per request to the analysts' API, each row chained
to the one before by its SHA-256 hash.

verify   reads every row, in id order, and recomputes each hash; prints as JSON
           {"ok": true, "rows": N, "head": {"id": "…", "hash": "…"}}        exit 0
           {"ok": false, "rows": N, "brokenAt": "…", "reason": "…"}         exit 1
         where brokenAt is the first row whose link fails (a row changed, removed…).
  --expect-head ID:HASH   a head printed by an earlier verify: the row of that id must
                          still have that hash, which proves the chain was neither rewritten
                          nor cut back up to it. Keep each verify's head outside the database.
export   writes every record stamped at or after --since as one JSON line on stdout, oldest
         first (id, at, principal, role, method, route, params, status, rows, durationMs,
         prevHash, hash); the count on stderr.
  --since T   an RFC 3339 date-time, e.g. 2026-05-01T00:00:00Z or 2026-05-01T02:00:00+02:00

Exit codes: 0 done (verify: chain intact), 1 chain broken or schema missing, 2 bad usage.`;

/** `--expect-head ID:HASH`: a row id and the 64 hex digits of its hash. */
const HEAD = /^([1-9]\d{0,18}):([0-9a-f]{64})$/;

/** The options `cortege audit` takes (parsed strictly). */
const OPTIONS = {
  'expect-head': { type: 'string' },
  since: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `cortege audit verify|export`: `argv` is what follows `audit`. The pool is opened only once
 * the arguments are valid, and closed before returning. Returns the exit code.
 */
export async function auditCommand(
  argv: readonly string[],
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('audit', AUDIT_HELP, io);
  const parsed = commandArgs(argv, OPTIONS);
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usage(`unexpected ${extra.map((e) => `'${e}'`).join(' ')}`);
  switch (action) {
    case 'verify': {
      if (values.since !== undefined) return usage('--since belongs to export');
      let expectHead: AuditHead | undefined;
      if (values['expect-head'] !== undefined) {
        const match = HEAD.exec(values['expect-head']);
        if (!match) {
          return badValue(
            `--expect-head: expected ID:HASH, a row id and its 64 lower-case hex digits, as verify prints them`,
          );
        }
        expectHead = { id: match[1]!, hash: match[2]! };
      }
      return withAudit(openPool, io, async (audit) => {
        const verification = await audit.verify({ expectHead });
        await writeLine(io.stdout, JSON.stringify(verification, null, 2));
        return verification.ok ? 0 : 1;
      });
    }
    case 'export': {
      if (values['expect-head'] !== undefined) return usage('--expect-head belongs to verify');
      if (values.since === undefined) return usage('export needs --since <RFC 3339 date-time>');
      const since = parseRfc3339(values.since, '--since');
      if (!since.ok) return badValue(since.message);
      return withAudit(openPool, io, async (audit) => {
        const count = await audit.export(since.date, (record) =>
          writeLine(io.stdout, JSON.stringify(record)),
        );
        io.stderr.write(`audit: ${count} records since ${since.date.toISOString()}\n`);
        return 0;
      });
    }
    case undefined:
      return usage(`expected 'verify' or 'export'`);
    default:
      return usage(`unknown action '${action}'; expected 'verify' or 'export'`);
  }
}

async function withAudit(
  openPool: () => Pool,
  io: CommandIo,
  work: (audit: AuditLog) => Promise<number>,
): Promise<number> {
  return withDatabase('audit', openPool, io, (pool) => work(new AuditLog(pool)));
}
