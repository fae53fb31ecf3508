/**
 * The chaos run's malformed records: every way a submission can be refused downstream of the
 * ingest API — wire garbage, unknown or wrong schema ids, valid Avro whose content breaks a
 * sanitizer rule, oversized records, places no geocoder finds — each with the dead-letter
 * reason (and stage) it must end with, so the run can check the dead letters hold exactly them.
 *
 * Records the API would refuse (wire garbage, contract violations, more positions than it
 * takes) are produced straight onto the submissions topic; the others alternate between the
 * API and the topic. Deterministic for a seed; the schema ids are the registry's, known only
 * when producing (`SchemaIds`).
 */
import { Type } from 'avsc';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import {
  sampleMoving,
  sampleOperation,
  sampleStatic,
  sampleVisit,
  seededRandom,
} from '@app/testing';
import { chaosUuid, CHAOS_SOURCE } from './chaos-input';

/** The ids the registry gives the schemas now (they change when an in-memory registry restarts). */
export interface SchemaIds {
  /** `cortege.Submission` under the submissions topic's subject. */
  readonly submission: number;
  /** `cortege.Presence` (the locator's), which no submission reader can resolve. */
  readonly presence: number;
}

/** How a malformed record must end. */
export type ExpectedOutcome =
  | { readonly deadLetter: { readonly reason: string; readonly stage: 'sanitizer' | 'locator' } }
  /** Too large for the broker (`max.message.bytes`): the produce fails, nothing reaches a topic. */
  | { readonly refusedBy: 'broker' };

export type MalformedBody =
  /** Raw bytes (or a null value) for the topic, built once the schema ids are known. */
  | { readonly form: 'bytes'; readonly build: (ids: SchemaIds) => Buffer | null }
  /** A record of the contract's Avro shape whose content breaks a rule. */
  | { readonly form: 'submission'; readonly submission: Submission };

export interface MalformedRecord {
  /** The record's Kafka key, unique in the run: what its dead letter is found by. */
  readonly key: string;
  readonly kind: MalformedKind;
  /** Through the ingest API (JSON), or produced straight onto the submissions topic. */
  readonly via: 'api' | 'topic';
  readonly expected: ExpectedOutcome;
  readonly body: MalformedBody;
  /**
   * The event id inside, when the record carries a submission (garbled bytes around a valid
   * body included): such an event in the tables means a malformed record got through.
   */
  readonly eventId?: string;
}

interface KindSpec {
  readonly expected: ExpectedOutcome;
  /** `topic`: the API refuses it (or it is not JSON at all); `either`: the API accepts it. */
  readonly via: 'topic' | 'either';
  /** Relative share among the malformed records (every kind gets at least one). */
  readonly weight: number;
}

const sanitizer = (reason: string): ExpectedOutcome => ({
  deadLetter: { reason, stage: 'sanitizer' },
});

/** Every kind of malformed record, what it must end as, and how it travels. */
export const MALFORMED_KINDS = {
  // Wire garbage.
  no_magic_byte: { expected: sanitizer('bad_magic_byte'), via: 'topic', weight: 10 },
  truncated_header: { expected: sanitizer('truncated_record'), via: 'topic', weight: 5 },
  empty_value: { expected: sanitizer('truncated_record'), via: 'topic', weight: 2 },
  null_value: { expected: sanitizer('truncated_record'), via: 'topic', weight: 2 },
  truncated_body: { expected: sanitizer('corrupt_body'), via: 'topic', weight: 8 },
  trailing_bytes: { expected: sanitizer('corrupt_body'), via: 'topic', weight: 4 },
  // Schema ids.
  unknown_schema_id: { expected: sanitizer('unknown_schema_id'), via: 'topic', weight: 8 },
  // The presence schema's id: a schema never approved for the contract (#18), refused as such
  // before the stage tries to read it.
  wrong_schema: { expected: sanitizer('unapproved_schema'), via: 'topic', weight: 5 },
  // Valid Avro the contract refuses (so does the API).
  end_before_start: { expected: sanitizer('end_before_start'), via: 'topic', weight: 6 },
  negative_count: { expected: sanitizer('negative_count'), via: 'topic', weight: 5 },
  invalid_uuid: { expected: sanitizer('invalid_uuid'), via: 'topic', weight: 3 },
  invalid_revision: { expected: sanitizer('invalid_revision'), via: 'topic', weight: 3 },
  missing_payload: { expected: sanitizer('missing_payload'), via: 'topic', weight: 3 },
  invalid_coordinate: { expected: sanitizer('invalid_coordinate'), via: 'topic', weight: 2 },
  // Valid for the contract, refused by the sanitizer's rules (the API applies them too, #17).
  outside_area: { expected: sanitizer('outside_area'), via: 'topic', weight: 6 },
  duration_too_long: { expected: sanitizer('duration_too_long'), via: 'topic', weight: 5 },
  count_too_large: { expected: sanitizer('count_too_large'), via: 'topic', weight: 4 },
  route_too_short: { expected: sanitizer('route_too_short'), via: 'topic', weight: 3 },
  self_intersecting_polygon: {
    expected: sanitizer('self_intersecting_polygon'),
    via: 'topic',
    weight: 3,
  },
  empty_address: { expected: sanitizer('empty_address'), via: 'topic', weight: 3 },
  no_address: { expected: sanitizer('no_address'), via: 'topic', weight: 3 },
  text_too_long: { expected: sanitizer('text_too_long'), via: 'topic', weight: 3 },
  address_too_long: { expected: sanitizer('address_too_long'), via: 'topic', weight: 3 },
  // Oversized: more positions than the API takes, a description of 200 kB, and a record
  // above the broker's 1 MB limit.
  route_too_long: { expected: sanitizer('route_too_long'), via: 'topic', weight: 0.2 },
  polygon_too_large: { expected: sanitizer('polygon_too_large'), via: 'topic', weight: 0.2 },
  huge_description: { expected: sanitizer('text_too_long'), via: 'topic', weight: 0.2 },
  over_broker_limit: { expected: { refusedBy: 'broker' }, via: 'topic', weight: 0.03 },
  // Clean for the sanitizer, but none of its places exists: the locator dead-letters it.
  geocode_not_found: {
    expected: { deadLetter: { reason: 'geocode_not_found', stage: 'locator' } },
    via: 'either',
    weight: 4,
  },
} as const satisfies Record<string, KindSpec>;

export type MalformedKind = keyof typeof MALFORMED_KINDS;

/** Places no gazetteer holds (checked by the chaos input's integration test). */
export const NOWHERE_ADDRESSES = [
  'Impasse Zéphyrin Qwertz, 13099 Marseille',
  'Chemin des Xylophages Bleus, 13098 Marseille',
  'Allée Kwyjibo, 13097 Marseille',
] as const;

/** A schema id no registry of this project hands out (Apicurio counts from 1). */
export const UNKNOWN_SCHEMA_ID = 2_000_000_000;

const submissionType = Type.forSchema(SUBMISSION_SCHEMA as never);

/** Confluent wire format by hand: magic 0, the schema id (4 bytes, big-endian), the body. */
export function wire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Avro body of a valid submission (what a producer writes after the 5-byte header). */
export function avroBody(submission: Submission): Buffer {
  return submissionType.toBuffer(submission);
}

/**
 * `count` malformed records for `seed`: every kind at least once, the rest shared by weight,
 * in a seeded shuffled order.
 */
export function malformedRecords(count: number, seed: number): MalformedRecord[] {
  const kinds = Object.keys(MALFORMED_KINDS) as MalformedKind[];
  if (!Number.isInteger(count) || count < kinds.length)
    throw new RangeError(
      `at least ${kinds.length} malformed records (one of each kind), got ${count}`,
    );
  const random = seededRandom(seed * 40_503 + 11);
  const totalWeight = kinds.reduce((sum, k) => sum + MALFORMED_KINDS[k].weight, 0);
  const counts = new Map(
    kinds.map((k) => [
      k,
      Math.max(1, Math.floor((count * MALFORMED_KINDS[k].weight) / totalWeight)),
    ]),
  );
  // Whatever rounding left goes to the cheapest kind.
  const assigned = [...counts.values()].reduce((a, b) => a + b, 0);
  counts.set('no_magic_byte', (counts.get('no_magic_byte') ?? 0) + count - assigned);
  const order = kinds.flatMap((k) => Array.from({ length: counts.get(k) ?? 0 }, () => k));
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as MalformedKind, order[i] as MalformedKind];
  }
  const seen = new Map<MalformedKind, number>();
  return order.map((kind, n) => {
    const nth = seen.get(kind) ?? 0;
    seen.set(kind, nth + 1);
    const spec: KindSpec = MALFORMED_KINDS[kind];
    const via = spec.via === 'topic' || nth % 2 === 1 ? 'topic' : 'api';
    return buildRecord(kind, via, spec.expected, n, seed, random);
  });
}

function buildRecord(
  kind: MalformedKind,
  via: 'api' | 'topic',
  expected: ExpectedOutcome,
  n: number,
  seed: number,
  random: () => number,
): MalformedRecord {
  const eventId = chaosUuid(`chaos/${seed}/malformed/${n}`);
  const bytesKey = `chaos-malformed-${seed}-${n}`;
  const randomBytes = (length: number) =>
    Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  const bytes = (
    build: (ids: SchemaIds) => Buffer | null,
    inside?: Submission,
  ): MalformedRecord => ({
    key: bytesKey,
    kind,
    via,
    expected,
    body: { form: 'bytes', build },
    ...(inside ? { eventId: inside.eventId } : {}),
  });
  const content = (submission: Submission): MalformedRecord => ({
    key: submission.eventId,
    kind,
    via,
    expected,
    body: { form: 'submission', submission },
    eventId: submission.eventId,
  });
  // A realistic base of each kind, on the chaos run's own ids and a day of its own.
  const envelope = { eventId, revision: 1, source: CHAOS_SOURCE };
  const startAt = Date.UTC(2027, 0, 4, 9, 0) + Math.floor(random() * 300) * 86_400_000;
  const endAt = startAt + 2 * 3_600_000;
  const moving = (patch: Parameters<typeof sampleMoving>[0] = {}) => ({
    ...sampleMoving({ startAt, endAt, ...patch }),
    ...envelope,
  });
  const rally = (patch: Parameters<typeof sampleStatic>[0] = {}) => ({
    ...sampleStatic({ startAt, endAt, ...patch }),
    ...envelope,
  });
  const operation = (patch: Parameters<typeof sampleOperation>[0] = {}) => ({
    ...sampleOperation({ startAt, endAt, ...patch }),
    ...envelope,
  });
  const visit = (patch: Parameters<typeof sampleVisit>[0] = {}) => ({
    ...sampleVisit({ startAt, endAt, ...patch }),
    ...envelope,
  });
  const valid = (): Submission => [moving, rally, operation, visit][n % 4]?.() as Submission;

  switch (kind) {
    case 'no_magic_byte':
      return bytes(() => Buffer.concat([Buffer.from([1 + (n % 255)]), randomBytes(8 + (n % 64))]));
    case 'truncated_header':
      return bytes(() => Buffer.from([0, ...randomBytes(n % 4)]).subarray(0, 1 + (n % 4)));
    case 'empty_value':
      return bytes(() => Buffer.alloc(0));
    case 'null_value':
      return bytes(() => null);
    case 'truncated_body': {
      const inside = valid();
      const body = avroBody(inside);
      return bytes(
        (ids) => wire(ids.submission, body.subarray(0, Math.floor(body.length / 2))),
        inside,
      );
    }
    case 'trailing_bytes': {
      const inside = valid();
      const body = avroBody(inside);
      return bytes((ids) => wire(ids.submission, Buffer.concat([body, randomBytes(3)])), inside);
    }
    case 'unknown_schema_id': {
      const inside = valid();
      const body = avroBody(inside);
      return bytes(() => wire(UNKNOWN_SCHEMA_ID + (n % 1000), body), inside);
    }
    case 'wrong_schema': {
      const inside = valid();
      const body = avroBody(inside);
      return bytes((ids) => wire(ids.presence, body), inside);
    }
    case 'end_before_start':
      return content(moving({ endAt: startAt - 3_600_000 }));
    case 'negative_count':
      return content(rally({ peopleExpected: -1 - (n % 500) }));
    case 'invalid_uuid':
      return content({ ...visit(), eventId: `chaos-not-a-uuid-${seed}-${n}` });
    case 'invalid_revision':
      return content({ ...operation(), revision: 0 });
    case 'missing_payload':
      return content({ ...visit(), payload: null });
    case 'invalid_coordinate':
      return content(
        moving({
          route: {
            coordinates: [
              { lon: 5.3698, lat: 43.2954 },
              { lon: Number.NaN, lat: 43.2966 },
            ],
          },
        }),
      );
    case 'outside_area':
      // A route that ends in Paris: somebody swapped a file.
      return content(
        moving({
          route: {
            coordinates: [
              { lon: 5.3698, lat: 43.2954 },
              { lon: 2.3522, lat: 48.8566 },
            ],
          },
        }),
      );
    case 'duration_too_long':
      return content(operation({ endAt: startAt + (73 + (n % 100)) * 3_600_000 }));
    case 'count_too_large':
      return content(moving({ peopleExpected: 2_000_001 + n }));
    case 'route_too_short':
      return content(
        moving({
          route: {
            coordinates: [
              { lon: 5.3698, lat: 43.2954 },
              { lon: 5.3698, lat: 43.2954 },
            ],
          },
        }),
      );
    case 'self_intersecting_polygon':
      // A bow tie: the ring crosses itself.
      return content(
        rally({
          footprint: {
            rings: [
              [
                { lon: 5.3791, lat: 43.2903 },
                { lon: 5.3801, lat: 43.2911 },
                { lon: 5.3801, lat: 43.2903 },
                { lon: 5.3791, lat: 43.2911 },
                { lon: 5.3791, lat: 43.2903 },
              ],
            ],
          },
        }),
      );
    case 'empty_address':
      return content(rally({ address: '   ' }));
    case 'no_address':
      return content(visit({ addresses: [] }));
    case 'text_too_long':
      return content(operation({ subject: 'Opération '.repeat(60) }));
    case 'address_too_long':
      return content(
        rally({ address: `${'Résidence Les Jardins, bâtiment B, '.repeat(10)}13001 Marseille` }),
      );
    case 'route_too_long':
      return content(
        moving({
          route: {
            coordinates: Array.from({ length: 10_001 + (n % 100) }, (_, i) => ({
              lon: 5.37 + i * 1e-6,
              lat: 43.29 + i * 1e-6,
            })),
          },
        }),
      );
    case 'polygon_too_large': {
      const points = 10_001 + (n % 100);
      const ring = Array.from({ length: points }, (_, i) => {
        const angle = (2 * Math.PI * i) / points;
        return { lon: 5.38 + 0.001 * Math.cos(angle), lat: 43.29 + 0.001 * Math.sin(angle) };
      });
      return content(rally({ footprint: { rings: [[...ring, ring[0] as (typeof ring)[0]]] } }));
    }
    case 'huge_description':
      return content(visit({ description: 'Cortège officiel et escorte. '.repeat(7_000) }));
    case 'over_broker_limit':
      return content(visit({ description: 'Dossier de presse complet. '.repeat(50_000) }));
    case 'geocode_not_found':
      return content(
        operation({
          addresses: [NOWHERE_ADDRESSES[n % NOWHERE_ADDRESSES.length] as string],
        }),
      );
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}

/** The reason a dead letter of this outcome must carry, or undefined when none may exist. */
export function expectedReason(outcome: ExpectedOutcome): string | undefined {
  return 'deadLetter' in outcome ? outcome.deadLetter.reason : undefined;
}
