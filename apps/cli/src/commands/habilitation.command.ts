import { userInfo } from 'node:os';
import {
  AccessError,
  HabilitationStore,
  type AccessErrorCode,
  type AccessRole,
  type Habilitation,
} from '@app/access';
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

export const HABILITATION_HELP = `usage: cortege habilitation grant --subject S --role R --reason TEXT [--until T] [--by WHO]
       cortege habilitation revoke ID --reason TEXT [--by WHO]
       cortege habilitation list [--subject S] [--active]

Who may use the analysts' API, in which role, in DATABASE_URL. The API reads them on every
request: a grant or a revocation holds from the next request on. The first admin is
habilitated here.
  --subject S    the token's subject (its 'sub'), never a name or an e-mail address
  --role R       analyst, prefecture-viewer or admin
  --reason TEXT  why (required); kept, scrubbed of personal data
  --until T      when it ends, an RFC 3339 date-time (default: until revoked)
  --by WHO       who grants or revokes (default: cli:<your user name>)
  --active       list only the habilitations neither revoked nor expired
grant and revoke print the habilitation as one JSON line; list prints one JSON line per
habilitation, oldest first. A subject holds at most one active habilitation per role.

Exit codes: 0 done, 1 refused (already granted, not found, already revoked; schema missing),
2 bad usage or input.`;

/** `cli:<the operating system's user name>`, who a command-line change is recorded as made by. */
export function cliOperator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** The options `cortege habilitation` takes (parsed strictly). */
const OPTIONS = {
  subject: { type: 'string' },
  role: { type: 'string' },
  reason: { type: 'string' },
  until: { type: 'string' },
  by: { type: 'string' },
  active: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `cortege habilitation grant|revoke|list`: `argv` is what follows `habilitation`. The pool is
 * opened only once the arguments are valid, and closed before returning. Returns the exit code.
 */
export async function habilitationCommand(
  argv: readonly string[],
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('habilitation', HABILITATION_HELP, io);
  const parsed = commandArgs(argv, OPTIONS);
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  const unexpected = (allowed: readonly (keyof typeof values)[]) =>
    (Object.keys(values) as (keyof typeof values)[]).filter(
      (name) => name !== 'help' && !allowed.includes(name),
    );
  const by = values.by ?? cliOperator();
  switch (action) {
    case 'grant': {
      const extra = unexpected(['subject', 'role', 'reason', 'until', 'by']);
      if (rest.length > 0 || extra.length > 0)
        return usage(`grant takes no ${[...rest, ...extra.map((e) => `--${e}`)].join(', ')}`);
      for (const required of ['subject', 'role', 'reason'] as const) {
        if (values[required] === undefined) return usage(`grant needs --${required}`);
      }
      let validUntil: Date | null = null;
      if (values.until !== undefined) {
        const until = parseRfc3339(values.until, '--until');
        if (!until.ok) return badValue(until.message);
        validUntil = until.date;
      }
      return withStore(openPool, io, 'grant', (store) =>
        store.grant({
          subject: values.subject!,
          role: values.role as AccessRole, // checked by the store
          reason: values.reason!,
          grantedBy: by,
          validUntil,
        }),
      );
    }
    case 'revoke': {
      const extra = unexpected(['reason', 'by']);
      if (rest.length !== 1) return usage('revoke takes exactly one habilitation id');
      if (extra.length > 0)
        return usage(`revoke takes no ${extra.map((e) => `--${e}`).join(', ')}`);
      if (values.reason === undefined) return usage('revoke needs --reason');
      return withStore(openPool, io, 'revoke', (store) =>
        store.revoke(rest[0]!, { revokedBy: by, reason: values.reason! }),
      );
    }
    case 'list': {
      const extra = unexpected(['subject', 'active']);
      if (rest.length > 0 || extra.length > 0)
        return usage(`list takes no ${[...rest, ...extra.map((e) => `--${e}`)].join(', ')}`);
      return withStore(openPool, io, 'list', (store) =>
        store.list({ subject: values.subject, activeOnly: values.active === true }),
      );
    }
    case undefined:
      return usage(`expected 'grant', 'revoke' or 'list'`);
    default:
      return usage(`unknown action '${action}'; expected 'grant', 'revoke' or 'list'`);
  }
}

/**
 * Runs `work` on a store, prints its habilitation(s) as JSON lines; an input the store refuses
 * is exit 2, a refusal because of the state (already granted, not found…) exit 1.
 */
async function withStore(
  openPool: () => Pool,
  io: CommandIo,
  action: string,
  work: (store: HabilitationStore) => Promise<Habilitation | Habilitation[]>,
): Promise<number> {
  return withDatabase(`habilitation ${action}`, openPool, io, async (pool) => {
    try {
      const result = await work(new HabilitationStore(pool));
      for (const habilitation of Array.isArray(result) ? result : [result]) {
        await writeLine(io.stdout, JSON.stringify(habilitation));
      }
      return 0;
    } catch (error) {
      if (!(error instanceof AccessError)) throw error;
      io.stderr.write(`cortege habilitation ${action}: ${error.message}\n`);
      return exitCodeOf(error.code);
    }
  });
}

/** Bad input is a usage error (2); a refusal because of what is stored, 1. */
function exitCodeOf(code: AccessErrorCode): number {
  switch (code) {
    case 'invalid_role':
    case 'invalid_subject':
    case 'invalid_reason':
    case 'invalid_until':
      return 2;
    case 'already_granted':
    case 'not_found':
    case 'already_revoked':
      return 1;
    default: {
      const _exhaustive: never = code;
      return _exhaustive;
    }
  }
}
