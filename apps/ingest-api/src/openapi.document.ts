import type { IngestConfig } from '@app/config';
import {
  MAX_VIOLATIONS,
  submissionJsonSchema,
  ViolationCode,
  type JsonSchema,
} from '@app/contracts';
import { SanitizationViolationCode } from '@app/sanitization/rules';
import { IngestErrorCode } from './ingest.error';
import { SUBMISSION_OUTCOMES } from './ingest.metrics';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const json = (
  schema: JsonSchema,
  description: string,
  examples?: Record<string, { summary: string; value: unknown }>,
) => ({
  description,
  content: { 'application/json': { schema, ...(examples ? { examples } : {}) } },
});

const MOVING = 'payload.cortege.MovingDemonstration';

/** A 400 naming three faults of one submission at once (issue #17). */
export const MULTI_VIOLATION_EXAMPLE = {
  error: 'invalid_submission',
  message: '1 of 1 submission(s) break the contract; none was accepted',
  violations: [
    {
      index: 0,
      path: `${MOVING}.organiserStatus`,
      code: 'invalid_enum',
      message: '"COMPANY" is not one of UNION, ASSOCIATION, POLITICAL_PARTY, OTHER',
    },
    {
      index: 0,
      path: `${MOVING}.endAt`,
      code: 'end_before_start',
      message: 'must be after startAt (2026-05-01T08:30:00.000Z)',
    },
    { index: 0, path: `${MOVING}.peopleDeclared`, code: 'negative_count', message: 'must be ≥ 0' },
  ],
} as const;

/** An error body: `error` is one of `codes`; `properties` are the code's details. */
/** Examples of the 403 answers of `POST /v1/submissions` (the spec test checks their shape). */
export const FORBIDDEN_EXAMPLES = {
  sourceNotAllowed: {
    summary: 'A source the producer may not write (INGEST_PRODUCERS)',
    value: {
      error: 'source_not_allowed',
      message:
        "producer 'mairie-app' may not write source 'cortege-pp13' (its sources: mairie13); nothing was accepted",
      index: 0,
      source: 'cortege-pp13',
      producer: 'mairie-app',
    },
  },
  eventOfAnotherProducer: {
    summary: 'A revision or cancel of an event another producer created',
    value: {
      error: 'event_of_another_producer',
      message:
        "event 3f6c1a52-8e0b-4c57-9a41-2b7d0e9f6a10 was created by another producer; 'mairie-app' may not revise or cancel it; nothing was accepted",
      index: 0,
      eventId: '3f6c1a52-8e0b-4c57-9a41-2b7d0e9f6a10',
      revision: 2,
    },
  },
  insufficientRole: {
    summary: 'A valid token without the producer role',
    value: { error: 'insufficient_role', message: "the token lacks the 'producer' role" },
  },
} as const;

const errorBody = (
  codes: readonly string[],
  properties: Record<string, JsonSchema> = {},
): JsonSchema => ({
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', enum: [...codes] },
    message: { type: 'string', description: 'For people; may change. Match on `error`.' },
    ...properties,
  },
});

/** Headers every answer carries. */
const COMMON_HEADERS = {
  'X-Content-Type-Options': { schema: { type: 'string', const: 'nosniff' } },
  'Cache-Control': { schema: { type: 'string', const: 'no-store' } },
};

/** The answer to a known path asked with a method it does not answer. */
const methodNotAllowed = (allow: string) => ({
  ...json(
    errorBody(['method_not_allowed'], { allow: { type: 'array', items: { type: 'string' } } }),
    `This path answers ${allow} only.`,
  ),
  headers: { Allow: { schema: { type: 'string', const: allow } } },
});

/** Adds the common headers to every response of every operation. */
function withCommonHeaders<T extends Record<string, Record<string, { responses: object }>>>(
  paths: T,
): T {
  for (const operations of Object.values(paths))
    for (const operation of Object.values(operations))
      for (const response of Object.values(operation.responses) as Array<{ headers?: object }>)
        response.headers = { ...COMMON_HEADERS, ...response.headers };
  return paths;
}

/**
 * The OpenAPI 3.1 description of the ingest API. The submission schema is derived from the
 * pinned Avro contract (`submissionJsonSchema`), so the two cannot drift apart.
 */
export function openApiDocument(ingest: IngestConfig): Record<string, unknown> {
  const bearer = [{ bearer: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cortège ingest API',
      version: '1.0.0',
      description:
        'HTTPS entry of the Cortège pipeline for producers that cannot use Kafka directly. ' +
        'Each accepted submission is published to Kafka (Avro, key = eventId) before the API ' +
        `answers 202. Limits: ${ingest.maxBatch} submissions per request, ${ingest.maxBodyBytes} ` +
        `bytes per body, ${ingest.maxRoutePoints} positions per route or footprint ring.`,
    },
    paths: withCommonHeaders({
      '/v1/submissions': {
        post: {
          operationId: 'submit',
          summary: 'Submit one submission, or a batch of them (all or nothing)',
          description:
            'Idempotent on (eventId, revision): the same content again is acknowledged with ' +
            '`duplicate: true` and not republished; other content under the same pair is a 409. ' +
            'Date-times are epoch milliseconds or ISO 8601 (local time = Europe/Paris); omitted ' +
            'optional fields take their defaults.',
          security: bearer,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [ref('Submission'), ref('SubmissionBatch')] },
              },
            },
          },
          responses: {
            '202': json(ref('Accepted'), 'Every submission is stored in Kafka (or was already).'),
            '400': json(
              errorBody(
                [
                  IngestErrorCode.InvalidSubmission,
                  IngestErrorCode.MalformedJson,
                  IngestErrorCode.EmptyBatch,
                ],
                {
                  violations: { type: 'array', items: ref('Violation') },
                  truncated: {
                    type: 'boolean',
                    const: true,
                    description: `Present when some violations were left out: at most ${MAX_VIOLATIONS} a submission, 1,000 a request.`,
                  },
                  violationsOmitted: {
                    type: 'integer',
                    minimum: 1,
                    description: 'How many violations were left out (with truncated).',
                  },
                },
              ),
              'Malformed JSON, an empty batch, or submissions that break the contract or the sanitizer’s rules (the same rules and limits as the sanitizer stage): every violation of every submission at once, each with its field path and code (out-of-range or non-finite coordinates, dates a JavaScript Date cannot hold or with an impossible offset, lone surrogates in text, a source that is not an identifier, a position outside the area of operation, an event too long…); nothing was published.',
              {
                everyViolation: {
                  summary: 'An unknown enum, an end before the start and a negative count: one 400',
                  value: MULTI_VIOLATION_EXAMPLE,
                },
              },
            ),
            '401': {
              ...json(
                errorBody([IngestErrorCode.InvalidToken]),
                'Missing, malformed, expired or foreign token. The connection is closed after this answer (`Connection: close`); the body is not read.',
              ),
              headers: {
                Connection: { schema: { type: 'string', const: 'close' } },
                'WWW-Authenticate': {
                  schema: { type: 'string', const: 'Bearer error="invalid_token"' },
                },
              },
            },
            '403': json(
              errorBody(
                [
                  IngestErrorCode.InsufficientRole,
                  IngestErrorCode.SourceNotAllowed,
                  IngestErrorCode.EventOfAnotherProducer,
                  IngestErrorCode.UnidentifiedProducer,
                ],
                {
                  index: { type: 'integer', description: 'Position in the request.' },
                  source: { type: 'string', description: 'The source refused.' },
                  producer: {
                    type: 'string',
                    description: 'The producer the token speaks for (client id, else subject).',
                  },
                  eventId: { type: 'string', format: 'uuid' },
                  revision: { type: 'integer' },
                },
              ),
              'A valid token without the `producer` role; a submission whose `source` is not one its producer may write (`source_not_allowed`); a revision or `CANCEL` of an event another producer created (`event_of_another_producer`: each event belongs to the producer of its first accepted revision); a token naming no client (`azp`, `client_id`) nor subject (`unidentified_producer`). The producer is the token’s client id, else its subject. Nothing of the request was published.',
              FORBIDDEN_EXAMPLES,
            ),
            '409': json(
              errorBody([IngestErrorCode.RevisionConflict], {
                eventId: { type: 'string', format: 'uuid' },
                revision: { type: 'integer' },
                index: { type: 'integer', description: 'Position in the request.' },
              }),
              'This (eventId, revision) was already accepted with other content; nothing was published.',
            ),
            '413': json(
              errorBody(
                [
                  IngestErrorCode.PayloadTooLarge,
                  IngestErrorCode.BatchTooLarge,
                  IngestErrorCode.TooManyPoints,
                ],
                {
                  limitBytes: { type: 'integer' },
                  limit: { type: 'integer' },
                  length: { type: 'integer' },
                  index: { type: 'integer' },
                  path: { type: 'string' },
                },
              ),
              'Body, batch, route or footprint ring over its limit; nothing was published. After `payload_too_large` the connection is closed (`Connection: close`) and the rest of the body is not read.',
            ),
            '405': methodNotAllowed('POST'),
            '415': json(
              errorBody([IngestErrorCode.UnsupportedMediaType]),
              'Not application/json, or compressed.',
            ),
            '503': {
              ...json(
                errorBody([IngestErrorCode.Unavailable], { retriable: { const: true } }),
                'Kafka or the registry is unavailable: retry after `Retry-After` seconds.',
              ),
              headers: { 'Retry-After': { schema: { type: 'integer' } } },
            },
          },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Whether submissions can be accepted now',
          responses: {
            '200': json(ref('Health'), 'Kafka and the registry are up.'),
            '503': json(ref('Health'), 'Kafka or the registry is down.'),
            '405': methodNotAllowed('GET, HEAD'),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: `Text exposition format; cortege_ingest_submissions_total{outcome} with outcome in ${SUBMISSION_OUTCOMES.join(', ')}.`,
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            '405': methodNotAllowed('GET, HEAD'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: {
            '200': json({ type: 'object' }, 'OpenAPI 3.1.'),
            '405': methodNotAllowed('GET, HEAD'),
          },
        },
      },
    }),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An OAuth2 access token of the configured issuer with the `producer` role (in `roles` or `realm_access.roles`).',
        },
      },
      schemas: {
        Submission: submissionJsonSchema(),
        SubmissionBatch: {
          type: 'array',
          items: ref('Submission'),
          minItems: 1,
          maxItems: ingest.maxBatch,
        },
        Accepted: {
          type: 'object',
          required: ['accepted'],
          properties: {
            accepted: {
              type: 'array',
              description: 'One entry per submission, in request order.',
              items: {
                type: 'object',
                required: ['eventId', 'revision', 'duplicate'],
                properties: {
                  eventId: { type: 'string', format: 'uuid' },
                  revision: { type: 'integer' },
                  duplicate: {
                    type: 'boolean',
                    description: 'Already accepted with the same content: not republished.',
                  },
                },
              },
            },
          },
        },
        Violation: {
          type: 'object',
          required: ['index', 'path', 'code', 'message'],
          properties: {
            index: { type: 'integer', description: 'Position of the submission in the request.' },
            path: {
              type: 'string',
              description:
                'Field path, e.g. payload.cortege.MovingDemonstration.endAt or ….route.coordinates.3.lon.',
            },
            code: {
              type: 'string',
              enum: [...Object.values(ViolationCode), ...Object.values(SanitizationViolationCode)],
            },
            message: { type: 'string' },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'kafka', 'registry'],
          properties: {
            status: { type: 'string', enum: ['ok', 'unavailable'] },
            kafka: { type: 'string', enum: ['up', 'down'] },
            registry: { type: 'string', enum: ['up', 'down'] },
          },
        },
      },
    },
  };
}
