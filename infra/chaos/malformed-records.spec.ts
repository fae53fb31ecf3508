import { Type } from 'avsc';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { sanitizationPolicy, sanitize } from '@app/sanitization';
import { AvroSerde, SerdeError, type RegistryClient } from '@app/schema-registry';
import { parseBatch } from '../../apps/ingest-api/src';
import {
  MALFORMED_KINDS,
  malformedRecords,
  wire,
  type MalformedKind,
  type SchemaIds,
} from './malformed-records';

const IDS: SchemaIds = { submission: 1, presence: 2 };
const API_LIMITS = { maxBatch: 500, maxRoutePoints: 10_000 };

/** A registry that knows the two schemas by the ids above and nothing else (404). */
const registry = {
  writerType: (id: number) => {
    if (id === IDS.submission) return Promise.resolve(Type.forSchema(SUBMISSION_SCHEMA as never));
    if (id === IDS.presence) return Promise.resolve(Type.forSchema(PRESENCE_SCHEMA as never));
    return Promise.reject(Object.assign(new Error('Schema not found'), { status: 404 }));
  },
} as unknown as RegistryClient;

/**
 * What the sanitizer says of these bytes: its gate first (of the two schemas, only the
 * submission's is approved; an unknown id is left to the decoder), then its decode's error
 * code, or 'decoded'.
 */
async function decodeOutcome(bytes: Buffer | null): Promise<string> {
  if (AvroSerde.writerIdOf(bytes) === IDS.presence) return 'unapproved_schema';
  const serde = AvroSerde.forDecoding<Submission>(registry, 'chaos', SUBMISSION_SCHEMA);
  try {
    await serde.decode(bytes);
    return 'decoded';
  } catch (error) {
    return error instanceof SerdeError ? error.code : String(error);
  }
}

function apiAccepts(submission: Submission): boolean {
  try {
    parseBatch([JSON.parse(JSON.stringify(submission))], API_LIMITS, sanitizationPolicy());
    return true;
  } catch {
    return false;
  }
}

describe('malformedRecords (what the chaos run produces, and how each must end)', () => {
  const records = malformedRecords(600, 3);

  it('makes the count asked, every kind at least once, under unique keys, deterministically', () => {
    expect(records).toHaveLength(600);
    expect(new Set(records.map((r) => r.kind))).toEqual(new Set(Object.keys(MALFORMED_KINDS)));
    expect(new Set(records.map((r) => r.key)).size).toBe(600);
    expect(malformedRecords(600, 3).map((r) => [r.key, r.kind, r.via])).toEqual(
      records.map((r) => [r.key, r.kind, r.via]),
    );
    expect(() => malformedRecords(3, 1)).toThrow(RangeError);
  });

  it('sends through the API only what the API accepts, and the API refuses what goes straight to the topic', () => {
    for (const record of records) {
      if (record.body.form !== 'submission' || record.kind === 'over_broker_limit') continue;
      const accepted = apiAccepts(record.body.submission);
      if (record.via === 'api')
        expect({ kind: record.kind, accepted }).toEqual({ kind: record.kind, accepted: true });
      if (MALFORMED_KINDS[record.kind].via === 'topic')
        expect({ kind: record.kind, accepted }).toEqual({ kind: record.kind, accepted: false });
    }
    const vias = (kind: MalformedKind) =>
      new Set(records.filter((r) => r.kind === kind).map((r) => r.via));
    // The API applies the sanitizer's rules too (#17): only what they cannot see goes through it.
    expect(vias('outside_area')).toEqual(new Set(['topic']));
    expect(vias('geocode_not_found')).toEqual(new Set(['api', 'topic']));
    expect(vias('no_magic_byte')).toEqual(new Set(['topic']));
  });

  it('gives wire garbage the reason the sanitizer’s decoder gives it', async () => {
    for (const record of records) {
      if (record.body.form !== 'bytes') continue;
      const expected = MALFORMED_KINDS[record.kind].expected;
      expect({ kind: record.kind, outcome: await decodeOutcome(record.body.build(IDS)) }).toEqual({
        kind: record.kind,
        outcome: 'deadLetter' in expected ? expected.deadLetter.reason : 'none',
      });
    }
  });

  it('gives valid Avro the first violation the sanitizer finds, and the geocoding kind none', async () => {
    const type = Type.forSchema(SUBMISSION_SCHEMA as never);
    for (const record of records) {
      if (record.body.form !== 'submission') continue;
      const { submission } = record.body;
      expect({ kind: record.kind, valid: type.isValid(submission) }).toEqual({
        kind: record.kind,
        valid: true,
      });
      // Through the wire format and back, as the sanitizer reads it.
      expect(await decodeOutcome(wire(IDS.submission, type.toBuffer(submission)))).toBe('decoded');
      const result = sanitize(submission);
      const expected = MALFORMED_KINDS[record.kind].expected;
      const reason = result.outcome === 'rejected' ? result.violations[0]?.code : 'clean';
      const wanted =
        'refusedBy' in expected || expected.deadLetter.stage === 'locator'
          ? 'clean'
          : expected.deadLetter.reason;
      expect({ kind: record.kind, reason }).toEqual({
        kind: record.kind,
        reason: record.kind === 'over_broker_limit' ? 'text_too_long' : wanted,
      });
    }
  });

  it('makes the over-limit record larger than the broker’s 1 MB and the other oversized ones smaller', () => {
    const type = Type.forSchema(SUBMISSION_SCHEMA as never);
    const size = (kind: MalformedKind) => {
      const record = records.find((r) => r.kind === kind);
      return record?.body.form === 'submission' ? type.toBuffer(record.body.submission).length : 0;
    };
    expect(size('over_broker_limit')).toBeGreaterThan(1_048_588);
    for (const kind of ['route_too_long', 'polygon_too_large', 'huge_description'] as const) {
      expect(size(kind)).toBeGreaterThan(100_000);
      expect(size(kind)).toBeLessThan(1_000_000);
    }
  });
});
