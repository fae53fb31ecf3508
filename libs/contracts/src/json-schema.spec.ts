import { sampleSubmissions } from '@app/testing';
import { Type } from 'avsc';
import { jsonSchemaOf, submissionJsonSchema, type JsonSchema } from './json-schema';
import { parseSubmission } from './submission.validation';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : Number.isInteger(v)
        ? 'integer'
        : typeof v === 'number'
          ? 'number'
          : typeof v;

/**
 * The places where `value` breaks `schema`, for the keywords `jsonSchemaOf` writes (type, enum,
 * properties, required, additionalProperties, items, oneOf, minimum, maximum, pattern). Enough to prove
 * the schema accepts and refuses what the contract does, without a validator dependency.
 */
function errorsOf(schema: JsonSchema, value: unknown, at = ''): string[] {
  const errors: string[] = [];
  const types = schema.type === undefined ? undefined : ([] as unknown[]).concat(schema.type);
  if (types) {
    const actual = typeOf(value);
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) return [`${at}: ${actual} is not ${types.join('|')}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: not in enum`);
  if (typeof value === 'string' && typeof schema.pattern === 'string') {
    if (!new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: no match`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: < min`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: > max`);
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as JsonSchema[]).filter(
      (branch) => errorsOf(branch, value, at).length === 0,
    );
    if (matching.length !== 1) errors.push(`${at}: matches ${matching.length} oneOf branches`);
  }
  if (typeOf(value) === 'object') {
    const object = value as Json;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required ?? []) as string[])
      if (!(name in object)) errors.push(`${at}.${name}: missing`);
    for (const [name, v] of Object.entries(object)) {
      const property = properties[name];
      if (property) errors.push(...errorsOf(property, v, `${at}.${name}`));
      else if (schema.additionalProperties === false) errors.push(`${at}.${name}: unknown`);
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) =>
      errors.push(...errorsOf(schema.items as JsonSchema, item, `${at}.${i}`)),
    );
  }
  return errors;
}

const schema = submissionJsonSchema();
const properties = schema.properties as Record<string, JsonSchema>;
const payloadBranches = (properties.payload as { oneOf: JsonSchema[] }).oneOf;
const branch = (name: string) => {
  const found = payloadBranches.find((b) => (b.required as string[] | undefined)?.[0] === name);
  return (found?.properties as Record<string, JsonSchema>)[name] as JsonSchema;
};
const movingFields = branch('cortege.MovingDemonstration').properties as Record<string, JsonSchema>;

describe('submissionJsonSchema', () => {
  it('describes the envelope with the Avro docs, required fields and no unknown ones', () => {
    expect(schema).toMatchObject({
      type: 'object',
      title: 'cortege.Submission',
      // The payload defaults to null (a CANCEL may omit it).
      required: ['eventId', 'revision', 'action', 'submittedAt', 'source'],
      additionalProperties: false,
    });
    expect(properties.payload).toMatchObject({ default: null });
    expect(schema.description).toContain('One Cortège submission');
    expect(properties.eventId).toEqual({
      type: 'string',
      format: 'uuid',
      description:
        "Identifiant de l'événement (UUID), stable d'une révision à l'autre. / Event id (UUID), stable across revisions. Read in any case, stored and answered in lower case.",
    });
    expect(properties.revision).toMatchObject({ type: 'integer', maximum: 2_147_483_647 });
    expect(properties.action).toMatchObject({
      type: 'string',
      title: 'cortege.Action',
      enum: ['UPSERT', 'CANCEL'],
    });
  });

  it('writes timestamps as integer milliseconds or an ISO 8601 date-time', () => {
    for (const at of [properties.submittedAt, movingFields.startAt, movingFields.endAt]) {
      expect(at?.oneOf).toEqual([
        expect.objectContaining({ type: 'integer' }),
        expect.objectContaining({ type: 'string', format: 'date-time' }),
      ]);
    }
    expect(movingFields.startAt?.description).toContain('start date-time');
  });

  it('writes the payload union as null or one of four single-key objects', () => {
    expect(payloadBranches.map((b) => (b.type === 'null' ? null : b.required))).toEqual([
      null,
      ['cortege.MovingDemonstration'],
      ['cortege.StaticDemonstration'],
      ['cortege.ScheduledOperation'],
      ['cortege.OfficialVisit'],
    ]);
    for (const b of payloadBranches.slice(1)) expect(b.additionalProperties).toBe(false);
    expect(branch('cortege.ScheduledOperation').properties).toMatchObject({
      theme: {
        enum: [
          'PSQ_TRANSPORTS',
          'PSQ_QRR',
          'SECURITE_ROUTIERE',
          'CODAF',
          'MARCHE_AUX_PUCES',
          'MIN',
        ],
      },
    });
  });

  it('writes nullable unions with their defaults, and leaves defaulted fields optional', () => {
    expect(movingFields.peopleExpected).toMatchObject({
      type: ['null', 'integer'],
      default: null,
    });
    expect(movingFields.description).toMatchObject({ type: ['null', 'string'], default: null });
    expect(movingFields.waypointAddresses).toMatchObject({
      type: 'array',
      items: { type: 'string' },
      default: [],
    });
    expect(movingFields.route?.oneOf).toEqual([
      { type: 'null' },
      expect.objectContaining({ type: 'object', title: 'cortege.LineString' }),
    ]);
    expect(branch('cortege.MovingDemonstration').required).toEqual([
      'subject',
      'departureAddress',
      'arrivalAddress',
      'startAt',
      'endAt',
      'organiserStatus',
    ]);
  });

  it('accepts every sample and the JSON shape the ingest API reads', () => {
    for (const sample of Object.values(sampleSubmissions())) {
      expect(errorsOf(schema, clone(sample))).toEqual([]);
    }
    const moving = clone(sampleSubmissions().moving) as unknown as Json;
    const event = (moving.payload as Json)['cortege.MovingDemonstration'] as Json;
    moving.submittedAt = '2026-05-01T07:12:00Z';
    event.startAt = '2026-05-01T10:30';
    delete event.description;
    delete event.route;
    expect(parseSubmission(moving).ok).toBe(true);
    expect(errorsOf(schema, moving)).toEqual([]);
  });

  it('refuses what the contract refuses, at the same place', () => {
    const broken = (mutate: (s: Json, e: Json) => void) => {
      const s = clone(sampleSubmissions().moving) as unknown as Json;
      mutate(s, (s.payload as Json)['cortege.MovingDemonstration'] as Json);
      expect(parseSubmission(s).ok).toBe(false);
      return errorsOf(schema, s);
    };
    expect(broken((_, e) => delete e.arrivalAddress)).toEqual([
      '.payload: matches 0 oneOf branches',
    ]);
    expect(broken((s) => delete s.source)).toEqual(['.source: missing']);
    expect(broken((s) => (s.action = 'DELETE'))).toEqual(['.action: not in enum']);
    expect(broken((s) => (s.revision = '2'))).toEqual(['.revision: string is not integer']);
    expect(broken((s) => (s.organiserName = 'x'))).toEqual(['.organiserName: unknown']);
    expect(broken((s) => (s.payload = { 'cortege.Concert': {} }))).toEqual([
      '.payload: matches 0 oneOf branches',
    ]);
    expect(broken((s) => (s.source = 'Préfecture 13'))).toEqual(['.source: no match']);
    expect(
      broken((_, e) => ((e.route as { coordinates: Json[] }).coordinates[0]!.lon = 181)),
    ).toEqual(['.payload: matches 0 oneOf branches']);
    expect(broken((s) => (s.submittedAt = 8.7e15))).toEqual([
      '.submittedAt: matches 0 oneOf branches',
    ]);
  });
});

describe('jsonSchemaOf', () => {
  it('keeps plain longs as integers when the type carries no logical types', () => {
    const type = Type.forSchema({
      type: 'record',
      name: 'x.At',
      fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
    });
    expect((jsonSchemaOf(type).properties as Json).at).toEqual({
      type: 'integer',
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
  });

  it('refuses a recursive record', () => {
    const type = Type.forSchema({
      type: 'record',
      name: 'x.Node',
      fields: [{ name: 'next', type: ['null', 'x.Node'] }],
    });
    expect(() => jsonSchemaOf(type)).toThrow("recursive Avro type 'x.Node'");
  });
});
