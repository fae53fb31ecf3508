import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { tensionModelOf } from '@app/tension';
import { AnalystError, AnalystErrorCode, invalidParameter } from './analyst.error';
import {
  COLLECTION_IDS,
  COLLECTIONS,
  ITEMS_PARAMETERS,
  isCollectionId,
  parseItemsFilter,
  type CollectionId,
} from './collections';
import { FeaturesRepository } from './features.repository';
import { baseUrl, selfUrl, withParameter, type Link } from './links';
import { parseInteger, parseLimit, refuseUnknown, single, type RawQuery } from './query-params';
import { Responder, type Reply, type RoutedRequest } from './responder';

const GEOJSON = 'application/geo+json';
const JSON_TYPE = 'application/json';

/** The conformance classes this API implements (OGC API – Features – Part 1). */
export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

const json = (body: unknown, rows = 0, type = JSON_TYPE): Reply => ({
  status: 200,
  contentType: `${type}; charset=utf-8`,
  body: JSON.stringify(body),
  rows,
});

/** `f`: only JSON is served (GeoJSON for features). */
function checkFormat(query: RawQuery): void {
  const format = single(query, 'f');
  if (format !== undefined && !['json', 'geojson'].includes(format))
    throw invalidParameter('f', `'${format.slice(0, 50)}' is not served; use json`);
}

function collectionOf(id: string): CollectionId {
  if (!isCollectionId(id))
    throw new AnalystError(
      AnalystErrorCode.NotFound,
      `no collection '${id.slice(0, 100)}'; the collections are ${COLLECTION_IDS.join(', ')}`,
      'collectionId',
    );
  return id;
}

/**
 * OGC API – Features, Part 1 (core + GeoJSON): landing page, conformance, collections, items
 * and single items, with `bbox`, `datetime`, `limit` (clamped), paging by `offset` with `next`
 * and `prev` links, `numberMatched` and `numberReturned`.
 */
@Controller()
export class FeaturesController {
  private readonly resolutions: readonly number[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FeaturesRepository) private readonly features: FeaturesRepository,
    @Inject(Responder) private readonly responder: Responder,
  ) {
    this.resolutions = tensionModelOf(config.tension).resolutions;
  }

  private base(request: RoutedRequest): string {
    const { host, port, tls } = this.config.analystApi;
    return baseUrl(request, { host, port, tls: tls !== undefined });
  }

  @Get()
  async landing(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    refuseUnknown(request.query ?? {}, ['f']);
    checkFormat(request.query ?? {});
    const base = this.base(request);
    const links: Link[] = [
      { href: `${base}/`, rel: 'self', type: JSON_TYPE, title: 'This document' },
      {
        href: `${base}/openapi.json`,
        rel: 'service-desc',
        type: 'application/vnd.oai.openapi+json;version=3.0',
        title: 'The API definition',
      },
      {
        href: `${base}/conformance`,
        rel: 'conformance',
        type: JSON_TYPE,
        title: 'Conformance classes',
      },
      { href: `${base}/collections`, rel: 'data', type: JSON_TYPE, title: 'The collections' },
      { href: `${base}/stats`, rel: 'related', type: JSON_TYPE, title: 'Breakdowns of events' },
    ];
    await this.responder.send(
      request,
      response,
      json({
        title: 'Cortège: events and zones of tension in Marseille',
        description:
          'Events declared by the Préfecture de Police in Cortège, where and when they are, and ' +
          'the zones of tension they make, for the habilitated analysts of the Ville de Marseille ' +
          'and the Préfecture. Vector tiles: /tiles/{layer}/{z}/{x}/{y}.mvt.',
        links,
      }),
    );
  }

  @Get('conformance')
  async conformance(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    refuseUnknown(request.query ?? {}, ['f']);
    checkFormat(request.query ?? {});
    await this.responder.send(request, response, json({ conformsTo: CONFORMANCE }));
  }

  @Get('collections')
  async collections(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    refuseUnknown(request.query ?? {}, ['f']);
    checkFormat(request.query ?? {});
    const base = this.base(request);
    const collections = await Promise.all(COLLECTION_IDS.map((id) => this.describe(base, id)));
    await this.responder.send(
      request,
      response,
      json({
        links: [{ href: `${base}/collections`, rel: 'self', type: JSON_TYPE }],
        collections,
      }),
    );
  }

  @Get('collections/:collectionId')
  async collection(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('collectionId') collectionId: string,
  ): Promise<void> {
    const id = collectionOf(collectionId);
    refuseUnknown(request.query ?? {}, ['f']);
    checkFormat(request.query ?? {});
    await this.responder.send(request, response, json(await this.describe(this.base(request), id)));
  }

  @Get('collections/:collectionId/items')
  async items(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('collectionId') collectionId: string,
  ): Promise<void> {
    const id = collectionOf(collectionId);
    const query = request.query ?? {};
    refuseUnknown(query, [...ITEMS_PARAMETERS, ...Object.keys(COLLECTIONS[id].filters)]);
    checkFormat(query);
    const filter = parseItemsFilter(query, this.resolutions);
    const { defaultLimit, maxLimit } = this.config.analystApi;
    const limit = parseLimit(single(query, 'limit'), defaultLimit, maxLimit);
    const offsetText = single(query, 'offset');
    const offset = offsetText === undefined ? 0 : parseInteger('offset', offsetText, 0, 10_000_000);
    const page = await this.features.items(id, filter, limit, offset);

    const base = this.base(request);
    const url = request.url ?? '/';
    const links: Link[] = [
      { href: selfUrl(base, url), rel: 'self', type: GEOJSON, title: 'This page' },
      { href: `${base}/collections/${id}`, rel: 'collection', type: JSON_TYPE },
    ];
    if (offset + page.features.length < page.matched)
      links.push({
        href: withParameter(
          base,
          withParameter(base, url, 'limit', String(limit)),
          'offset',
          String(offset + limit),
        ),
        rel: 'next',
        type: GEOJSON,
        title: 'Next page',
      });
    if (offset > 0)
      links.push({
        href: withParameter(
          base,
          withParameter(base, url, 'limit', String(limit)),
          'offset',
          String(Math.max(0, offset - limit)),
        ),
        rel: 'prev',
        type: GEOJSON,
        title: 'Previous page',
      });
    // The features are GeoJSON text from PostGIS: joined, not parsed and written again.
    const body =
      `{"type":"FeatureCollection","timeStamp":${JSON.stringify(new Date().toISOString())},` +
      `"numberMatched":${page.matched},"numberReturned":${page.features.length},` +
      `"links":${JSON.stringify(links)},"features":[${page.features.join(',')}]}`;
    await this.responder.send(request, response, {
      status: 200,
      contentType: `${GEOJSON}; charset=utf-8`,
      body,
      rows: page.features.length,
    });
  }

  @Get('collections/:collectionId/items/:featureId')
  async item(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('collectionId') collectionId: string,
    @Param('featureId') featureId: string,
  ): Promise<void> {
    const id = collectionOf(collectionId);
    refuseUnknown(request.query ?? {}, ['f']);
    checkFormat(request.query ?? {});
    const feature = await this.features.item(id, featureId);
    if (feature === undefined)
      throw new AnalystError(
        AnalystErrorCode.NotFound,
        `no feature '${featureId.slice(0, 200)}' in ${id}`,
        'featureId',
      );
    const base = this.base(request);
    const links: Link[] = [
      {
        href: `${base}/collections/${id}/items/${encodeURIComponent(featureId)}`,
        rel: 'self',
        type: GEOJSON,
      },
      { href: `${base}/collections/${id}`, rel: 'collection', type: JSON_TYPE },
    ];
    const parsed = JSON.parse(feature) as Record<string, unknown>;
    await this.responder.send(request, response, json({ ...parsed, links }, 1, GEOJSON));
  }

  private async describe(base: string, id: CollectionId): Promise<Record<string, unknown>> {
    const info = COLLECTIONS[id];
    const extent = await this.features.extent(id);
    return {
      id,
      title: info.title,
      description: info.description,
      itemType: 'feature',
      crs: ['http://www.opengis.net/def/crs/OGC/1.3/CRS84'],
      extent: {
        spatial: {
          bbox: extent.bbox ? [extent.bbox] : [],
          crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
        },
        temporal: {
          interval: [extent.interval],
          trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian',
        },
      },
      filters: info.filters,
      links: [
        { href: `${base}/collections/${id}`, rel: 'self', type: JSON_TYPE },
        { href: `${base}/collections/${id}/items`, rel: 'items', type: GEOJSON, title: info.title },
      ],
    };
  }
}
