import type { IngestConfig } from '@app/config';
import {
  MAX_VIOLATIONS,
  submissionJsonSchema,
  ViolationCode,
  type JsonSchema,
} from '@app/contracts';
import { DLQ_MAX_VIOLATIONS } from '@app/kafka';
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

const EVENT = '3f6c1a52-8e0b-4c57-9a41-2b7d0e9f6a10';
const times = (
  steps: Partial<Record<'received' | 'clean' | 'located' | 'aggregated' | 'rejected', string>>,
) => ({
  received: steps.received ?? null,
  clean: steps.clean ?? null,
  located: steps.located ?? null,
  aggregated: steps.aggregated ?? null,
  rejected: steps.rejected ?? null,
});

/**
 * Examples of a revision's status, one per answer (issue #17); the spec test checks each against
 * its schema and that its `status` is the furthest step its times reached.
 */
export const STATUS_EXAMPLES = {
  received: {
    summary: 'Published to Kafka; no stage has decided yet',
    value: {
      eventId: EVENT,
      revision: 1,
      status: 'received',
      times: times({ received: '2026-05-01T07:12:00.118Z' }),
      rejection: null,
    },
  },
  clean: {
    summary: 'The sanitizer passed it (scrubbed, repaired)',
    value: {
      eventId: EVENT,
      revision: 1,
      status: 'clean',
      times: times({ received: '2026-05-01T07:12:00.118Z', clean: '2026-05-01T07:12:00.201Z' }),
      rejection: null,
    },
  },
  located: {
    summary: 'The locator placed it in H3 cells over time',
    value: {
      eventId: EVENT,
      revision: 1,
      status: 'located',
      times: times({
        received: '2026-05-01T07:12:00.118Z',
        clean: '2026-05-01T07:12:00.201Z',
        located: '2026-05-01T07:12:00.364Z',
      }),
      rejection: null,
    },
  },
  aggregated: {
    summary: 'In the tension tables: the analysts see it',
    value: {
      eventId: EVENT,
      revision: 1,
      status: 'aggregated',
      times: times({
        received: '2026-05-01T07:12:00.118Z',
        clean: '2026-05-01T07:12:00.201Z',
        located: '2026-05-01T07:12:00.364Z',
        aggregated: '2026-05-01T07:12:00.912Z',
      }),
      rejection: null,
    },
  },
  rejectedBySanitizer: {
    summary: 'Written straight to Kafka, rejected by the sanitizer with every violation',
    value: {
      eventId: EVENT,
      revision: 2,
      status: 'rejected',
      times: times({ rejected: '2026-05-01T08:02:11.540Z' }),
      rejection: {
        stage: 'sanitizer',
        code: 'end_before_start',
        message:
          'payload.cortege.OfficialVisit.endAt: end_before_start; payload.cortege.OfficialVisit.addresses: no_address',
        violations: [
          { path: 'payload.cortege.OfficialVisit.endAt', code: 'end_before_start' },
          { path: 'payload.cortege.OfficialVisit.addresses', code: 'no_address' },
        ],
        violationsTotal: 2,
      },
    },
  },
  rejectedByLocator: {
    summary: 'Accepted with 202, clean, then rejected by the locator: no address resolved',
    value: {
      eventId: EVENT,
      revision: 1,
      status: 'rejected',
      times: times({
        received: '2026-05-01T07:12:00.118Z',
        clean: '2026-05-01T07:12:00.201Z',
        rejected: '2026-05-01T07:12:00.377Z',
      }),
      rejection: {
        stage: 'locator',
        code: 'geocode_not_found',
        message: "none of the event's 1 address(es) resolved",
        violations: [{ path: 'Nulle part, 99999 Atlantide', code: 'geocode_not_found' }],
        violationsTotal: 1,
      },
    },
  },
} as const;

/** The body of a rejection webhook (`Cortege-Signature`, `Cortege-Webhook-Id`). */
export const REJECTION_WEBHOOK_EXAMPLE = {
  type: 'submission.rejected',
  eventId: EVENT,
  revision: 1,
  source: 'cortege-pp13',
  stage: 'locator',
  rejectedAt: '2026-05-01T07:12:00.377Z',
  rejection: STATUS_EXAMPLES.rejectedByLocator.value.rejection,
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

const EVENT_ID_PARAMETER = {
  name: 'eventId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};

/** The answers of a status request, beside its 200. */
const statusResponses = (ok: object) => ({
  '200': ok,
  '400': json(
    errorBody([IngestErrorCode.InvalidStatusRequest], {
      eventId: { type: 'string' },
      revision: { type: 'string' },
    }),
    'The event id is not a UUID, or the revision not a positive integer.',
  ),
  '401': json(errorBody([IngestErrorCode.InvalidToken]), 'Missing, malformed or expired token.'),
  '403': json(
    errorBody(
      [
        IngestErrorCode.InsufficientRole,
        IngestErrorCode.EventOfAnotherProducer,
        IngestErrorCode.UnidentifiedProducer,
      ],
      { eventId: { type: 'string', format: 'uuid' } },
    ),
    'The event was created by another producer (`event_of_another_producer`), as a revision of it would be; or the token lacks the role.',
    {
      eventOfAnotherProducer: {
        summary: "Another producer's event",
        value: {
          error: 'event_of_another_producer',
          message: `event ${EVENT} was created by another producer; 'mairie-app' may not read its status`,
          eventId: EVENT,
        },
      },
    },
  ),
  '404': json(
    errorBody([IngestErrorCode.SubmissionNotFound]),
    'Nothing of this event (or revision) is known to this producer yet: never sent through this API, or not yet received.',
    {
      notFound: {
        summary: 'An event never sent',
        value: {
          error: 'submission_not_found',
          message: `no submission of event ${EVENT} is known to 'cortege-pp13'`,
        },
      },
    },
  ),
  '405': methodNotAllowed('GET, HEAD'),
  '503': {
    ...json(
      errorBody([IngestErrorCode.Unavailable], { retriable: { const: true } }),
      'The database does not answer: retry after `Retry-After` seconds.',
    ),
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  },
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
      '/v1/submissions/{eventId}': {
        get: {
          operationId: 'eventStatus',
          summary: "The status of each revision of one of the producer's events",
          description:
            'Every revision of the event the platform knows, newest first, and the newest apart (`latest`). Only the producer that created the event (its first revision accepted here) may read it. Kept from the stages’ outputs: the ingest API’s receipt, the status topic the sanitizer and the locator write in their transactions, the aggregator’s transaction.',
          security: bearer,
          parameters: [EVENT_ID_PARAMETER],
          responses: statusResponses(
            json(ref('EventStatus'), 'The event’s revisions.', {
              event: {
                summary: 'Revision 2 rejected, revision 1 aggregated',
                value: {
                  eventId: EVENT,
                  latest: STATUS_EXAMPLES.rejectedBySanitizer.value,
                  revisions: [
                    STATUS_EXAMPLES.rejectedBySanitizer.value,
                    STATUS_EXAMPLES.aggregated.value,
                  ],
                },
              },
            }),
          ),
        },
      },
      '/v1/submissions/{eventId}/revisions/{revision}': {
        get: {
          operationId: 'revisionStatus',
          summary: 'The status of one revision: received, clean, located, aggregated or rejected',
          description:
            '`status` is the furthest step reached, or `rejected`; `times` holds when each step happened (null: not yet, or never); `rejection` the stage that rejected it, its reason code and every violation (field path and code, as the dead letter lists them).',
          security: bearer,
          parameters: [
            EVENT_ID_PARAMETER,
            {
              name: 'revision',
              in: 'path',
              required: true,
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: statusResponses(
            json(ref('SubmissionStatus'), 'The revision’s status.', STATUS_EXAMPLES),
          ),
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
        SubmissionStatus: {
          type: 'object',
          required: ['eventId', 'revision', 'status', 'times', 'rejection'],
          properties: {
            eventId: { type: 'string', format: 'uuid' },
            revision: { type: 'integer', minimum: 1 },
            status: {
              type: 'string',
              enum: ['received', 'clean', 'located', 'aggregated', 'rejected'],
              description: 'The furthest step reached, or rejected.',
            },
            times: {
              type: 'object',
              required: ['received', 'clean', 'located', 'aggregated', 'rejected'],
              properties: Object.fromEntries(
                ['received', 'clean', 'located', 'aggregated', 'rejected'].map((step) => [
                  step,
                  { type: ['string', 'null'], format: 'date-time' },
                ]),
              ),
              description:
                'When each step happened, UTC; null when it has not. `received` is null for a revision written straight to Kafka.',
            },
            rejection: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  required: ['stage', 'code', 'message', 'violations', 'violationsTotal'],
                  properties: {
                    stage: { type: 'string', enum: ['sanitizer', 'locator'] },
                    code: { type: 'string', description: 'The dead letter’s reason code.' },
                    message: { type: 'string' },
                    violations: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['path', 'code'],
                        properties: { path: { type: 'string' }, code: { type: 'string' } },
                      },
                      description: `The first ${DLQ_MAX_VIOLATIONS} at most.`,
                    },
                    violationsTotal: { type: 'integer', minimum: 0 },
                  },
                },
              ],
            },
          },
        },
        EventStatus: {
          type: 'object',
          required: ['eventId', 'latest', 'revisions'],
          properties: {
            eventId: { type: 'string', format: 'uuid' },
            latest: ref('SubmissionStatus'),
            revisions: { type: 'array', items: ref('SubmissionStatus'), minItems: 1 },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'kafka', 'registry', 'postgres'],
          properties: {
            status: { type: 'string', enum: ['ok', 'unavailable'] },
            kafka: { type: 'string', enum: ['up', 'slow', 'down'] },
            registry: { type: 'string', enum: ['up', 'slow', 'down'] },
            postgres: {
              type: 'string',
              enum: ['up', 'slow', 'down'],
              description: "The producers' bindings and the submission statuses",
            },
          },
        },
      },
    },
  };
}
