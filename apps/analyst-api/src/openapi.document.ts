import type { AnalystApiConfig } from '@app/config';
import { ACCESS_ROLES } from '@app/access';
import { COLLECTION_IDS, COLLECTIONS } from './collections';
import { MAX_AGENDA_DAYS } from '@app/tension';
import { STATS_DIMENSIONS } from './stats';
import { MAX_ZOOM, TILE_LAYERS } from './tiles';

const exception = {
  type: 'object',
  required: ['code', 'description'],
  properties: {
    code: { type: 'string' },
    description: { type: 'string' },
    parameter: { type: 'string', description: 'The parameter or field at fault, when one is.' },
  },
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: {
          400: 'A parameter is malformed or unknown (named in `parameter`)',
          401: 'No token, or a token that does not verify',
          403: 'The token lacks the role, or its subject has no active habilitation for it',
          404: 'No such collection, feature or layer',
          409: 'Conflicts with a habilitation as it stands',
          415: 'The body is not JSON',
          503: 'PostgreSQL, the token issuer or the audit cannot be reached; retry',
        }[status],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Exception' } } },
      },
    ]),
  );

const query = (
  name: string,
  description: string,
  schema: Record<string, unknown> = { type: 'string' },
) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const path = (
  name: string,
  description: string,
  schema: Record<string, unknown> = { type: 'string' },
) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

const DATETIME = query(
  'datetime',
  'RFC 3339 instant, or interval start/end with `..` (or nothing) for an open end',
);

/** The OpenAPI 3.0 description of the analysts' API (the OGC `oas30` conformance class). */
export function openApiDocument(api: AnalystApiConfig): Record<string, unknown> {
  const read = [{ bearer: [] }];
  const itemsFilters = Object.fromEntries(
    COLLECTION_IDS.map((id) => [
      id,
      Object.entries(COLLECTIONS[id].filters).map(([n, d]) => query(n, d)),
    ]),
  );
  const json = (description: string, type = 'application/json') => ({
    description,
    content: { [type]: { schema: { type: 'object' } } },
  });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Cortège analysts’ API',
      version: '1.0.0',
      description:
        'OGC API – Features (Part 1: core, GeoJSON) and vector tiles over the events Cortège ' +
        'declared and the zones of tension they make. Every route needs a bearer token whose ' +
        `subject holds an active habilitation for one of its roles (${READ_ROLES_TEXT} read; ` +
        'admin manages habilitations only); every request is written to a hash-chained audit.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Exception: exception },
    },
    security: read,
    paths: {
      '/': {
        get: {
          summary: 'Landing page',
          responses: { 200: json('Links to the API'), ...errors(401, 403) },
        },
      },
      '/conformance': {
        get: {
          summary: 'Conformance classes',
          responses: { 200: json('conformsTo'), ...errors(401, 403) },
        },
      },
      '/collections': {
        get: {
          summary: 'The collections',
          responses: { 200: json('Collections'), ...errors(401, 403) },
        },
      },
      '/collections/{collectionId}': {
        get: {
          summary: 'One collection, with its extent',
          parameters: [
            path('collectionId', 'Collection id', { type: 'string', enum: [...COLLECTION_IDS] }),
          ],
          responses: { 200: json('Collection'), ...errors(401, 403, 404) },
        },
      },
      '/collections/{collectionId}/items': {
        get: {
          summary: 'Features of a collection, paged',
          description:
            `Per collection, extra filters: ${COLLECTION_IDS.map((id) => `${id}: ${Object.keys(COLLECTIONS[id].filters).join(', ')}`).join('; ')}. ` +
            'An unknown parameter is refused with 400.',
          parameters: [
            path('collectionId', 'Collection id', { type: 'string', enum: [...COLLECTION_IDS] }),
            query('bbox', 'minLon,minLat,maxLon,maxLat (CRS84)'),
            query('bbox-crs', 'Only CRS84'),
            DATETIME,
            query(
              'limit',
              `Items per page, default ${api.defaultLimit}, clamped to ${api.maxLimit}`,
              {
                type: 'integer',
                minimum: 1,
              },
            ),
            query('offset', 'Items to skip (the next link sets it)', {
              type: 'integer',
              minimum: 0,
            }),
            ...Object.values(itemsFilters)
              .flat()
              .filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i),
          ],
          responses: {
            200: json('A GeoJSON FeatureCollection', 'application/geo+json'),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      '/collections/{collectionId}/items/{featureId}': {
        get: {
          summary: 'One feature',
          parameters: [path('collectionId', 'Collection id'), path('featureId', 'Feature id')],
          responses: {
            200: json('A GeoJSON Feature', 'application/geo+json'),
            ...errors(401, 403, 404),
          },
        },
      },
      '/tiles/{layer}/{z}/{x}/{y}.mvt': {
        get: {
          summary: 'A Mapbox vector tile made by PostGIS',
          parameters: [
            path('layer', 'Tile layer', { type: 'string', enum: Object.keys(TILE_LAYERS) }),
            path('z', 'Zoom', { type: 'integer', minimum: 0, maximum: MAX_ZOOM }),
            path('x', 'Column, 0..2^z-1', { type: 'integer', minimum: 0 }),
            path('y', 'Row, 0..2^z-1', { type: 'integer', minimum: 0 }),
            DATETIME,
            query('resolution', 'H3 resolution of cells and zones (default: from the zoom)', {
              type: 'integer',
            }),
            query(
              'v',
              'Data version the map has heard of (live updates): changes the URL, so a cached tile is not reused; otherwise ignored',
              { type: 'integer', minimum: 0 },
            ),
          ],
          responses: {
            200: {
              description: 'The tile',
              content: {
                'application/vnd.mapbox-vector-tile': {
                  schema: { type: 'string', format: 'binary' },
                },
              },
            },
            204: { description: 'Empty tile' },
            304: { description: 'Not modified (If-None-Match)' },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      '/stats': {
        get: {
          summary: 'Events and people per group',
          description: `A group of fewer than ${api.minGroupSize} events in a breakdown by organiser status is suppressed.`,
          parameters: [
            query('groupBy', `Comma-separated: ${STATS_DIMENSIONS.join(', ')} (default day)`),
            DATETIME,
            query('bbox', 'minLon,minLat,maxLon,maxLat (CRS84)'),
            query('kind', 'Comma-separated event kinds'),
          ],
          responses: { 200: json('Groups'), ...errors(400, 401, 403) },
        },
      },
      '/agenda': {
        get: {
          summary: 'The tension agenda: a level 1–10 per arrondissement and day',
          description:
            'For each local day (Europe/Paris) from `from` and each of the 16 arrondissements: level = 1 + ⌈9 × peak / (peak + reference)⌉, 1 when nothing is declared; peak = the highest resolution-9 cell score of the arrondissement that day, reference = the zone threshold. With the peak, the conflict and the events behind it (ids and kinds). `gazetteer` is false when no address is imported: every level is then 1.',
          parameters: [
            query('from', 'First local day, YYYY-MM-DD (default today in Marseille)'),
            query('days', `How many days, 1–${MAX_AGENDA_DAYS} (default 30)`, {
              type: 'integer',
              minimum: 1,
              maximum: MAX_AGENDA_DAYS,
            }),
          ],
          responses: { 200: json('The agenda'), ...errors(400, 401, 403) },
        },
      },
      '/admin/habilitations': {
        get: {
          summary: 'Habilitations (admin)',
          parameters: [
            query('subject', 'One token subject'),
            query('active', 'true: active ones only'),
          ],
          responses: { 200: json('Habilitations'), ...errors(400, 401, 403) },
        },
        post: {
          summary: 'Grant a habilitation (admin)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['subject', 'role', 'reason'],
                  properties: {
                    subject: {
                      type: 'string',
                      description: 'The token subject (an opaque id, never a name)',
                    },
                    role: { type: 'string', enum: [...ACCESS_ROLES] },
                    reason: { type: 'string' },
                    validUntil: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
          responses: { 201: json('The habilitation'), ...errors(400, 401, 403, 409, 415) },
        },
      },
      '/admin/habilitations/{id}': {
        get: {
          summary: 'One habilitation (admin)',
          parameters: [path('id', 'Habilitation id')],
          responses: { 200: json('The habilitation'), ...errors(401, 403, 404) },
        },
      },
      '/admin/habilitations/{id}/revoke': {
        post: {
          summary: 'Revoke a habilitation at once (admin)',
          parameters: [path('id', 'Habilitation id')],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['reason'],
                  properties: { reason: { type: 'string' } },
                },
              },
            },
          },
          responses: {
            200: json('The revoked habilitation'),
            ...errors(400, 401, 403, 404, 409, 415),
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { 200: json('OpenAPI 3.0') } },
      },
      '/health': {
        get: {
          summary: 'Whether PostgreSQL answers (no token)',
          security: [],
          responses: { 200: json('ok'), 503: json('unavailable') },
        },
      },
    },
  };
}

const READ_ROLES_TEXT = 'analyst and prefecture-viewer';
