import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { tensionModelOf } from '@app/tension';
import { AnalystError, AnalystErrorCode, invalidParameter } from './analyst.error';
import { ANALYST_POOL } from './analyst-pool';
import { parseDatetime, parseInteger, refuseUnknown, single } from './query-params';
import { Responder, type RoutedRequest } from './responder';
import { featureCount, MAX_ZOOM, resolutionForZoom, TILE_LAYERS, type TileLayer } from './tiles';

/**
 * `/tiles/{layer}/{z}/{x}/{y}.mvt`: Mapbox vector tiles made in PostGIS by the layer's function
 * (`fn(z, x, y, query json)`), filtered by `datetime`; `resolution` overrides the zoom's.
 * The `base` layer is the map's base drawn from the gazetteer, without time.
 * 204 for an empty tile; a strong ETag (304 on `If-None-Match`); a short private cache.
 */
@Controller('tiles')
export class TilesController {
  private readonly scored: readonly number[];
  private readonly bucketMinutes: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ANALYST_POOL) private readonly pool: Pool,
    @Inject(Responder) private readonly responder: Responder,
  ) {
    const model = tensionModelOf(config.tension);
    this.scored = model.resolutions;
    this.bucketMinutes = model.bucketMinutes;
  }

  @Get(':layer/:z/:x/:y.mvt')
  async tile(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('layer') layer: string,
    @Param('z') zText: string,
    @Param('x') xText: string,
    @Param('y') yText: string,
  ): Promise<void> {
    if (!Object.hasOwn(TILE_LAYERS, layer))
      throw new AnalystError(
        AnalystErrorCode.NotFound,
        `no tile layer '${layer.slice(0, 100)}'; the layers are ${Object.keys(TILE_LAYERS).join(', ')}`,
        'layer',
      );
    const query = request.query ?? {};
    refuseUnknown(query, ['datetime', 'resolution', 'v']);
    // The map's data version: only makes the URL differ after a live update, so a tile the
    // browser cached under the old version is not reused.
    const version = single(query, 'v');
    if (version !== undefined) parseInteger('v', version, 0, Number.MAX_SAFE_INTEGER);
    const z = parseInteger('z', zText, 0, MAX_ZOOM);
    const x = parseInteger('x', xText, 0, 2 ** z - 1);
    const y = parseInteger('y', yText, 0, 2 ** z - 1);
    const datetimeText = single(query, 'datetime');
    const datetime = datetimeText === undefined ? undefined : parseDatetime(datetimeText);
    const resolutionText = single(query, 'resolution');
    let resolution = resolutionForZoom(z, this.scored);
    if (resolutionText !== undefined) {
      resolution = parseInteger('resolution', resolutionText, 0, 15);
      if (!this.scored.includes(resolution))
        throw invalidParameter(
          'resolution',
          `${resolution} is not scored; the scored resolutions are ${this.scored.join(', ')}`,
        );
    }
    const functionName = TILE_LAYERS[layer as TileLayer];
    const parameters = {
      resolution,
      bucketMinutes: this.bucketMinutes,
      ...(datetime?.start != null ? { start: new Date(datetime.start).toISOString() } : {}),
      ...(datetime?.end != null ? { end: new Date(datetime.end).toISOString() } : {}),
    };
    const { rows } = await this.pool.query<{ tile: Buffer }>(
      `SELECT ${functionName}($1, $2, $3, $4::json) AS tile`,
      [z, x, y, JSON.stringify(parameters)],
    );
    const tile = rows[0]?.tile ?? Buffer.alloc(0);
    const cache = {
      'Cache-Control': `private, max-age=${this.config.analystApi.tileMaxAgeSeconds}`,
    };
    if (tile.length === 0) {
      await this.responder.send(request, response, { status: 204, headers: cache, rows: 0 });
      return;
    }
    const etag = `"${createHash('sha256').update(tile).digest('base64url').slice(0, 32)}"`;
    const headers = { ...cache, ETag: etag, Vary: 'Authorization' };
    const asked = request.headers['if-none-match'];
    if (asked !== undefined && asked.split(',').some((tag) => tag.trim() === etag)) {
      await this.responder.send(request, response, { status: 304, headers, rows: 0 });
      return;
    }
    await this.responder.send(request, response, {
      status: 200,
      contentType: 'application/vnd.mapbox-vector-tile',
      headers,
      body: tile,
      rows: featureCount(tile),
    });
  }
}
