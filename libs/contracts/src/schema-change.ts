import { annex1Item } from './annex-1';
import type { AvroJson } from './schema-inliner';

/** One difference between two versions of a contract, named by its Annex 1 item. */
export interface SchemaChange {
  readonly kind:
    | 'record_added'
    | 'record_removed'
    | 'field_added'
    | 'field_removed'
    | 'type_changed'
    | 'default_changed'
    | 'symbols_changed';
  /** `Record.field`, or the record's (or enum's) short name. */
  readonly path: string;
  /** The Annex 1 item (French / English) the field carries; undefined when it carries none. */
  readonly annex1?: string;
  /** Before and after, as short text (a type, a default, symbols). */
  readonly before?: string;
  readonly after?: string;
  /**
   * Why the change breaks the project's FULL_TRANSITIVE compatibility (docs/adr/0003), when it
   * does by itself: a field added or removed without a default, enum symbols removed.
   */
  readonly breaks?: string;
}

interface RecordDef {
  readonly fields: ReadonlyArray<{ name: string; type: AvroJson; default?: unknown }>;
}

interface Definitions {
  readonly records: Map<string, RecordDef>;
  readonly enums: Map<string, readonly string[]>;
}

const shortName = (name: string) => name.slice(name.lastIndexOf('.') + 1);

/** Every named record and enum of an inlined schema, by short name. */
function definitions(
  schema: AvroJson,
  into: Definitions = { records: new Map(), enums: new Map() },
): Definitions {
  if (typeof schema === 'string') return into;
  if (Array.isArray(schema)) {
    for (const branch of schema) definitions(branch, into);
    return into;
  }
  const name = typeof schema.name === 'string' ? shortName(schema.name) : undefined;
  if (schema.type === 'record' && name !== undefined && Array.isArray(schema.fields)) {
    const fields = schema.fields as RecordDef['fields'];
    into.records.set(name, { fields });
    for (const field of fields) definitions(field.type, into);
  } else if (schema.type === 'enum' && name !== undefined && Array.isArray(schema.symbols)) {
    into.enums.set(name, schema.symbols as string[]);
  }
  for (const key of ['type', 'items', 'values'] as const) {
    const inner = schema[key];
    if (inner !== undefined && typeof inner !== 'string') definitions(inner as AvroJson, into);
  }
  return into;
}

/** A type as short text: named types by their short name, the rest in Avro's JSON. */
function typeText(type: AvroJson): string {
  if (typeof type === 'string') return shortName(type);
  if (Array.isArray(type)) return type.map(typeText).join(' | ');
  if (
    typeof type.name === 'string' &&
    (type.type === 'record' || type.type === 'enum' || type.type === 'fixed')
  )
    return shortName(type.name);
  if (type.type === 'array') return `array<${typeText(type.items as AvroJson)}>`;
  if (type.type === 'map') return `map<${typeText(type.values as AvroJson)}>`;
  const logical = typeof type.logicalType === 'string' ? ` (${type.logicalType})` : '';
  return `${typeText(type.type as AvroJson)}${logical}`;
}

const hasDefault = (field: { default?: unknown }) => Object.hasOwn(field, 'default');

/**
 * The differences from `before` to `after` (two inlined Avro schemas of one contract), record
 * by record and field by field, each named by its Annex 1 item: records and fields added or
 * removed, types, defaults and enum symbols changed. Docs are not compared.
 */
export function schemaChanges(before: AvroJson, after: AvroJson): SchemaChange[] {
  const old = definitions(before);
  const now = definitions(after);
  const changes: SchemaChange[] = [];
  for (const name of old.records.keys())
    if (!now.records.has(name)) changes.push({ kind: 'record_removed', path: name });
  for (const [name, record] of now.records) {
    const previous = old.records.get(name);
    if (previous === undefined) {
      changes.push({ kind: 'record_added', path: name });
      continue;
    }
    for (const field of previous.fields) {
      if (record.fields.some((f) => f.name === field.name)) continue;
      changes.push({
        kind: 'field_removed',
        ...named(name, field.name),
        before: typeText(field.type),
        ...(hasDefault(field)
          ? {}
          : { breaks: 'removed without a default: readers of the earlier versions need it' }),
      });
    }
    for (const field of record.fields) {
      const was = previous.fields.find((f) => f.name === field.name);
      if (was === undefined) {
        changes.push({
          kind: 'field_added',
          ...named(name, field.name),
          after: `${typeText(field.type)}${hasDefault(field) ? `, default ${JSON.stringify(field.default)}` : ''}`,
          ...(hasDefault(field)
            ? {}
            : { breaks: 'added without a default: data written before cannot be read' }),
        });
        continue;
      }
      if (typeText(was.type) !== typeText(field.type))
        changes.push({
          kind: 'type_changed',
          ...named(name, field.name),
          before: typeText(was.type),
          after: typeText(field.type),
        });
      const defaultBefore = hasDefault(was) ? JSON.stringify(was.default) : undefined;
      const defaultAfter = hasDefault(field) ? JSON.stringify(field.default) : undefined;
      if (defaultBefore !== defaultAfter)
        changes.push({
          kind: 'default_changed',
          ...named(name, field.name),
          before: defaultBefore ?? '(none)',
          after: defaultAfter ?? '(none)',
        });
    }
  }
  for (const [name, symbols] of now.enums) {
    const previous = old.enums.get(name);
    if (previous === undefined || previous.join() === symbols.join()) continue;
    const removed = previous.filter((s) => !symbols.includes(s));
    changes.push({
      kind: 'symbols_changed',
      path: name,
      before: previous.join(', '),
      after: symbols.join(', '),
      ...(removed.length > 0
        ? { breaks: `symbols removed (${removed.join(', ')}): data holding them cannot be read` }
        : {}),
    });
  }
  return changes;
}

function named(record: string, field: string): { path: string; annex1?: string } {
  const item = annex1Item(record, field);
  return { path: `${record}.${field}`, ...(item !== undefined ? { annex1: item } : {}) };
}

/** One line per change, for people: what changed, its Annex 1 item, and why it breaks. */
export function describeSchemaChange(change: SchemaChange): string {
  const item =
    change.annex1 !== undefined ? ` [Annex 1: ${change.annex1}]` : ' [not an Annex 1 item]';
  const text = (() => {
    switch (change.kind) {
      case 'record_added':
        return `record ${change.path} added`;
      case 'record_removed':
        return `record ${change.path} removed`;
      case 'field_added':
        return `field ${change.path} added (${change.after ?? ''})`;
      case 'field_removed':
        return `field ${change.path} removed (was ${change.before ?? ''})`;
      case 'type_changed':
        return `field ${change.path}: type ${change.before ?? ''} → ${change.after ?? ''}`;
      case 'default_changed':
        return `field ${change.path}: default ${change.before ?? ''} → ${change.after ?? ''}`;
      case 'symbols_changed':
        return `enum ${change.path}: ${change.before ?? ''} → ${change.after ?? ''}`;
      default: {
        const _exhaustive: never = change.kind;
        return _exhaustive;
      }
    }
  })();
  const isField =
    change.kind !== 'record_added' &&
    change.kind !== 'record_removed' &&
    change.kind !== 'symbols_changed';
  return `${text}${isField ? item : ''}${change.breaks !== undefined ? ` — incompatible: ${change.breaks}` : ''}`;
}
