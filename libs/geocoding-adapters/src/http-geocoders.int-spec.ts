import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GeocodingError, GeocodingErrorCode } from '@app/geocoding';
import { BanGeocoder, type BanGeocoderOptions } from './ban.geocoder.adapter';
import { NominatimGeocoder, type NominatimGeocoderOptions } from './nominatim.geocoder.adapter';

interface Seen {
  readonly at: number;
  readonly url: URL;
  readonly userAgent: string | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A local HTTP server on 127.0.0.1 and a random port, answering with `handler`. */
async function startServer(handler: Handler) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({
      at: Date.now(),
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      userAgent: req.headers['user-agent'],
    });
    handler(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, body: unknown, status = 200, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** A GeoCodeJSON answer of the BAN API, as `/search` sends it. Coordinates `[lon, lat]`. */
const banAnswer = (type = 'housenumber') => ({
  type: 'FeatureCollection',
  version: 'draft',
  features: [
    {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [5.37804, 43.29602] },
      properties: {
        label: '2 Rue de Rome 13001 Marseille',
        score: 0.9731,
        housenumber: '2',
        id: '13201_7960_00002',
        name: '2 Rue de Rome',
        postcode: '13001',
        citycode: '13201',
        x: 893069.38,
        y: 6246915.11,
        city: 'Marseille',
        district: 'Marseille 1er Arrondissement',
        context: "13, Bouches-du-Rhône, Provence-Alpes-Côte d'Azur",
        type,
        importance: 0.7044,
        street: 'Rue de Rome',
      },
    },
  ],
  attribution: 'BAN',
  licence: 'ETALAB-2.0',
  query: '2 r de rome 13001',
  limit: 1,
});

/** A `jsonv2` answer of Nominatim's `/search`: `lat` and `lon` are strings. */
const nominatimAnswer = (patch: Record<string, unknown> = {}) => [
  {
    place_id: 105_642_332,
    licence: 'Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright',
    osm_type: 'way',
    osm_id: 47_563_264,
    lat: '43.2965339',
    lon: '5.3698419',
    category: 'amenity',
    type: 'townhall',
    place_rank: 30,
    importance: 0.4201,
    addresstype: 'amenity',
    name: 'Hôtel de Ville',
    display_name:
      'Hôtel de Ville, Quai du Port, Le Panier, 2e Arrondissement, Marseille, Bouches-du-Rhône, Provence-Alpes-Côte d’Azur, France métropolitaine, 13002, France',
    boundingbox: ['43.2962', '43.2968', '5.3693', '5.3704'],
    ...patch,
  },
];

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a GeocodingError');
    },
    (error: unknown) => {
      if (error instanceof GeocodingError) return error;
      throw error;
    },
  );

describe('BanGeocoder against a local server speaking GeoCodeJSON', () => {
  const options = (url: string, patch: Partial<BanGeocoderOptions> = {}): BanGeocoderOptions => ({
    baseUrl: url,
    citycode: '13055',
    ratePerSecond: 50,
    timeoutMs: 2000,
    retries: 3,
    userAgent: 'cortege-test/1.0',
    ...patch,
  });

  it('asks /search?q=…&limit=1&citycode=… and reads [lon, lat]', async () => {
    const server = await startServer((_req, res) => json(res, banAnswer()));
    try {
      const result = await new BanGeocoder(options(`${server.url}/`)).geocode('2 r de rome 13001');
      expect(result).toEqual({
        position: { lon: 5.37804, lat: 43.29602 },
        score: 0.9731,
        label: '2 Rue de Rome 13001 Marseille',
        kind: 'housenumber',
        source: 'ban',
      });
      const [request] = server.seen;
      expect(request!.url.pathname).toBe('/search');
      expect(Object.fromEntries(request!.url.searchParams)).toEqual({
        q: '2 r de rome 13001',
        limit: '1',
        citycode: '13055',
      });
      expect(request!.userAgent).toBe('cortege-test/1.0');
    } finally {
      await server.close();
    }
  });

  it('answers null when nothing, or only the whole municipality, matches', async () => {
    const server = await startServer((_req, res, n) =>
      json(res, n === 1 ? { ...banAnswer(), features: [] } : banAnswer('municipality')),
    );
    try {
      const ban = new BanGeocoder(options(server.url));
      expect(await ban.geocode('nulle part')).toBeNull();
      expect(await ban.geocode('Marseille')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('honours a 429 with retry-after: 1, then succeeds', async () => {
    const server = await startServer((_req, res, n) =>
      n === 1
        ? json(res, { code: 429, message: 'Too Many Requests' }, 429, { 'retry-after': '1' })
        : json(res, banAnswer()),
    );
    try {
      const started = Date.now();
      const result = await new BanGeocoder(options(server.url)).geocode('2 r de rome 13001');
      expect(result?.label).toBe('2 Rue de Rome 13001 Marseille');
      expect(server.seen).toHaveLength(2);
      expect(server.seen[1]!.at - server.seen[0]!.at).toBeGreaterThanOrEqual(990);
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    } finally {
      await server.close();
    }
  });

  it('gives up after the bounded retries with a retriable rate_limited error', async () => {
    const server = await startServer((_req, res) => json(res, {}, 429, { 'retry-after': '0' }));
    try {
      const error = await errorOf(
        new BanGeocoder(options(server.url, { retries: 2 })).geocode('x y'),
      );
      expect(error.code).toBe(GeocodingErrorCode.RateLimited);
      expect(error.retriable).toBe(true);
      expect(error.message).toBe('BAN: 429 Too Many Requests (after 3 attempts)');
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('retries a 5xx, and says unavailable when it lasts', async () => {
    const flaky = await startServer((_req, res, n) =>
      n <= 2 ? json(res, 'upstream down', 503) : json(res, banAnswer()),
    );
    const down = await startServer((_req, res) => json(res, 'upstream down', 502));
    const noSleep = { sleep: () => Promise.resolve() };
    try {
      expect(
        (await new BanGeocoder(options(flaky.url, noSleep)).geocode('2 rue de rome'))?.kind,
      ).toBe('housenumber');
      expect(flaky.seen).toHaveLength(3);

      const error = await errorOf(
        new BanGeocoder(options(down.url, { ...noSleep, retries: 1 })).geocode('a b'),
      );
      expect(error).toMatchObject({ code: GeocodingErrorCode.Unavailable, retriable: true });
      expect(error.message).toMatch(
        /^BAN: 502 from http:\/\/127\.0\.0\.1:\d+: upstream down \(after 2 attempts\)$/,
      );
      expect(down.seen).toHaveLength(2);
    } finally {
      await flaky.close();
      await down.close();
    }
  });

  it('refuses malformed answers: not JSON, or JSON that is not GeoCodeJSON', async () => {
    const server = await startServer((_req, res, n) =>
      n === 1
        ? json(res, '<html>Bad gateway</html>')
        : json(res, {
            type: 'FeatureCollection',
            features: [
              {
                type: 'Feature',
                geometry: { type: 'Point', coordinates: ['5.37', '43.29'] },
                properties: { label: 'x', score: 1, type: 'street' },
              },
            ],
          }),
    );
    try {
      const ban = new BanGeocoder(options(server.url));
      const notJson = await errorOf(ban.geocode('a'));
      expect(notJson).toMatchObject({
        code: GeocodingErrorCode.MalformedResponse,
        retriable: false,
      });
      expect(notJson.message).toBe('BAN: the answer is not JSON: <html>Bad gateway</html>');
      const wrongShape = await errorOf(ban.geocode('b'));
      expect(wrongShape.code).toBe(GeocodingErrorCode.MalformedResponse);
      expect(wrongShape.message).toContain(
        'BAN: the answer is not GeoCodeJSON: features.0.geometry.coordinates.0',
      );
    } finally {
      await server.close();
    }
  });

  it('times out on a server that does not answer, without retrying', async () => {
    const server = await startServer(() => undefined);
    try {
      const started = Date.now();
      const error = await errorOf(
        new BanGeocoder(options(server.url, { timeoutMs: 300 })).geocode('a'),
      );
      const elapsed = Date.now() - started;
      expect(error).toMatchObject({ code: GeocodingErrorCode.Timeout, retriable: true });
      expect(error.message).toMatch(
        /^BAN: no answer within 300 ms from http:\/\/127\.0\.0\.1:\d+$/,
      );
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(2000);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('reports a refused request (4xx) as not retriable, and a closed port as unavailable', async () => {
    const server = await startServer((_req, res) =>
      json(res, { code: 400, message: 'q must contain between 3 and 200 chars' }, 400),
    );
    const closed = await startServer(() => undefined);
    await closed.close();
    try {
      const error = await errorOf(new BanGeocoder(options(server.url)).geocode('ab'));
      expect(error).toMatchObject({ code: GeocodingErrorCode.Rejected, retriable: false });
      expect(error.message).toContain('BAN: 400 for /search?q=ab&limit=1&citycode=13055');
      const unreachable = await errorOf(
        new BanGeocoder(
          options(closed.url, { retries: 1, sleep: () => Promise.resolve() }),
        ).geocode('a'),
      );
      expect(unreachable).toMatchObject({ code: GeocodingErrorCode.Unavailable, retriable: true });
      expect(unreachable.message).toContain('ECONNREFUSED');
    } finally {
      await server.close();
    }
  });

  it('keeps under 50 requests per second: 60 calls take at least a second', async () => {
    const server = await startServer((_req, res) => json(res, banAnswer()));
    try {
      const ban = new BanGeocoder(options(server.url));
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => ban.geocode(`${i + 1} rue de rome`)),
      );
      const elapsed = Date.now() - started;
      expect(results.every((r) => r?.source === 'ban')).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(990);
      expect(elapsed).toBeLessThan(5000);
      const times = server.seen.map((s) => s.at);
      const busiest = Math.max(
        ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length),
      );
      expect(busiest).toBeLessThanOrEqual(50);
    } finally {
      await server.close();
    }
  });
});

describe('NominatimGeocoder against a local server speaking jsonv2', () => {
  const options = (
    url: string,
    patch: Partial<NominatimGeocoderOptions> = {},
  ): NominatimGeocoderOptions => ({
    baseUrl: url,
    ratePerSecond: 1,
    timeoutMs: 2000,
    retries: 2,
    userAgent: 'cortege-test/1.0 (tests of the Nominatim adapter)',
    ...patch,
  });

  it('asks /search?format=jsonv2&q=…&limit=1&countrycodes=fr with a User-Agent, reads string lat/lon', async () => {
    const server = await startServer((_req, res) => json(res, nominatimAnswer()));
    try {
      const result = await new NominatimGeocoder(options(server.url)).geocode(
        'Hôtel de Ville, Marseille',
      );
      expect(result).toEqual({
        position: { lon: 5.3698419, lat: 43.2965339 },
        score: 0.4201,
        label: expect.stringMatching(/^Hôtel de Ville, Quai du Port, /) as unknown,
        kind: 'place',
        source: 'nominatim',
      });
      const [request] = server.seen;
      expect(request!.url.pathname).toBe('/search');
      expect(Object.fromEntries(request!.url.searchParams)).toEqual({
        format: 'jsonv2',
        q: 'Hôtel de Ville, Marseille',
        limit: '1',
        countrycodes: 'fr',
      });
      expect(request!.userAgent).toBe('cortege-test/1.0 (tests of the Nominatim adapter)');
    } finally {
      await server.close();
    }
  });

  it('tells houses and roads from places; a city or nothing is null', async () => {
    const answers = [
      nominatimAnswer({ category: 'place', type: 'house', addresstype: 'place' }),
      nominatimAnswer({ category: 'highway', type: 'primary', addresstype: 'road' }),
      nominatimAnswer({ category: 'boundary', type: 'administrative', addresstype: 'city' }),
      [],
    ];
    const server = await startServer((_req, res, n) => json(res, answers[n - 1]));
    try {
      const nominatim = new NominatimGeocoder(options(server.url, { ratePerSecond: 100 }));
      expect((await nominatim.geocode('2 rue de Rome'))?.kind).toBe('housenumber');
      expect((await nominatim.geocode('rue de Rome'))?.kind).toBe('street');
      expect(await nominatim.geocode('Marseille')).toBeNull();
      expect(await nominatim.geocode('nulle part')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('refuses coordinates that are not decimal strings', async () => {
    const server = await startServer((_req, res) =>
      json(res, nominatimAnswer({ lat: 43.29, lon: 'east' })),
    );
    try {
      const error = await errorOf(new NominatimGeocoder(options(server.url)).geocode('x'));
      expect(error.code).toBe(GeocodingErrorCode.MalformedResponse);
      expect(error.message).toContain('Nominatim: the answer is not a jsonv2 search result: 0.lat');
    } finally {
      await server.close();
    }
  });

  it('sends at most one request per second, and honours a 429', async () => {
    const server = await startServer((_req, res, n) =>
      n === 2 ? json(res, [], 429, { 'retry-after': '1' }) : json(res, nominatimAnswer()),
    );
    try {
      const nominatim = new NominatimGeocoder(options(server.url));
      const started = Date.now();
      const results = await Promise.all([
        nominatim.geocode('Hôtel de Ville'),
        nominatim.geocode('Hôtel de Ville, Quai du Port'),
        nominatim.geocode('Mairie de Marseille'),
      ]);
      expect(results.map((r) => r?.source)).toEqual(['nominatim', 'nominatim', 'nominatim']);
      // 4 requests (one 429) at ≥ 1 s intervals.
      expect(server.seen).toHaveLength(4);
      const gaps = server.seen.slice(1).map((s, i) => s.at - server.seen[i]!.at);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(980);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2950);
    } finally {
      await server.close();
    }
  });
});
