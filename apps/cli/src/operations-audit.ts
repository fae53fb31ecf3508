import { AuditLog } from '@app/access';
import type { Pool } from 'pg';
import { cliOperator } from './commands/habilitation.command';

/** A command that changed something, as `access_audit` records it. */
export interface Operation {
  /** The command line's words, e.g. `cortege dlq redrive`. */
  readonly command: string;
  /** Its options: filters, targets; never a record's content. */
  readonly params: Record<string, unknown>;
  /** The exit code. */
  readonly status: number;
  /** How many records or rows it changed. */
  readonly rows: number;
  readonly startedAt: number;
}

/**
 * Records an operation in the access audit's hash chain with the operator's identity (`cli:`
 * and the system user): who replayed, redrove or rebuilt what, and when. Method `CLI`, role
 * `operator`, the command as the route.
 */
export async function recordOperation(pool: Pool, operation: Operation): Promise<void> {
  await new AuditLog(pool).append({
    principal: cliOperator(),
    role: 'operator',
    method: 'CLI',
    route: operation.command,
    params: operation.params,
    status: operation.status,
    rows: operation.rows,
    durationMs: Math.max(0, Date.now() - operation.startedAt),
  });
}
