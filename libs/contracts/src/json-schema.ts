import { Type, types, type Schema } from 'avsc';
import { MAX_EPOCH_MS } from './date-time';
import { SUBMISSION_SCHEMA } from './generated/submission.schema.generated';
import { COORDINATE_RANGE, SOURCE_IDENTIFIER } from './submission.validation';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };

const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 } as const;
const SAFE_INTEGER = {
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;

/**
 * A logical type that changes nothing in the values: it only keeps the `logicalType` of the
 * schema on the avsc type, which avsc otherwise forgets, so the JSON Schema can say "date-time".
 */
class AnnotatedLogicalType extends types.LogicalType {
  protected override _fromValue(value: unknown): unknown {
    return value;
  }
  protected override _toValue(value: unknown): unknown {
    return value;
  }
}

/** The logical types the contracts use, kept as annotations (see `AnnotatedLogicalType`). */
export const ANNOTATED_LOGICAL_TYPES = {
  'timestamp-millis': AnnotatedLogicalType,
  uuid: AnnotatedLogicalType,
} as const;

type FieldWithDoc = types.Field & { readonly doc?: string };

const withDescription = (schema: JsonSchema, doc: string | undefined): JsonSchema =>
  doc === undefined ? schema : { ...schema, description: doc };

/** `{type: 'string'}`-like schemas (one `type`, maybe bounds) can take `null` into `type`. */
function nullable(schema: JsonSchema): JsonSchema {
  const simple = Object.keys(schema).every((k) => ['type', 'minimum', 'maximum'].includes(k));
  if (simple && typeof schema.type === 'string') return { ...schema, type: ['null', schema.type] };
  return { oneOf: [{ type: 'null' }, schema] };
}

/**
 * The JSON Schema of the JSON shape a value of the avsc `type` takes in the ingest API —
 * the shape `parseSubmission` accepts:
 * - a record is an object with its fields as properties; fields without an Avro default are
 *   required, unknown fields are refused (`additionalProperties: false`); `doc` becomes
 *   `description`, the full name becomes `title`, an Avro default becomes `default`;
 * - an enum is a string with its symbols;
 * - `["null", T]` (an unwrapped union) is T or null;
 * - a wrapped union (several named branches, as the payload) is `oneOf` objects with exactly
 *   one key, the branch's full name (`{"cortege.OfficialVisit": {...}}`), or null;
 * - `timestamp-millis` is `oneOf` integer UTC milliseconds or an ISO 8601 string (without an
 *   offset, local time in Europe/Paris); `uuid` is a string of format uuid.
 * Logical types are seen only on a type built with `ANNOTATED_LOGICAL_TYPES` (as
 * `submissionJsonSchema` does): avsc forgets them otherwise, and they stay their underlying type.
 *
 * @throws Error on a recursive named type (JSON Schema would need `$ref`; no contract has one).
 */
export function jsonSchemaOf(type: Type): JsonSchema {
  return convert(type, []);
}

function convert(type: Type, enclosing: readonly string[]): JsonSchema {
  if (type instanceof types.LogicalType) {
    switch (type.typeName) {
      case 'logical:timestamp-millis':
        return {
          oneOf: [
            {
              type: 'integer',
              minimum: -MAX_EPOCH_MS,
              maximum: MAX_EPOCH_MS,
              description: 'UTC epoch milliseconds, within what a JavaScript Date holds',
            },
            {
              type: 'string',
              format: 'date-time',
              maxLength: 40,
              description:
                'ISO 8601 date-time; with Z or an offset (at most ±14:00, minutes below 60) it is exact, without one it is local time in Europe/Paris',
            },
          ],
        };
      case 'logical:uuid':
        return { type: 'string', format: 'uuid' };
      default:
        return convert(type.underlyingType, enclosing);
    }
  }
  if (type instanceof types.RecordType) {
    const name = type.name ?? 'record';
    if (enclosing.includes(name)) throw new Error(`recursive Avro type '${name}'`);
    const inner = [...enclosing, name];
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of type.fields as FieldWithDoc[]) {
      const fallback: unknown = field.defaultValue();
      let schema = withDescription(convert(field.type, inner), field.doc ?? field.type.doc);
      if (fallback === undefined) required.push(field.name);
      else schema = { ...schema, default: fallback };
      properties[field.name] = schema;
    }
    return withDescription(
      { type: 'object', title: name, properties, required, additionalProperties: false },
      type.doc,
    );
  }
  if (type instanceof types.EnumType) {
    return withDescription({ type: 'string', title: type.name, enum: [...type.symbols] }, type.doc);
  }
  if (type instanceof types.ArrayType) {
    return { type: 'array', items: convert(type.itemsType, enclosing) };
  }
  if (type instanceof types.MapType) {
    return { type: 'object', additionalProperties: convert(type.valuesType as Type, enclosing) };
  }
  if (type instanceof types.UnwrappedUnionType) {
    const branches = type.types.filter((t) => t.typeName !== 'null');
    const schema =
      branches.length === 1 && branches[0]
        ? convert(branches[0], enclosing)
        : { oneOf: branches.map((t) => convert(t, enclosing)) };
    return branches.length < type.types.length ? nullable(schema) : schema;
  }
  if (type instanceof types.WrappedUnionType) {
    return {
      oneOf: type.types.map((branch) => {
        if (branch.typeName === 'null') return { type: 'null' };
        const key = branch.branchName ?? branch.typeName;
        return {
          type: 'object',
          properties: { [key]: convert(branch, enclosing) },
          required: [key],
          additionalProperties: false,
        };
      }),
    };
  }
  switch (type.typeName) {
    case 'null':
      return { type: 'null' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int':
      return { type: 'integer', ...INT32 };
    case 'long':
      return { type: 'integer', ...SAFE_INTEGER };
    case 'float':
    case 'double':
      return { type: 'number' };
    case 'string':
      return { type: 'string' };
    case 'bytes':
    case 'fixed':
      return { type: 'string', description: 'bytes as ISO-8859-1 code points' };
    default:
      throw new Error(`no JSON Schema for the Avro type '${type.typeName}'`);
  }
}

/**
 * The JSON Schema of one submission as the ingest API takes it, derived from the pinned
 * Avro schema (`SUBMISSION_SCHEMA`, the schema of `submissionType`) with its logical types.
 */
export function submissionJsonSchema(): JsonSchema {
  const type = Type.forSchema(SUBMISSION_SCHEMA as unknown as Schema, {
    logicalTypes: ANNOTATED_LOGICAL_TYPES,
  });
  return withContractRules(jsonSchemaOf(type));
}

/**
 * Adds the contract's rules that JSON Schema can say and Avro cannot (`parseSubmission`
 * applies them): each position's coordinates finite and in range, the envelope's `source` an
 * application identifier, the event id read in any case and written in lower case.
 */
function withContractRules(schema: JsonSchema): JsonSchema {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== 'object' || node === null) return node;
    const out: JsonSchema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v)]));
    if (out.title === 'cortege.Position') {
      const properties = out.properties as Record<string, JsonSchema>;
      for (const [name, [min, max]] of Object.entries(COORDINATE_RANGE))
        properties[name] = { ...properties[name], minimum: min, maximum: max };
    }
    return out;
  };
  const result = visit(schema) as JsonSchema;
  const properties = result.properties as Record<string, JsonSchema>;
  properties.source = {
    ...properties.source,
    pattern: SOURCE_IDENTIFIER.source,
    maxLength: 64,
  };
  const eventIdDoc = properties.eventId?.description;
  properties.eventId = {
    ...properties.eventId,
    description: `${typeof eventIdDoc === 'string' ? `${eventIdDoc} ` : ''}Read in any case, stored and answered in lower case.`,
  };
  return result;
}
