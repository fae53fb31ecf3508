import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigErrorCode } from './config.error';
import { loadConfig } from './config.loader';

/** The variables and messages of the ConfigError `load` throws, or [] when it does not. */
function problemsOf(load: () => unknown): Array<[string, string]> {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => [p.variable, p.message]);
    throw error;
  }
  return [];
}

const publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

describe('loadConfig', () => {
  it('points at the local stack on its non-standard ports when nothing is set', () => {
    const config = loadConfig({}, '/srv/cortege');

    expect(config.kafka).toStrictEqual({
      brokers: ['127.0.0.1:19092'],
      clientId: 'cortege',
      origin: 'local',
      sasl: undefined,
      ssl: undefined,
    });
    expect(config.registry).toEqual({
      url: 'http://127.0.0.1:18081/apis/ccompat/v7',
      origin: 'local',
    });
    expect(config.database).toEqual({
      url: 'postgres://cortege:cortege@127.0.0.1:15433/cortege',
      origin: 'local',
    });
    expect(config.stack.dir).toBe('/srv/cortege/.stack');
    expect(config.stack.ports).toEqual({
      kafka: 19092,
      kafkaController: 19093,
      registry: 18081,
      registryManagement: 18082,
      postgres: 15433,
    });
  });

  it('uses existing services as given and marks them external', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'k1.internal:9092, k2.internal:9092',
      SCHEMA_REGISTRY_URL: 'https://registry.internal/apis/ccompat/v7',
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/tension',
    });

    expect(config.kafka.brokers).toEqual(['k1.internal:9092', 'k2.internal:9092']);
    expect(config.kafka.origin).toBe('external');
    expect(config.registry).toEqual({
      url: 'https://registry.internal/apis/ccompat/v7',
      origin: 'external',
    });
    expect(config.database.origin).toBe('external');
  });

  it('moves the local ports together when they are configured', () => {
    const config = loadConfig({ STACK_KAFKA_PORT: '29092', STACK_POSTGRES_PORT: '25433' });

    expect(config.kafka.brokers).toEqual(['127.0.0.1:29092']);
    expect(config.database.url).toBe('postgres://cortege:cortege@127.0.0.1:25433/cortege');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ KAFKA_BROKERS: '', LOG_LEVEL: ' ' }).kafka.origin).toBe('local');
  });

  it('lists every malformed variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        KAFKA_BROKERS: 'no-port-here',
        SCHEMA_REGISTRY_URL: 'ftp://registry',
        DATABASE_URL: 'mysql://x@y/z',
        STACK_POSTGRES_PORT: '80',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe(ConfigErrorCode.InvalidEnvironment);
    expect(configError.retriable).toBe(false);
    expect(configError.problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'SCHEMA_REGISTRY_URL',
      'STACK_POSTGRES_PORT',
    ]);
    expect(configError.message).toContain(
      'KAFKA_BROKERS: expected a comma-separated list of host:port',
    );
    expect(configError.message).toContain('Invalid configuration (5 problems)');
  });

  it('gives the analysts’ API its defaults, its own audience, and checks its variables together', () => {
    expect(loadConfig({}).analystApi).toEqual({
      host: '127.0.0.1',
      port: 18093,
      tls: undefined,
      audience: undefined,
      defaultLimit: 100,
      maxLimit: 10_000,
      minGroupSize: 5,
      tileMaxAgeSeconds: 30,
      map: { issuer: undefined, clientId: 'cortege-map', styleUrl: undefined },
    });
    expect(
      loadConfig(
        {
          AUTH_ISSUER: 'https://sso.test',
          AUTH_JWKS_URL: 'https://sso.test/jwks',
          ANALYST_API_AUDIENCE: ' analyst-api, qgis ,',
        },
        '/',
      ).analystApi.audience,
    ).toEqual(['analyst-api', 'qgis']);
    let error: unknown;
    try {
      loadConfig({
        ANALYST_API_TLS_CERT_FILE: '/etc/hosts',
        ANALYST_API_DEFAULT_LIMIT: '500',
        ANALYST_API_MAX_LIMIT: '100',
        ANALYST_API_AUDIENCE: 'analyst-api',
      });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'ANALYST_API_AUDIENCE',
      'ANALYST_API_DEFAULT_LIMIT',
      'ANALYST_API_TLS_KEY_FILE',
    ]);
  });

  it('gives the ingest API its defaults and no auth unless an issuer is set', () => {
    const config = loadConfig({}, '/srv/cortege');

    expect(config.ingest).toStrictEqual({
      host: '127.0.0.1',
      port: 18080,
      topic: 'cortege.submissions.v1',
      maxBatch: 500,
      maxBodyBytes: 1_048_576,
      maxRoutePoints: 10_000,
      dedupEntries: 100_000,
      publishTimeoutMs: 15_000,
      retryAfterSeconds: 5,
      tls: undefined,
      producers: undefined,
      webhooks: {},
    });
    expect(config.auth).toBeUndefined();
    expect(config.webhooks).toStrictEqual({
      pollMs: 1_000,
      timeoutMs: 10_000,
      maxAttempts: 12,
      maxAgeMs: 24 * 3_600_000,
      backoff: { baseMs: 1_000, maxMs: 600_000 },
    });
  });

  it("reads each source's webhook and refuses a malformed one naming INGEST_WEBHOOKS", () => {
    const hook = { url: 'https://pp13.example/hooks/cortege', secret: 'whsec_0123456789abcdef' };
    expect(
      loadConfig({ INGEST_WEBHOOKS: JSON.stringify({ pp13: hook }) }, '.').ingest.webhooks,
    ).toEqual({ pp13: hook });
    for (const value of [
      'pp13=https://x',
      JSON.stringify({ pp13: { url: 'ftp://x', secret: hook.secret } }),
      JSON.stringify({ pp13: { url: hook.url, secret: 'short' } }),
      JSON.stringify({ 'Bad Source': hook }),
      JSON.stringify({ pp13: { ...hook, extra: 1 } }),
    ])
      expect(problemsOf(() => loadConfig({ INGEST_WEBHOOKS: value }, '.')).map(([v]) => v)).toEqual(
        [expect.stringMatching(/^INGEST_WEBHOOKS/)],
      );
  });

  describe('with files on disk', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
      for (const name of ['cert.pem', 'key.pem', 'ca.pem']) writeFileSync(join(dir, name), 'x');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the ingest variables, TLS files relative to the working directory', () => {
      const config = loadConfig(
        {
          INGEST_HOST: '0.0.0.0',
          INGEST_PORT: '8443',
          INGEST_TOPIC: 'test.submissions',
          INGEST_MAX_BATCH: '20',
          INGEST_MAX_BODY_BYTES: '65536',
          INGEST_MAX_ROUTE_POINTS: '50',
          INGEST_DEDUP_ENTRIES: '3',
          INGEST_PUBLISH_TIMEOUT_MS: '2000',
          INGEST_RETRY_AFTER_SECONDS: '7',
          INGEST_TLS_CERT_FILE: 'cert.pem',
          INGEST_TLS_KEY_FILE: join(dir, 'key.pem'),
          INGEST_PRODUCERS: ' cortege-pp13 = cortege-pp13|cortege-pp13-test ; 7f3e-sa=mairie13 ;',
        },
        dir,
      );

      expect(config.ingest).toStrictEqual({
        host: '0.0.0.0',
        port: 8443,
        topic: 'test.submissions',
        maxBatch: 20,
        maxBodyBytes: 65_536,
        maxRoutePoints: 50,
        dedupEntries: 3,
        publishTimeoutMs: 2000,
        retryAfterSeconds: 7,
        tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
        producers: [
          { producer: 'cortege-pp13', sources: ['cortege-pp13', 'cortege-pp13-test'] },
          { producer: '7f3e-sa', sources: ['mairie13'] },
        ],
        webhooks: {},
      });
    });

    it('refuses an INGEST_PRODUCERS without sources, with a bad source or a producer twice', () => {
      for (const value of ['pp13', 'pp13=', 'pp13=Bad Source', 'a=x;a=y', '=x']) {
        expect(problemsOf(() => loadConfig({ INGEST_PRODUCERS: value }, '.'))).toEqual([
          ['INGEST_PRODUCERS', expect.stringContaining('producer=source|source')],
        ]);
      }
    });

    it('reads Kafka SASL and TLS; a CA file alone turns TLS on', () => {
      const config = loadConfig(
        {
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'ingest',
          KAFKA_SASL_PASSWORD: 's3cret',
          KAFKA_SSL_CA_FILE: 'ca.pem',
        },
        dir,
      );

      expect(config.kafka.sasl).toStrictEqual({
        mechanism: 'scram-sha-512',
        username: 'ingest',
        password: 's3cret',
      });
      expect(config.kafka.ssl).toStrictEqual({ caFile: join(dir, 'ca.pem') });
      expect(loadConfig({ KAFKA_SSL: 'true' }).kafka.ssl).toStrictEqual({ caFile: undefined });
      expect(loadConfig({ KAFKA_SSL: 'false' }).kafka.ssl).toBeUndefined();
    });
  });

  it('reads the auth section: a static key (with \\n escapes) or a JWKS URL, audiences as a list', () => {
    const escaped = publicKeyPem.trim().replace(/\n/g, '\\n');
    const withKey = loadConfig(
      {
        AUTH_ISSUER: 'https://sso.example/realms/cortege',
        AUTH_PUBLIC_KEY: escaped,
        AUTH_ALGORITHM: 'PS256',
        AUTH_AUDIENCE: 'ingest-api, cortege',
      },
      '/',
      { require: ['auth'] },
    );
    expect(withKey.auth).toStrictEqual({
      issuer: 'https://sso.example/realms/cortege',
      audience: ['ingest-api', 'cortege'],
      keySource: { kind: 'public-key', pem: publicKeyPem.trim() },
      algorithm: 'PS256',
      clockToleranceSeconds: 5,
    });

    const withJwks = loadConfig({
      AUTH_ISSUER: 'https://sso.example/realms/cortege',
      AUTH_JWKS_URL: 'https://sso.example/realms/cortege/protocol/openid-connect/certs',
    });
    expect(withJwks.auth).toStrictEqual({
      issuer: 'https://sso.example/realms/cortege',
      audience: undefined,
      keySource: {
        kind: 'jwks',
        url: 'https://sso.example/realms/cortege/protocol/openid-connect/certs',
      },
      algorithm: 'RS256',
      clockToleranceSeconds: 5,
    });
  });

  it('lists every problem of the new sections at once, with the malformed single variables', () => {
    const problems = problemsOf(() =>
      loadConfig(
        {
          LOG_LEVEL: 'loud',
          KAFKA_SASL_MECHANISM: 'kerberos',
          KAFKA_SASL_PASSWORD: 'x',
          KAFKA_SSL: 'yes',
          INGEST_MAX_BATCH: '0',
          INGEST_TOPIC: 'bad topic',
          INGEST_TLS_CERT_FILE: '/nonexistent/cert.pem',
          AUTH_PUBLIC_KEY: 'not a key',
          AUTH_ALGORITHM: 'HS256',
        },
        '/',
        { require: ['auth'] },
      ),
    );

    expect(problems.map(([variable]) => variable).sort()).toEqual([
      'AUTH_ALGORITHM',
      'AUTH_ISSUER',
      'AUTH_PUBLIC_KEY',
      'AUTH_PUBLIC_KEY',
      'INGEST_MAX_BATCH',
      'INGEST_TLS_CERT_FILE',
      'INGEST_TLS_KEY_FILE',
      'INGEST_TOPIC',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SSL',
      'LOG_LEVEL',
    ]);
    expect(problems).toContainEqual(['AUTH_PUBLIC_KEY', 'set AUTH_ISSUER too']);
    expect(problems).toContainEqual([
      'AUTH_PUBLIC_KEY',
      'expected a public key in SPKI PEM (-----BEGIN PUBLIC KEY-----)',
    ]);
    expect(problems).toContainEqual([
      'KAFKA_SASL_USERNAME',
      'required when KAFKA_SASL_MECHANISM is set',
    ]);
    expect(problems).toContainEqual([
      'INGEST_TLS_CERT_FILE',
      'cannot read the file /nonexistent/cert.pem',
    ]);
    // A secret is named, never shown.
    expect(problems.flat().join(' ')).not.toContain('kerberos');
  });

  it('requires an issuer with exactly one key source', () => {
    expect(problemsOf(() => loadConfig({}, '/', { require: ['auth'] }))).toEqual([
      [
        'AUTH_ISSUER',
        'required: the issuer of producers’ and analysts’ tokens (with AUTH_JWKS_URL or AUTH_PUBLIC_KEY)',
      ],
    ]);
    expect(problemsOf(() => loadConfig({ AUTH_ISSUER: 'https://sso.example' }))).toEqual([
      ['AUTH_JWKS_URL', 'AUTH_ISSUER needs AUTH_JWKS_URL or AUTH_PUBLIC_KEY'],
    ]);
    expect(
      problemsOf(() =>
        loadConfig({
          AUTH_ISSUER: 'https://sso.example',
          AUTH_JWKS_URL: 'https://sso.example/certs',
          AUTH_PUBLIC_KEY: publicKeyPem,
        }),
      ),
    ).toEqual([['AUTH_PUBLIC_KEY', 'give AUTH_JWKS_URL or AUTH_PUBLIC_KEY, not both']]);
    // Processes that do not require auth start without it.
    expect(problemsOf(() => loadConfig({}))).toEqual([]);
  });

  it('geocodes offline by default: the gazetteer, a read-write cache, the public services’ URLs', () => {
    expect(loadConfig({}, '/').geocoding).toStrictEqual({
      provider: 'gazetteer',
      cache: 'read-write',
      minSimilarity: 0.5,
      ban: { url: 'https://api-adresse.data.gouv.fr', citycode: undefined, ratePerSecond: 50 },
      nominatim: { url: 'https://nominatim.openstreetmap.org', ratePerSecond: 1 },
      userAgent: 'cortege-tension/0.1.0 (Ville de Marseille tension platform)',
      httpTimeoutMs: 5_000,
      httpRetries: 3,
      importBatchSize: 1_000,
    });
  });

  it('reads the geocoding section and lists each malformed geocoding variable', () => {
    const config = loadConfig({
      GEOCODING_PROVIDER: 'ban',
      GEOCODING_CACHE: 'replay',
      GEOCODING_MIN_SIMILARITY: '0.6',
      GEOCODING_BAN_URL: 'http://127.0.0.1:8080/',
      GEOCODING_BAN_CITYCODE: '13055',
      GEOCODING_BAN_RATE_PER_SECOND: '20',
      GEOCODING_NOMINATIM_URL: 'http://127.0.0.1:8081',
      GEOCODING_NOMINATIM_RATE_PER_SECOND: '0.5',
      GEOCODING_USER_AGENT: 'cortege-test/1.0',
      GEOCODING_HTTP_TIMEOUT_MS: '800',
      GEOCODING_HTTP_RETRIES: '0',
      GEOCODING_IMPORT_BATCH_SIZE: '250',
    });
    expect(config.geocoding).toStrictEqual({
      provider: 'ban',
      cache: 'replay',
      minSimilarity: 0.6,
      ban: { url: 'http://127.0.0.1:8080', citycode: '13055', ratePerSecond: 20 },
      nominatim: { url: 'http://127.0.0.1:8081', ratePerSecond: 0.5 },
      userAgent: 'cortege-test/1.0',
      httpTimeoutMs: 800,
      httpRetries: 0,
      importBatchSize: 250,
    });

    const problems = problemsOf(() =>
      loadConfig({
        GEOCODING_PROVIDER: 'google',
        GEOCODING_CACHE: 'sometimes',
        GEOCODING_MIN_SIMILARITY: '0.1',
        GEOCODING_BAN_URL: 'ftp://ban',
        GEOCODING_BAN_CITYCODE: 'Marseille',
        GEOCODING_USER_AGENT: 'Cortège ✓',
        GEOCODING_HTTP_TIMEOUT_MS: '5',
      }),
    );
    expect(problems.map(([variable]) => variable).sort()).toEqual([
      'GEOCODING_BAN_CITYCODE',
      'GEOCODING_BAN_URL',
      'GEOCODING_CACHE',
      'GEOCODING_HTTP_TIMEOUT_MS',
      'GEOCODING_MIN_SIMILARITY',
      'GEOCODING_PROVIDER',
      'GEOCODING_USER_AGENT',
    ]);
    expect(problems).toContainEqual(['GEOCODING_PROVIDER', 'expected gazetteer, ban or nominatim']);
  });

  it('keeps raw submissions and dead letters 7 days, the aggregates 400, and reads the retention variables', () => {
    const day = 86_400_000;
    expect(loadConfig({}, '/').retention).toStrictEqual({
      submissionsMs: 7 * day,
      deadLettersMs: 7 * day,
      presenceMs: 430 * day,
      aggregatesMs: 400 * day,
      tombstoneMs: 24 * 3_600_000,
      geocodeCacheMs: 30 * day,
    });
    expect(
      loadConfig({
        RETENTION_SUBMISSIONS_DAYS: '3',
        RETENTION_DEAD_LETTERS_DAYS: '2',
        RETENTION_PRESENCE_DAYS: '100',
        RETENTION_AGGREGATES_DAYS: '90',
        RETENTION_TOMBSTONE_HOURS: '6',
        RETENTION_GEOCODE_CACHE_DAYS: '10',
      }).retention,
    ).toStrictEqual({
      submissionsMs: 3 * day,
      deadLettersMs: 2 * day,
      presenceMs: 100 * day,
      aggregatesMs: 90 * day,
      tombstoneMs: 6 * 3_600_000,
      geocodeCacheMs: 10 * day,
    });

    expect(problemsOf(() => loadConfig({ RETENTION_DEAD_LETTERS_DAYS: '-1' }))).toEqual([
      ['RETENTION_DEAD_LETTERS_DAYS', expect.any(String)],
    ]);
    // A rebuild reads the presence topic: it may not forget what the tables still hold.
    expect(problemsOf(() => loadConfig({ RETENTION_AGGREGATES_DAYS: '500' }))).toEqual([
      [
        'RETENTION_PRESENCE_DAYS',
        'must be at least RETENTION_AGGREGATES_DAYS (500): a rebuild reads the presence topic',
      ],
    ]);
  });
});
