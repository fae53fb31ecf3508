/**
 * The message for a query on a table the database of DATABASE_URL does not have (the schema
 * not migrated: PostgreSQL's 42P01), or undefined for any other error.
 */
export function missingSchemaMessage(error: unknown): string | undefined {
  if ((error as { code?: string }).code !== '42P01') return undefined;
  return `${(error as Error).message} in the database of DATABASE_URL; run 'cortege db migrate' first`;
}
