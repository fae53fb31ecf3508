import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { areaCells, MARSEILLE, presenceRecords, sampleSubmissions, uniqueName } from '@app/testing';
import { AvroSerde, valueSubject } from './avro-serde';
import { RegistryClient } from './registry.client';
import { SerdeError, SerdeErrorCode } from './serde.error';

const config = loadConfig();
const registry = new RegistryClient(config.registry.url);

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function codeOf(promise: Promise<unknown>): Promise<[SerdeErrorCode | string, boolean]> {
  try {
    await promise;
    return ['decoded', false];
  } catch (error) {
    return error instanceof SerdeError ? [error.code, error.retriable] : [String(error), false];
  }
}

describe('AvroSerde against the registry', () => {
  it('round-trips a submission of every kind in the Confluent wire format', async () => {
    const serde = await AvroSerde.register<Submission>(
      registry,
      uniqueName('serde.roundtrip'),
      SUBMISSION_SCHEMA,
    );
    for (const sample of Object.values(sampleSubmissions())) {
      const bytes = serde.encode(sample);
      expect(bytes[0]).toBe(0);
      expect(bytes.readInt32BE(1)).toBe(serde.schemaId);
      expect(await serde.decode(bytes)).toEqual(sample);
    }
  });

  it('classifies every undecodable record as poison, with its reason', async () => {
    const serde = await AvroSerde.register<Submission>(
      registry,
      uniqueName('serde.poison'),
      SUBMISSION_SCHEMA,
    );
    const good = serde.encode(sampleSubmissions().moving);
    const withId = (id: number) => {
      const copy = Buffer.from(good);
      copy.writeInt32BE(id, 1);
      return copy;
    };
    const cases: Array<[string, Buffer | null, SerdeErrorCode]> = [
      ['null value', null, SerdeErrorCode.Truncated],
      ['three bytes', Buffer.from([0, 0, 1]), SerdeErrorCode.Truncated],
      [
        'magic byte 1',
        Buffer.concat([Buffer.from([1]), good.subarray(1)]),
        SerdeErrorCode.BadMagicByte,
      ],
      ['JSON text', Buffer.from('{"eventId":"x"}'), SerdeErrorCode.BadMagicByte],
      ['unknown schema id', withId(2_000_000_000), SerdeErrorCode.UnknownSchemaId],
      [
        'truncated Avro body',
        good.subarray(0, Math.floor(good.length / 2)),
        SerdeErrorCode.CorruptBody,
      ],
      ['trailing bytes', Buffer.concat([good, Buffer.from([1, 2, 3])]), SerdeErrorCode.CorruptBody],
      [
        'garbage body',
        Buffer.concat([good.subarray(0, 5), Buffer.alloc(40, 0xff)]),
        SerdeErrorCode.CorruptBody,
      ],
    ];
    for (const [what, bytes, code] of cases) {
      expect([what, ...(await codeOf(serde.decode(bytes)))]).toEqual([what, code, false]);
    }
  });

  it('says the registry is unavailable, as a retriable error, when it does not answer', async () => {
    const serde = await AvroSerde.register<Submission>(
      registry,
      uniqueName('serde.down'),
      SUBMISSION_SCHEMA,
    );
    const bytes = serde.encode(sampleSubmissions().visit);
    const unreachable = AvroSerde.forDecoding<Submission>(
      new RegistryClient('http://127.0.0.1:9/apis/ccompat/v7'),
      'serde.down',
      SUBMISSION_SCHEMA,
    );
    expect(await codeOf(unreachable.decode(bytes))).toEqual([
      SerdeErrorCode.RegistryUnavailable,
      true,
    ]);
  });

  it('refuses to encode a value that does not match, naming the field', () => {
    return AvroSerde.register<Submission>(
      registry,
      uniqueName('serde.encode'),
      SUBMISSION_SCHEMA,
    ).then((serde) => {
      const bad = clone(sampleSubmissions().operation) as unknown as Json;
      bad.revision = 'two';
      expect(() => serde.encode(bad as unknown as Submission)).toThrow(/revision/);
    });
  });

  it('reads records of an older writer into the pinned reader shape', async () => {
    const topic = uniqueName('serde.evolution');
    // An older writer: the envelope without `source` is impossible (no default), so the older
    // writer is a visit that had no `description` yet — the current reader defaults it to null.
    const older = clone(SUBMISSION_SCHEMA) as unknown as {
      fields: Array<{ name: string; type: unknown }>;
    };
    const payload = older.fields.find((f) => f.name === 'payload') as {
      type: Array<{ name?: string; fields?: Array<{ name: string }> }>;
    };
    for (const branch of payload.type) {
      if (branch.fields) branch.fields = branch.fields.filter((f) => f.name !== 'description');
    }
    const oldWriter = await AvroSerde.register<Json>(registry, topic, older);
    const current = await AvroSerde.register<Submission>(registry, topic, SUBMISSION_SCHEMA);
    expect(current.schemaId).not.toBe(oldWriter.schemaId);

    const visit = clone(sampleSubmissions().visit) as unknown as Json;
    const event = (visit.payload as Json)['cortege.OfficialVisit'] as Json;
    delete event.description;
    const decoded = await current.decode(oldWriter.encode(visit));
    expect(decoded).toEqual({
      ...visit,
      payload: { 'cortege.OfficialVisit': { ...event, description: null } },
    });
  });
  it('evolves the presence schema both ways: records without text read as null, older readers skip it', async () => {
    const topic = uniqueName('serde.presence');
    // The presence schema before it carried the scrubbed subject and description.
    const older = clone(PRESENCE_SCHEMA) as unknown as { fields: Array<{ name: string }> };
    older.fields = older.fields.filter((f) => f.name !== 'subject' && f.name !== 'description');
    const oldWriter = await AvroSerde.register<Json>(registry, topic, older);
    const current = await AvroSerde.register<Presence>(registry, topic, PRESENCE_SCHEMA);
    expect(current.schemaId).not.toBe(oldWriter.schemaId);

    const [record] = presenceRecords({
      eventId: '00000000-0000-4000-8000-0000000000a1',
      revision: 1,
      kind: 'STATIC_DEMONSTRATION',
      subject: 'Rassemblement, contact [PHONE]',
      description: null,
      startAt: 0,
      endAt: 3_600_000,
      cells: areaCells(MARSEILLE.vieuxPort, 0, 0, 3_600_000),
    });
    const { subject: _s, description: _d, ...withoutText } = record as Presence;
    expect(await current.decode(oldWriter.encode(withoutText))).toEqual({
      ...withoutText,
      subject: null,
      description: null,
    });
    const oldReader = AvroSerde.forDecoding<Json>(registry, topic, older);
    expect(await oldReader.decode(current.encode(record as Presence))).toEqual(withoutText);
  });
});

describe('schema evolution on the registry (FULL_TRANSITIVE)', () => {
  const base = {
    type: 'record',
    name: 'Probe',
    namespace: 'cortege.test',
    fields: [
      { name: 'eventId', type: 'string' },
      { name: 'people', type: 'int' },
    ],
  };

  async function refusal(topic: string, schema: object): Promise<SerdeError> {
    try {
      await AvroSerde.register(registry, topic, schema);
    } catch (error) {
      if (error instanceof SerdeError) return error;
      throw error;
    }
    throw new Error('the registry accepted an incompatible schema');
  }

  it('registers a compatible change: a new optional field with a default', async () => {
    const topic = uniqueName('evolution.ok');
    const v1 = await AvroSerde.register(registry, topic, base);
    const v2 = await AvroSerde.register(registry, topic, {
      ...base,
      fields: [...base.fields, { name: 'cars', type: ['null', 'int'], default: null }],
    });
    expect(v2.schemaId).not.toBe(v1.schemaId);
    expect(v2.subject).toBe(valueSubject(topic));
  });

  it('refuses a removed field without default, and says which', async () => {
    const topic = uniqueName('evolution.removed');
    await AvroSerde.register(registry, topic, base);
    const error = await refusal(topic, { ...base, fields: [base.fields[0]] });
    expect(error.code).toBe(SerdeErrorCode.IncompatibleSchema);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/people/);
  });

  it('refuses a changed type, and says which', async () => {
    const topic = uniqueName('evolution.type');
    await AvroSerde.register(registry, topic, base);
    const error = await refusal(topic, {
      ...base,
      fields: [base.fields[0], { name: 'people', type: 'string' }],
    });
    expect(error.code).toBe(SerdeErrorCode.IncompatibleSchema);
    expect(error.message).toMatch(/STRING not compatible with writer type: INT|INT not compatible/);
  });

  it('refuses a new field without default, even after a compatible version (transitive)', async () => {
    const topic = uniqueName('evolution.transitive');
    await AvroSerde.register(registry, topic, base);
    await AvroSerde.register(registry, topic, {
      ...base,
      fields: [...base.fields, { name: 'cars', type: ['null', 'int'], default: null }],
    });
    const error = await refusal(topic, {
      ...base,
      fields: [...base.fields, { name: 'theme', type: 'string' }],
    });
    expect(error.code).toBe(SerdeErrorCode.IncompatibleSchema);
    expect(error.message).toMatch(/theme/);
  });
});
