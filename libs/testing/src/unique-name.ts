import { randomBytes } from 'node:crypto';

/** A name no other test run uses: `prefix-<8 hex>`. For topics, groups, subjects, schemas. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
