import type { AvroJson } from './schema-inliner';

/**
 * Field names that would hold who someone is. The convention forbids any field naming a person:
 * the schemas carry an organiser's status, never their name, phone, e-mail or plate.
 */
const FORBIDDEN =
  /(name|nom|prenom|firstname|lastname|surname|phone|telephone|mobile|portable|e?mail|courriel|contact|person|personne|birth|naissance|identity|identite|plate|immatriculation|iban|nir|ssn|signature|author|auteur|organi[sz]er(?!Status$))/i;

/** Every field path in `schema` whose name looks like personal data; empty when clean. */
export function personalDataFields(schema: AvroJson, path: string[] = []): string[] {
  if (typeof schema === 'string') return [];
  if (Array.isArray(schema)) return schema.flatMap((branch) => personalDataFields(branch, path));
  const found: string[] = [];
  if (Array.isArray(schema.fields)) {
    for (const field of schema.fields as Array<{ name: string; type: AvroJson }>) {
      const at = [...path, field.name];
      if (FORBIDDEN.test(field.name)) found.push(at.join('.'));
      found.push(...personalDataFields(field.type, at));
    }
  }
  for (const key of ['type', 'items', 'values'] as const) {
    const inner = schema[key];
    if (inner !== undefined && typeof inner !== 'string')
      found.push(...personalDataFields(inner as AvroJson, path));
  }
  return found;
}
