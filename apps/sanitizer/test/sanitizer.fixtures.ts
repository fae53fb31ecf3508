import { randomUUID } from 'node:crypto';
import type { Submission } from '@app/contracts';
import type { AvroSerde } from '@app/schema-registry';
import { sampleSubmissions } from '@app/testing';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A record to produce, and the dead-letter reason expected for it (none for a valid one). */
export interface Planted {
  readonly key: string;
  readonly value: Buffer;
  readonly reason?: string;
}

/** A fresh valid submission of one of the sample shapes. */
export function validSubmission(i: number): Submission {
  const shapes = Object.values(sampleSubmissions());
  return { ...(shapes[i % shapes.length] as Submission), eventId: randomUUID() };
}

/** The event record inside a sample of the given kind, editable. */
function withEvent(
  kind: 'moving' | 'static' | 'operation',
  edit: (e: Json, s: Json) => void,
): Submission {
  const s = clone(sampleSubmissions()[kind]) as unknown as Json;
  s.eventId = randomUUID();
  const payload = s.payload as Json;
  edit(payload[Object.keys(payload)[0] as string] as Json, s);
  return s as unknown as Submission;
}

const HOUR = 3_600_000;

/** One submission per semantic rule, each breaking that rule only, with the reason code. */
export const SEMANTIC_ERRORS: ReadonlyArray<readonly [string, () => Submission]> = [
  ['end_before_start', () => withEvent('moving', (e) => (e.endAt = (e.startAt as number) - HOUR))],
  ['invalid_uuid', () => withEvent('operation', (_e, s) => (s.eventId = 'not-a-uuid'))],
  ['invalid_revision', () => withEvent('operation', (_e, s) => (s.revision = 0))],
  ['missing_payload', () => ({ ...validSubmission(3), payload: null })],
  ['negative_count', () => withEvent('static', (e) => (e.peopleExpected = -3))],
  [
    'duration_too_long',
    () => withEvent('operation', (e) => (e.endAt = (e.startAt as number) + 100 * HOUR)),
  ],
  ['count_too_large', () => withEvent('moving', (e) => (e.peopleDeclared = 3_000_000))],
  [
    'route_too_short',
    () =>
      withEvent(
        'moving',
        (e) =>
          (e.route = {
            coordinates: [
              { lon: 5.37, lat: 43.29 },
              { lon: 5.37, lat: 43.29 },
            ],
          }),
      ),
  ],
  [
    'outside_area',
    () =>
      withEvent(
        'moving',
        (e) =>
          ((e.route as { coordinates: Json[] }).coordinates[2] = { lon: 2.3522, lat: 48.8566 }),
      ),
  ],
  [
    'self_intersecting_polygon',
    () =>
      withEvent('static', (e) => {
        const p = (lon: number, lat: number) => ({ lon, lat });
        e.footprint = {
          rings: [
            [p(5.379, 43.29), p(5.381, 43.292), p(5.381, 43.29), p(5.379, 43.292), p(5.379, 43.29)],
          ],
        };
      }),
  ],
  ['empty_address', () => withEvent('static', (e) => (e.address = '   '))],
  [
    'address_too_long',
    () => withEvent('moving', (e) => (e.arrivalAddress = `Boulevard ${'très '.repeat(80)}long`)),
  ],
  ['text_too_long', () => withEvent('operation', (e) => (e.subject = 'Opération '.repeat(60)))],
  ['no_address', () => withEvent('operation', (e) => (e.addresses = []))],
];

/** Deterministic pseudo-random bytes. */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * ≥ 1,000 bad records of every kind the sanitizer must dead-letter, each with a unique key
 * and its expected reason: random bytes, short records, wrong magic bytes, unknown schema ids,
 * truncated Avro, and every semantic rule.
 */
export function badCorpus(serde: AvroSerde<Submission>): Planted[] {
  const corpus: Planted[] = [];
  const encoded = (i: number) => serde.encode(validSubmission(i));
  for (let i = 0; i < 150; i++) {
    const value = bytes(i, 5 + (i % 60));
    value[0] = 1 + (i % 255);
    corpus.push({ key: `random-${i}`, value, reason: 'bad_magic_byte' });
  }
  for (let i = 0; i < 100; i++)
    corpus.push({ key: `short-${i}`, value: bytes(i + 1000, i % 5), reason: 'truncated_record' });
  for (let i = 0; i < 150; i++) {
    const value = encoded(i);
    value[0] = 1 + (i % 255);
    corpus.push({ key: `magic-${i}`, value, reason: 'bad_magic_byte' });
  }
  for (let i = 0; i < 150; i++) {
    const value = encoded(i);
    value.writeInt32BE(1_000_000_000 + i, 1);
    corpus.push({ key: `schema-${i}`, value, reason: 'unknown_schema_id' });
  }
  for (let i = 0; i < 150; i++) {
    const value = encoded(i);
    corpus.push({
      key: `cut-${i}`,
      value: value.subarray(0, 6 + (i % (value.length - 8))),
      reason: 'corrupt_body',
    });
  }
  for (let round = 0; round < 30; round++) {
    for (const [reason, make] of SEMANTIC_ERRORS) {
      corpus.push({ key: `rule-${reason}-${round}`, value: serde.encode(make()), reason });
    }
  }
  return corpus;
}
