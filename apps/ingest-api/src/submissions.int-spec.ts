import { parseSubmission, ViolationCode, type Submission } from '@app/contracts';
import { sampleSubmissions } from '@app/testing';
import {
  startIngestApi,
  type PublishedRecord,
  type RunningIngestApi,
} from '../test/ingest-api.harness';

type Json = Record<string, unknown>;
const json = <T>(v: T): Json => JSON.parse(JSON.stringify(v)) as Json;
const eventOf = (s: Json, kind: string) => (s.payload as Record<string, Json>)[kind] as Json;
const byKey = (records: readonly PublishedRecord[], eventId: string) =>
  records.filter((r) => r.key === eventId);

describe('POST /v1/submissions publishes to Kafka', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    api = await startIngestApi();
  });
  afterAll(async () => api?.close());

  it('publishes one submission of each kind, and a cancel, field for field', async () => {
    const samples = sampleSubmissions();
    for (const sample of Object.values(samples)) {
      const response = await api.submit(sample);
      expect(response.status).toBe(202);
      expect(response.json()).toEqual({
        accepted: [{ eventId: sample.eventId, revision: sample.revision, duplicate: false }],
      });
    }

    const records = await api.records();
    for (const sample of Object.values(samples)) {
      const [record, ...others] = byKey(records, sample.eventId);
      expect(others).toEqual([]);
      expect(record?.value).toEqual(sample);
      expect(record?.headers).toEqual({
        'cortege-producer': 'cortege-pp13',
        source: 'cortege-pp13',
        revision: String(sample.revision),
      });
    }
  });

  it('publishes a batch, answering in request order', async () => {
    const { moving, operation, visit } = sampleSubmissions();
    const before = await api.recordCount();

    const response = await api.submit([moving, operation, visit]);

    expect(response.status).toBe(202);
    expect(response.json()).toEqual({
      accepted: [moving, operation, visit].map((s) => ({
        eventId: s.eventId,
        revision: s.revision,
        duplicate: false,
      })),
    });
    expect(await api.recordCount()).toBe(before + 3);
    const records = await api.records();
    for (const s of [moving, operation, visit])
      expect(byKey(records, s.eventId).map((r) => r.value)).toEqual([s]);
  });

  it('reads the JSON shape: ISO date-times (local = Europe/Paris) and omitted defaults', async () => {
    const moving = json(sampleSubmissions().moving);
    const event = eventOf(moving, 'cortege.MovingDemonstration');
    moving.submittedAt = '2026-05-01T09:12:00+02:00';
    event.startAt = '2026-05-01T10:30';
    event.endAt = '2026-05-01T13:00';
    delete event.description;
    delete event.waypointAddresses;
    delete event.peopleDeclared;

    expect((await api.submit(moving)).status).toBe(202);

    const [record] = byKey(await api.records(), moving.eventId as string);
    const sent = record?.value.payload as unknown as Record<string, Json>;
    expect(record?.value.submittedAt).toBe(Date.parse('2026-05-01T07:12:00Z'));
    expect(sent['cortege.MovingDemonstration']).toMatchObject({
      startAt: Date.parse('2026-05-01T08:30:00Z'),
      endAt: Date.parse('2026-05-01T11:00:00Z'),
      description: null,
      waypointAddresses: [],
      peopleDeclared: null,
    });
    const normalised = parseSubmission(moving);
    expect(normalised.ok && record?.value).toEqual(normalised.ok && normalised.submission);
  });

  it('acknowledges a duplicate without publishing it again, and refuses a conflict with 409', async () => {
    const { visit } = sampleSubmissions();
    expect((await api.submit(visit)).status).toBe(202);
    const before = await api.recordCount();

    const again = await api.submit(visit);
    expect(again.status).toBe(202);
    expect(again.json()).toEqual({
      accepted: [{ eventId: visit.eventId, revision: 1, duplicate: true }],
    });

    const changed: Submission = { ...visit, source: 'another-application' };
    const conflict = await api.submit(changed);
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toMatchObject({
      error: 'revision_conflict',
      eventId: visit.eventId,
      revision: 1,
    });

    expect(await api.recordCount()).toBe(before);
    expect(byKey(await api.records(), visit.eventId).map((r) => r.value)).toEqual([visit]);
    // The next revision is new.
    const next = await api.submit({ ...changed, revision: 2 });
    expect(next.json()).toEqual({
      accepted: [{ eventId: visit.eventId, revision: 2, duplicate: false }],
    });
  });
});

describe('POST /v1/submissions refuses what breaks the contract or the limits, publishing nothing', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    api = await startIngestApi();
  });
  afterAll(async () => api?.close());
  afterEach(async () => expect(await api.recordCount()).toBe(0));

  const movingWith = (mutate: (envelope: Json, event: Json) => void) => {
    const s = json(sampleSubmissions().moving);
    mutate(s, eventOf(s, 'cortege.MovingDemonstration'));
    return s;
  };
  const violationsOf = (body: Json) =>
    (body.violations as Json[]).map((v) => [v.index, v.path, v.code]);

  it('a missing field, a wrong enum, an end before the start, wrong types: 400 with their paths', async () => {
    const cases: Array<[Json, Array<[number, string, ViolationCode]>]> = [
      [
        movingWith((_, e) => delete e.arrivalAddress),
        [[0, 'payload.cortege.MovingDemonstration.arrivalAddress', ViolationCode.MissingField]],
      ],
      [
        movingWith((_, e) => (e.organiserStatus = 'COMPANY')),
        [[0, 'payload.cortege.MovingDemonstration.organiserStatus', ViolationCode.InvalidEnum]],
      ],
      [
        movingWith((_, e) => (e.endAt = e.startAt)),
        [[0, 'payload.cortege.MovingDemonstration.endAt', ViolationCode.EndBeforeStart]],
      ],
      [
        movingWith((s, e) => {
          s.revision = '2';
          e.peopleExpected = 'beaucoup';
        }),
        [
          [0, 'revision', ViolationCode.WrongType],
          [0, 'payload.cortege.MovingDemonstration.peopleExpected', ViolationCode.WrongType],
        ],
      ],
    ];
    for (const [body, expected] of cases) {
      const response = await api.submit(body);
      expect(response.status).toBe(400);
      expect(response.json().error).toBe('invalid_submission');
      expect(violationsOf(response.json())).toEqual(expected);
    }
  });

  it('an unknown enum, a negative count and an end before the start: one 400 listing the three', async () => {
    const base = 'payload.cortege.MovingDemonstration';
    const three = movingWith((_, e) => {
      e.organiserStatus = 'COMPANY';
      e.peopleDeclared = -3;
      e.endAt = e.startAt;
    });
    const response = await api.submit(three);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_submission' });
    expect(response.json().truncated).toBeUndefined();
    expect(violationsOf(response.json())).toEqual([
      [0, `${base}.organiserStatus`, ViolationCode.InvalidEnum],
      [0, `${base}.endAt`, ViolationCode.EndBeforeStart],
      [0, `${base}.peopleDeclared`, ViolationCode.NegativeCount],
    ]);

    // The sanitizer's rules too, with its policy: what the stage would dead-letter is a 400.
    const four = movingWith((_, e) => {
      e.organiserStatus = 'COMPANY';
      e.peopleDeclared = -3;
      e.endAt = e.startAt;
      e.route = {
        coordinates: [
          { lon: 2.35, lat: 48.85 },
          { lon: 5.37, lat: 43.29 },
        ],
      };
    });
    const withRule = await api.submit(four);
    expect(withRule.status).toBe(400);
    expect(violationsOf(withRule.json())).toEqual([
      [0, `${base}.organiserStatus`, ViolationCode.InvalidEnum],
      [0, `${base}.endAt`, ViolationCode.EndBeforeStart],
      [0, `${base}.peopleDeclared`, ViolationCode.NegativeCount],
      [0, `${base}.route.coordinates.0`, 'outside_area'],
    ]);

    // More than 100 in a submission: the first 100, truncated, and how many were left out.
    const many = movingWith(
      (_, e) => (e.waypointAddresses = Array.from({ length: 130 }, () => '')),
    );
    const cut = await api.submit(many);
    expect(cut.status).toBe(400);
    expect(cut.json()).toMatchObject({ truncated: true, violationsOmitted: 30 });
    expect(violationsOf(cut.json())).toHaveLength(100);
  });

  it('a batch with one invalid submission: 400 naming its index; the valid ones are not published', async () => {
    const { visit, operation } = sampleSubmissions();
    const broken = movingWith((_, e) => (e.startAt = 'demain matin'));

    const response = await api.submit([visit, broken, operation]);

    expect(response.status).toBe(400);
    expect(violationsOf(response.json())).toEqual([
      [1, 'payload.cortege.MovingDemonstration.startAt', ViolationCode.InvalidDate],
    ]);
  });

  it('malformed JSON: 400 malformed_json', async () => {
    const response = await api.submit('{"eventId": "x",');
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'malformed_json' });
  });

  it('a body over 1 MiB, declared or chunked: 413 with the limit', async () => {
    const huge = movingWith((_, e) => (e.description = 'x'.repeat(1_100_000)));
    const declared = await api.submit(huge);
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ error: 'payload_too_large', limitBytes: 1_048_576 });

    const text = Buffer.from(JSON.stringify(huge));
    const chunks = Array.from({ length: 12 }, (_, i) =>
      text.subarray(i * 100_000, (i + 1) * 100_000),
    );
    const chunked = await api.submit(undefined, { body: chunks });
    expect(chunked.status).toBe(413);
    expect(chunked.json()).toMatchObject({ error: 'payload_too_large', limitBytes: 1_048_576 });
  });

  it('a batch of 501: 413 naming the limit of 500', async () => {
    const { visit } = sampleSubmissions();
    const response = await api.submit(Array.from({ length: 501 }, () => visit));
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: 'batch_too_large', limit: 500, length: 501 });
  });

  it('a route of 10,001 positions: 413 with the field path', async () => {
    const long = movingWith((_, e) => {
      e.route = {
        coordinates: Array.from({ length: 10_001 }, (_, i) => ({
          lon: 5.36 + i * 1e-6,
          lat: 43.29,
        })),
      };
    });
    const response = await api.submit(long);
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({
      error: 'too_many_points',
      index: 0,
      path: 'payload.cortege.MovingDemonstration.route.coordinates',
      limit: 10_000,
      length: 10_001,
    });
  });

  it('a body that is not JSON: 415', async () => {
    const response = await api.submit('eventId=1', { headers: { 'Content-Type': 'text/plain' } });
    expect(response.status).toBe(415);
    expect(response.json()).toMatchObject({ error: 'unsupported_media_type' });
  });
});
