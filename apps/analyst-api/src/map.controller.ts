import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Public } from './access';
import { AnalystError, AnalystErrorCode } from './analyst.error';
import { Responder, type RoutedRequest } from './responder';

/** The page's own files (`apps/analyst-api/map`). */
const PAGE_DIR = join(__dirname, '..', 'map');
const MAPLIBRE_DIR = dirname(require.resolve('maplibre-gl'));
const OIDC_DIR = join(dirname(require.resolve('oidc-client-ts')), '..', 'browser');

/** Every file `/map/{file}` serves, and where it comes from: nothing else is reachable. */
const ASSETS: Readonly<Record<string, { readonly path: string; readonly type: string }>> = {
  'map.js': { path: join(PAGE_DIR, 'map.js'), type: 'text/javascript' },
  'map.css': { path: join(PAGE_DIR, 'map.css'), type: 'text/css' },
  // MapLibre's CSP build: its worker is a file of this origin, not a blob.
  'maplibre-gl.js': { path: join(MAPLIBRE_DIR, 'maplibre-gl-csp.js'), type: 'text/javascript' },
  'maplibre-gl-worker.js': {
    path: join(MAPLIBRE_DIR, 'maplibre-gl-csp-worker.js'),
    type: 'text/javascript',
  },
  'maplibre-gl.css': { path: join(MAPLIBRE_DIR, 'maplibre-gl.css'), type: 'text/css' },
  'oidc-client-ts.js': { path: join(OIDC_DIR, 'oidc-client-ts.min.js'), type: 'text/javascript' },
};

/** What the page is told at load (no secret: a public client). */
export interface MapPageConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly styleUrl: string | null;
}

/** The page's settings, as it reads them from its HTML. */
export function mapPageConfig(config: AppConfig): MapPageConfig {
  const issuer = config.analystApi.map.issuer ?? config.auth?.issuer;
  if (issuer === undefined) throw new Error('the map needs ANALYST_API_MAP_ISSUER or AUTH_ISSUER');
  return {
    issuer,
    clientId: config.analystApi.map.clientId,
    styleUrl: config.analystApi.map.styleUrl ?? null,
  };
}

/** The page's Content-Security-Policy: its own origin, plus the issuer (and a style's origin). */
export function mapContentSecurityPolicy(page: MapPageConfig): string {
  const others = [page.issuer, page.styleUrl]
    .filter((url): url is string => url !== null)
    .map((url) => new URL(url).origin);
  const connect = ["'self'", ...new Set(others)].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${page.styleUrl ? ` ${new URL(page.styleUrl).origin}` : ''}`,
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * `/map`: the analysts' map, a static page (MapLibre GL JS and oidc-client-ts served from the
 * project's own packages, no CDN). The page and its files hold no data, so they are open; the
 * page signs in (OpenID Connect, authorization code + PKCE) and reads every datum through the
 * API's audited routes with its token. Each of these requests is audited too, as `-`.
 */
@Public()
@Controller('map')
export class MapController {
  private readonly page: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly files = new Map<string, Buffer>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(Responder) private readonly responder: Responder,
  ) {
    const settings = mapPageConfig(config);
    // `<` escaped: the JSON cannot close its script element.
    const json = JSON.stringify(settings).replace(/</g, '\\u003c');
    this.page = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8').replace(
      /(<script type="application\/json" id="map-config">)[\s\S]*?(<\/script>)/,
      (_, open: string, close: string) => `${open}${json}${close}`,
    );
    this.headers = {
      'Content-Security-Policy': mapContentSecurityPolicy(settings),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    for (const [name, asset] of Object.entries(ASSETS))
      this.files.set(name, readFileSync(asset.path));
  }

  @Get()
  async index(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    await this.responder.send(request, response, {
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: this.headers,
      body: this.page,
      rows: 0,
    });
  }

  @Get(':file')
  async asset(
    @Req() request: RoutedRequest,
    @Res() response: ServerResponse,
    @Param('file') file: string,
  ): Promise<void> {
    const body = this.files.get(file);
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (body === undefined || asset === undefined)
      throw new AnalystError(
        AnalystErrorCode.NotFound,
        `the map has no file '${file.slice(0, 100)}'`,
      );
    await this.responder.send(request, response, {
      status: 200,
      contentType: `${asset.type}; charset=utf-8`,
      headers: this.headers,
      body,
      rows: 0,
    });
  }
}
