import {
  GeocodingError,
  GeocodingErrorCode,
  type Geocoder,
  type GeocodeKind,
  type GeocodeResult,
} from '@app/geocoding';
import { z } from 'zod';
import { HttpJsonClient } from './http-json.client';
import { RateLimiter } from './rate-limiter';

export interface BanGeocoderOptions {
  /** Base URL, e.g. `https://api-adresse.data.gouv.fr`; `/search` is appended. */
  readonly baseUrl: string;
  /** `citycode` filter (an INSEE code); none when undefined. */
  readonly citycode?: string;
  /** Requests per second (the public API allows 50 per IP). */
  readonly ratePerSecond: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly userAgent: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** The GeoCodeJSON the BAN answers (only what is read). Coordinates are `[lon, lat]`. */
const banAnswer = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: z.object({
        type: z.literal('Point'),
        coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
      }),
      properties: z.object({
        label: z.string(),
        score: z.number(),
        type: z.string(),
      }),
    }),
  ),
});

/** BAN result types; a `municipality` (the whole city) is too coarse to place an event. */
const KINDS: Readonly<Record<string, GeocodeKind>> = {
  housenumber: 'housenumber',
  street: 'street',
  locality: 'place',
};

/**
 * The Base Adresse Nationale's API (`GET /search?q=…&limit=1[&citycode=…]`, GeoCodeJSON,
 * `[lon, lat]`), within its cap of requests per second; a `429` is waited out per `Retry-After`.
 * Returns WGS84 `{ lon, lat }`; `null` when nothing or only a municipality matches.
 */
export class BanGeocoder implements Geocoder {
  private readonly http: HttpJsonClient;

  constructor(private readonly options: BanGeocoderOptions) {
    this.http = new HttpJsonClient({
      service: 'BAN',
      limiter: RateLimiter.perSecond(options.ratePerSecond),
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      userAgent: options.userAgent,
      fetch: options.fetch,
      sleep: options.sleep,
    });
  }

  async geocode(query: string): Promise<GeocodeResult | null> {
    const text = query.trim();
    if (text === '') return null;
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}/search`);
    url.searchParams.set('q', text.slice(0, 200));
    url.searchParams.set('limit', '1');
    if (this.options.citycode) url.searchParams.set('citycode', this.options.citycode);
    const parsed = banAnswer.safeParse(await this.http.getJson(url));
    if (!parsed.success) {
      throw new GeocodingError(
        GeocodingErrorCode.MalformedResponse,
        `BAN: the answer is not GeoCodeJSON: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}`,
      );
    }
    const feature = parsed.data.features[0];
    const kind = feature ? KINDS[feature.properties.type] : undefined;
    if (!feature || kind === undefined) return null;
    const [lon, lat] = feature.geometry.coordinates;
    return {
      position: { lon, lat },
      score: Math.max(0, Math.min(1, feature.properties.score)),
      label: feature.properties.label,
      kind,
      source: 'ban',
    };
  }
}
