import { loadConfig } from '@app/config';
import { submissionJsonSchema } from '@app/contracts';
import { parseBatch } from './submission-batch';
import { IngestError } from './ingest.error';
import { sanitizationPolicy } from '@app/sanitization';
import { sampleSubmissions } from '@app/testing';
import { sanitize } from '@app/sanitization';
import {
  FORBIDDEN_EXAMPLES,
  MULTI_VIOLATION_EXAMPLE,
  openApiDocument,
  STATUS_EXAMPLES,
} from './openapi.document';

/** Every `$ref` string in a document. */
const refsOf = (node: unknown): string[] =>
  Array.isArray(node)
    ? node.flatMap(refsOf)
    : typeof node === 'object' && node !== null
      ? Object.entries(node).flatMap(([k, v]) =>
          k === '$ref' && typeof v === 'string' ? [v] : refsOf(v),
        )
      : [];

describe('openApiDocument', () => {
  const document = openApiDocument(loadConfig({ INGEST_MAX_BATCH: '42' }).ingest) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { responses: Record<string, unknown>; security?: unknown }>
    >;
    components: { schemas: Record<string, Record<string, unknown>> };
  };

  it('is OpenAPI 3.1 with the submission schema derived from the Avro contract', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.Submission).toEqual(submissionJsonSchema());
    expect(document.components.schemas.SubmissionBatch).toMatchObject({
      maxItems: 42,
      minItems: 1,
    });
  });

  it('describes every endpoint, and only the submissions and their status need a token', () => {
    expect(Object.keys(document.paths).sort()).toEqual([
      '/health',
      '/metrics',
      '/openapi.json',
      '/v1/submissions',
      '/v1/submissions/{eventId}',
      '/v1/submissions/{eventId}/revisions/{revision}',
    ]);
    for (const path of [
      '/v1/submissions/{eventId}',
      '/v1/submissions/{eventId}/revisions/{revision}',
    ])
      expect(document.paths[path]?.get?.security).toEqual([{ bearer: [] }]);
    const submit = document.paths['/v1/submissions']?.post;
    expect(Object.keys(submit?.responses ?? {}).sort()).toEqual([
      '202',
      '400',
      '401',
      '403',
      '405',
      '409',
      '413',
      '415',
      '503',
    ]);
    expect(submit?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/health']?.get?.security).toBeUndefined();
  });

  it('says every answer carries nosniff and no-store, and each path its 405 with Allow', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const operation of Object.values(operations)) {
        const allow = (operation.responses['405'] as { headers?: { Allow?: unknown } }).headers;
        expect(allow?.Allow).toBeDefined();
        for (const response of Object.values(operation.responses))
          expect(Object.keys((response as { headers: object }).headers)).toEqual(
            expect.arrayContaining(['X-Content-Type-Options', 'Cache-Control']),
          );
      }
      expect(path).toBeTruthy();
    }
  });

  it('refers only to schemas it defines', () => {
    const defined = Object.keys(document.components.schemas).map(
      (n) => `#/components/schemas/${n}`,
    );
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(3);
    for (const ref of refs) expect(defined).toContain(ref);
  });

  it('shows a 400 listing several violations at once, the one the API answers, every code declared', () => {
    const media = (
      document.paths['/v1/submissions']?.post?.responses['400'] as {
        content: Record<string, { examples: Record<string, { value: unknown }> }>;
      }
    ).content['application/json'];
    expect(media?.examples.everyViolation?.value).toBe(MULTI_VIOLATION_EXAMPLE);
    const moving = JSON.parse(JSON.stringify(sampleSubmissions().moving)) as {
      payload: Record<string, Record<string, unknown>>;
    };
    const event = moving.payload['cortege.MovingDemonstration'] as Record<string, unknown>;
    event.organiserStatus = 'COMPANY';
    event.endAt = event.startAt;
    event.peopleDeclared = -3;
    let answered: unknown;
    try {
      parseBatch(moving, { maxBatch: 1, maxRoutePoints: 10 }, sanitizationPolicy());
    } catch (error) {
      answered = error instanceof IngestError ? error.body() : error;
    }
    expect(answered).toEqual(MULTI_VIOLATION_EXAMPLE);
    const codes = (
      document.components.schemas.Violation as { properties: { code: { enum: string[] } } }
    ).properties.code.enum;
    expect(codes).toEqual(
      expect.arrayContaining(['invalid_enum', 'outside_area', 'duration_too_long']),
    );
  });

  it('declares the 403s of producer confinement, with examples the schema describes', () => {
    const forbidden = document.paths['/v1/submissions']?.post?.responses['403'] as {
      content: Record<
        string,
        {
          schema: { properties: Record<string, { enum?: string[] }> };
          examples: Record<string, { value: Record<string, unknown> }>;
        }
      >;
    };
    const media = forbidden.content['application/json'];
    const codes = media?.schema.properties.error?.enum ?? [];
    expect(codes).toEqual([
      'insufficient_role',
      'source_not_allowed',
      'event_of_another_producer',
      'unidentified_producer',
    ]);
    expect(media?.examples).toBe(FORBIDDEN_EXAMPLES);
    for (const { value } of Object.values(media?.examples ?? {})) {
      expect(codes).toContain(value.error);
      for (const key of Object.keys(value)) expect(media?.schema.properties).toHaveProperty(key);
    }
  });

  it('shows each status answer, its status the furthest step its times reached, and a rejection as the sanitizer makes it', () => {
    const steps = ['received', 'clean', 'located', 'aggregated'] as const;
    const schema = document.components.schemas.SubmissionStatus as { required: string[] };
    const media = (
      document.paths['/v1/submissions/{eventId}/revisions/{revision}']?.get?.responses['200'] as {
        content: Record<string, { examples: unknown }>;
      }
    ).content['application/json'];
    expect(media?.examples).toBe(STATUS_EXAMPLES);
    const shown = new Set<string>();
    for (const { value } of Object.values(STATUS_EXAMPLES)) {
      expect(Object.keys(value).sort()).toEqual([...schema.required].sort());
      const times = value.times as Record<string, string | null>;
      const furthest = [...steps].reverse().find((step) => times[step] !== null);
      expect(value.status).toBe(times.rejected !== null ? 'rejected' : furthest);
      expect(value.rejection === null).toBe(value.status !== 'rejected');
      shown.add(value.status);
    }
    expect([...shown].sort()).toEqual(['aggregated', 'clean', 'located', 'received', 'rejected']);

    // The sanitizer's answer to the example's revision: the visit with its times swapped and no address.
    const { visit } = sampleSubmissions();
    const fields = visit.payload!['cortege.OfficialVisit' as never] as Record<string, unknown>;
    const result = sanitize(
      {
        ...visit,
        revision: 2,
        payload: {
          'cortege.OfficialVisit': {
            ...fields,
            startAt: fields.endAt,
            endAt: fields.startAt,
            addresses: [],
          },
        },
      } as never,
      sanitizationPolicy(),
    );
    expect(
      result.outcome === 'rejected' &&
        result.violations.map((v) => ({ path: v.path, code: v.code })),
    ).toEqual(STATUS_EXAMPLES.rejectedBySanitizer.value.rejection.violations);
  });
});
