import { createHash } from 'node:crypto';

/** A JSON value with every object's keys sorted, written without spaces. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const PRIMITIVES = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);
const NAMED = new Set(['record', 'enum', 'fixed', 'error']);

const fullName = (name: string, namespace: string | undefined) =>
  name.includes('.') || !namespace ? name : `${namespace}.${name}`;

/**
 * An Avro schema with every named type and reference written by its full name and no
 * `namespace` key, as Avro resolves them: what a registry may rewrite (Apicurio drops a
 * namespace its parent implies) comes out the same.
 */
function resolvedNames(node: unknown, namespace: string | undefined): unknown {
  if (typeof node === 'string') return PRIMITIVES.has(node) ? node : fullName(node, namespace);
  if (Array.isArray(node)) return node.map((branch) => resolvedNames(branch, namespace));
  if (node === null || typeof node !== 'object') return node;
  const { namespace: own, ...rest } = node as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...rest };
  let inner = namespace;
  if (typeof copy.type === 'string' && NAMED.has(copy.type) && typeof copy.name === 'string') {
    const name = fullName(copy.name, typeof own === 'string' && own !== '' ? own : namespace);
    copy.name = name;
    inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
  }
  if (Array.isArray(copy.fields))
    copy.fields = (copy.fields as Array<Record<string, unknown>>).map((field) => ({
      ...field,
      type: resolvedNames(field.type, inner),
    }));
  if (copy.type !== undefined && !(typeof copy.type === 'string' && NAMED.has(copy.type)))
    copy.type = resolvedNames(copy.type, namespace);
  if (copy.items !== undefined) copy.items = resolvedNames(copy.items, namespace);
  if (copy.values !== undefined) copy.values = resolvedNames(copy.values, namespace);
  return copy;
}

/**
 * What identifies a schema's content for the schema-change gate: the SHA-256 (hex) of its JSON
 * with names resolved to full names, sorted keys and no spaces. Spacing, key order and implied
 * namespaces do not change it; anything else does — a field, a type, a default, a logical
 * type, a doc — so every change must be approved.
 * A string is parsed first (the text the registry returns).
 */
export function schemaFingerprint(schema: object | string): string {
  const json: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
  return createHash('sha256')
    .update(canonicalJson(resolvedNames(json, undefined)))
    .digest('hex');
}
