import type { Pool } from 'pg';
import type { CommandIo } from '../command-io';

/**
 * The message for a query on a table the database of DATABASE_URL does not have (the schema
 * not migrated: PostgreSQL's 42P01), or undefined for any other error.
 */
export function missingSchemaMessage(error: unknown): string | undefined {
  if ((error as { code?: string }).code !== '42P01') return undefined;
  return `${(error as Error).message} in the database of DATABASE_URL; run 'cortege db migrate' first`;
}

/**
 * Runs `work` on a pool opened for it and closed after it, whatever happens. A database
 * without the project's tables is said on stderr as `cortege <command>: …`, exit code 1;
 * any other error goes on to the caller.
 */
export async function withDatabase(
  command: string,
  openPool: () => Pool,
  io: CommandIo,
  work: (pool: Pool) => Promise<number>,
): Promise<number> {
  const pool = openPool();
  try {
    return await work(pool);
  } catch (error) {
    const message = missingSchemaMessage(error);
    if (message === undefined) throw error;
    io.stderr.write(`cortege ${command}: ${message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}
