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

export interface NominatimGeocoderOptions {
  /** Base URL, e.g. `https://nominatim.openstreetmap.org`; `/search` is appended. */
  readonly baseUrl: string;
  /** Requests per second (the public service's policy: at most 1). */
  readonly ratePerSecond: number;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Required by the usage policy: identifies the application. */
  readonly userAgent: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** A decimal number of degrees written as a string, as Nominatim sends `lat` and `lon`. */
const degrees = (limit: number) =>
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, 'expected decimal degrees as a string')
    .transform(Number)
    .refine((v) => Math.abs(v) <= limit, `expected at most ${limit} degrees`);

/** The `jsonv2` answer (only what is read). */
const nominatimAnswer = z.array(
  z.object({
    lat: degrees(90),
    lon: degrees(180),
    display_name: z.string(),
    category: z.string().optional(),
    type: z.string().optional(),
    addresstype: z.string().optional(),
    importance: z.number().optional(),
  }),
);

/** Too coarse to place an event. */
const AREAS = new Set(['city', 'town', 'municipality', 'county', 'state', 'region', 'country']);

function kindOf(hit: { category?: string; type?: string; addresstype?: string }): GeocodeKind {
  if (hit.addresstype === 'house' || hit.addresstype === 'building' || hit.type === 'house')
    return 'housenumber';
  if (hit.category === 'highway' || hit.addresstype === 'road') return 'street';
  return 'place';
}

/**
 * Nominatim (`GET /search?format=jsonv2&q=…&limit=1&countrycodes=fr`, `lat`/`lon` as strings),
 * one request per second by default, with the configured User-Agent. Returns WGS84
 * `{ lon, lat }`; `null` when nothing, or only a city or larger area, matches.
 */
export class NominatimGeocoder implements Geocoder {
  private readonly http: HttpJsonClient;

  constructor(private readonly options: NominatimGeocoderOptions) {
    this.http = new HttpJsonClient({
      service: 'Nominatim',
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
    url.searchParams.set('format', 'jsonv2');
    url.searchParams.set('q', text.slice(0, 200));
    url.searchParams.set('limit', '1');
    url.searchParams.set('countrycodes', 'fr');
    const parsed = nominatimAnswer.safeParse(await this.http.getJson(url));
    if (!parsed.success) {
      throw new GeocodingError(
        GeocodingErrorCode.MalformedResponse,
        `Nominatim: the answer is not a jsonv2 search result: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}`,
      );
    }
    const hit = parsed.data[0];
    if (!hit || AREAS.has(hit.addresstype ?? '')) return null;
    return {
      position: { lon: hit.lon, lat: hit.lat },
      score: Math.max(0, Math.min(1, hit.importance ?? 0.5)),
      label: hit.display_name,
      kind: kindOf(hit),
      source: 'nominatim',
    };
  }
}
