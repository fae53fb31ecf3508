/** An Avro schema as parsed JSON. */
export type AvroJson = string | AvroJson[] | { [key: string]: unknown };

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

/**
 * Builds one self-contained schema from named types kept one per file: the first reference to
 * a named type is replaced by its definition, later ones stay as the name (as Avro requires).
 * References are full names (`cortege.Position`).
 *
 * @param root the full name of the type to build.
 * @param definitions every named type, by full name.
 * @throws Error naming the unknown type when a reference has no definition.
 */
export function inlineSchema(root: string, definitions: ReadonlyMap<string, AvroJson>): AvroJson {
  const defined = new Set<string>();

  const visit = (node: AvroJson): AvroJson => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node) || defined.has(node)) return node;
      const definition = definitions.get(node);
      if (definition === undefined) throw new Error(`unknown Avro type '${node}'`);
      return visit(definition);
    }
    if (Array.isArray(node)) return node.map(visit);
    const copy: { [key: string]: unknown } = { ...node };
    if (
      (copy.type === 'record' || copy.type === 'enum' || copy.type === 'fixed') &&
      typeof copy.name === 'string'
    ) {
      const fullName = copy.name.includes('.')
        ? copy.name
        : `${typeof copy.namespace === 'string' ? copy.namespace : ''}.${copy.name}`;
      defined.add(fullName);
    }
    if (copy.type !== undefined && typeof copy.type !== 'string')
      copy.type = visit(copy.type as AvroJson);
    if (
      typeof copy.type === 'string' &&
      !PRIMITIVES.has(copy.type) &&
      !['record', 'enum', 'fixed', 'array', 'map'].includes(copy.type)
    ) {
      copy.type = visit(copy.type);
    }
    if (Array.isArray(copy.fields)) {
      copy.fields = (copy.fields as Array<{ [key: string]: unknown }>).map((field) => ({
        ...field,
        type: visit(field.type as AvroJson),
      }));
    }
    if (copy.items !== undefined) copy.items = visit(copy.items as AvroJson);
    if (copy.values !== undefined) copy.values = visit(copy.values as AvroJson);
    return copy;
  };

  return visit(root);
}
