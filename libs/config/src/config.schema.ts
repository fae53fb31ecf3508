import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

/** An unset variable and an empty one mean the same: "use the default". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    schema.optional(),
  );

const port = (fallback: number) =>
  optional(z.coerce.number().int().min(1024).max(65535)).transform((v) => v ?? fallback);

const brokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()))
  .refine((list) => list.every((b) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(b)), {
    message: 'expected a comma-separated list of host:port',
  });

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' });

const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'expected a postgres://user:password@host:port/database URL',
});

const positiveInt = (fallback: number, min: number, max: number) =>
  optional(z.coerce.number().int().min(min).max(max)).transform((v) => v ?? fallback);

/** `NAME=number,NAME=number`: each name matching `name`, each number finite and ≥ 0. */
const weightList = (name: RegExp, shape: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry) => {
          const [key = '', value = ''] = entry.split('=').map((part) => part.trim());
          return [key, value.trim() === '' ? NaN : Number(value)] as const;
        }),
    )
    .refine(
      (entries) => entries.every(([key, v]) => name.test(key) && Number.isFinite(v) && v >= 0),
      {
        message: `expected a comma-separated list of ${shape} with weights ≥ 0`,
      },
    );

/**
 * `producer=source|source;producer=source`: each producer (a token's client id or subject) with
 * the submission sources it may write, each a source as the contract reads it.
 */
const producerSources = z
  .string()
  .transform((s) =>
    s
      .split(';')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => {
        const at = entry.indexOf('=');
        const producer = at < 0 ? '' : entry.slice(0, at).trim();
        const sources =
          at < 0
            ? []
            : entry
                .slice(at + 1)
                .split('|')
                .map((v) => v.trim());
        return { producer, sources };
      }),
  )
  .refine(
    (entries) =>
      entries.length > 0 &&
      new Set(entries.map((e) => e.producer)).size === entries.length &&
      entries.every(
        (e) =>
          /^[^\s=;|]{1,255}$/.test(e.producer) &&
          e.sources.length > 0 &&
          e.sources.every((v) => /^[a-z][a-z0-9._-]{0,63}$/.test(v)),
      ),
    {
      message:
        'expected producer=source|source;producer=source (each producer once, each source a-z then a-z 0-9 . _ -)',
    },
  );

/**
 * `{"source":{"url":"https://…","secret":"…"},…}`: each source (as the contract reads it) with
 * the receiver of its rejections and the secret that signs them (16 characters at least).
 */
const sourceWebhooks = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, 'expected a source: a-z then a-z 0-9 . _ -'),
      z.strictObject({
        url: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }),
        secret: z.string().min(16, 'expected a secret of 16 characters at least'),
      }),
    ),
  );

const booleanFlag = z.enum(['true', 'false'], { error: 'expected true or false' });

/** Kafka's legal topic names: up to 249 of [a-zA-Z0-9._-]. */
const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name ([A-Za-z0-9._-], ≤ 249)');

/** The algorithms a producer's token may be signed with: asymmetric only, never `none`/HMAC. */
export const AUTH_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** A public key in SPKI PEM; `\n` escapes are accepted, as one-line env files need them. */
const spkiPem = z
  .string()
  .transform((s) => s.replace(/\\n/g, '\n').trim())
  .refine(
    (pem) => {
      if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) return false;
      try {
        return createPublicKey(pem).type === 'public';
      } catch {
        return false;
      }
    },
    { message: 'expected a public key in SPKI PEM (-----BEGIN PUBLIC KEY-----)' },
  );

/**
 * Every environment variable the platform reads, with its default.
 * Documented in the README ("Configuration"); keep the two in step.
 */
export const environmentSchema = z.object({
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'])).transform((v) => v ?? 'info'),
  /**
   * Set by the process runner and the tests' app helper, which start each app in a session of
   * its own: the app stops itself when this process is no longer its parent.
   */
  CORTEGE_PARENT_PID: optional(z.coerce.number().int().min(1)),

  // Existing services. Each one that is set is used as it is and never started locally.
  KAFKA_BROKERS: optional(brokerList),
  SCHEMA_REGISTRY_URL: optional(httpUrl),
  DATABASE_URL: optional(postgresUrl),
  KAFKA_CLIENT_ID: optional(z.string().min(1).max(100)).transform((v) => v ?? 'cortege'),

  // Security of the apps' Kafka clients (off by default: the local stack is plaintext).
  KAFKA_SASL_MECHANISM: optional(
    z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], {
      error: 'expected plain, scram-sha-256 or scram-sha-512',
    }),
  ),
  KAFKA_SASL_USERNAME: optional(z.string().min(1)),
  KAFKA_SASL_PASSWORD: optional(z.string().min(1)),
  KAFKA_SSL: optional(booleanFlag),
  /** A PEM bundle of the CAs that sign the brokers' certificates; implies KAFKA_SSL. */
  KAFKA_SSL_CA_FILE: optional(z.string().min(1)),

  // The HTTPS ingest API (apps/ingest-api).
  INGEST_HOST: optional(z.string().min(1)).transform((v) => v ?? '127.0.0.1'),
  INGEST_PORT: port(18080),
  INGEST_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.submissions.v1'),
  INGEST_MAX_BATCH: positiveInt(500, 1, 100_000),
  INGEST_MAX_BODY_BYTES: positiveInt(1_048_576, 1024, 64 * 1_048_576),
  INGEST_MAX_ROUTE_POINTS: positiveInt(10_000, 2, 1_000_000),
  INGEST_DEDUP_ENTRIES: positiveInt(100_000, 1, 10_000_000),
  INGEST_PUBLISH_TIMEOUT_MS: positiveInt(15_000, 100, 600_000),
  INGEST_RETRY_AFTER_SECONDS: positiveInt(5, 1, 3600),
  /** Which sources each producer may write (`producer=source|source;…`); unset = any. */
  INGEST_PRODUCERS: optional(producerSources),
  INGEST_TLS_CERT_FILE: optional(z.string().min(1)),
  INGEST_TLS_KEY_FILE: optional(z.string().min(1)),
  /** Per source, where its rejections after the 202 are POSTed, signed (JSON); unset = none. */
  INGEST_WEBHOOKS: optional(sourceWebhooks),

  // Outgoing webhooks (libs/webhooks): how their outbox is sent and retried.
  WEBHOOK_POLL_MS: positiveInt(1_000, 10, 60_000),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000, 100, 120_000),
  WEBHOOK_MAX_ATTEMPTS: positiveInt(12, 1, 1_000),
  WEBHOOK_MAX_AGE_HOURS: positiveInt(24, 1, 720),
  WEBHOOK_BACKOFF_BASE_MS: positiveInt(1_000, 1, 3_600_000),
  WEBHOOK_BACKOFF_MAX_MS: positiveInt(600_000, 1, 86_400_000),

  // The analysts' API (apps/analyst-api): OGC API Features, vector tiles, habilitations.
  ANALYST_API_HOST: optional(z.string().min(1)).transform((v) => v ?? '127.0.0.1'),
  ANALYST_API_PORT: port(18093),
  ANALYST_API_TLS_CERT_FILE: optional(z.string().min(1)),
  ANALYST_API_TLS_KEY_FILE: optional(z.string().min(1)),
  /** Accepted `aud` of analysts' tokens (comma-separated); unset = AUTH_AUDIENCE's. */
  ANALYST_API_AUDIENCE: optional(z.string().min(1)),
  /** Items per page when `limit` is not given, and the most a `limit` is clamped to. */
  ANALYST_API_DEFAULT_LIMIT: positiveInt(100, 1, 100_000),
  ANALYST_API_MAX_LIMIT: positiveInt(10_000, 1, 100_000),
  /** Breakdowns by organiser status hide any group of fewer events than this. */
  ANALYST_API_MIN_GROUP_SIZE: positiveInt(5, 1, 1000),
  /** `Cache-Control: private, max-age` of a vector tile, seconds. */
  ANALYST_API_TILE_MAX_AGE_SECONDS: positiveInt(30, 0, 86_400),
  /** The map's OpenID Connect issuer (discovery at …/.well-known/openid-configuration); unset = AUTH_ISSUER. */
  ANALYST_API_MAP_ISSUER: optional(httpUrl),
  /** The map's public client id at that issuer (authorization code + PKCE, no secret). */
  ANALYST_API_MAP_CLIENT_ID: optional(z.string().min(1)).transform((v) => v ?? 'cortege-map'),
  /** A MapLibre style drawn under the data instead of the gazetteer's base, where one is reachable. */
  ANALYST_API_MAP_STYLE_URL: optional(httpUrl),
  /** The Chromium the map's browser tests and the demo's screenshot drive (Debian's package). */
  CHROMIUM_PATH: optional(z.string().min(1)).transform((v) => v ?? '/usr/bin/chromium'),

  // Who may submit or read: OAuth2 bearer JWTs of this issuer (required by both APIs).
  AUTH_ISSUER: optional(z.string().min(1)),
  AUTH_AUDIENCE: optional(z.string().min(1)),
  AUTH_JWKS_URL: optional(httpUrl),
  AUTH_PUBLIC_KEY: optional(spkiPem),
  AUTH_ALGORITHM: optional(
    z.enum(AUTH_ALGORITHMS, { error: `expected one of ${AUTH_ALGORITHMS.join(', ')}` }),
  ).transform((v) => v ?? 'RS256'),
  AUTH_CLOCK_TOLERANCE_SECONDS: positiveInt(5, 0, 300),

  // What every stage (sanitizer, locator, aggregator) shares: group membership and health.
  /** A member silent this long (ms) leaves its group: how fast a killed stage's partitions move. */
  STAGE_SESSION_TIMEOUT_MS: positiveInt(10_000, 6_000, 300_000),
  STAGE_HEARTBEAT_INTERVAL_MS: positiveInt(1_000, 100, 60_000),
  /** How often (ms) a stage checks its dependencies, lag and membership, and logs changes. */
  STAGE_HEALTH_INTERVAL_MS: positiveInt(2_000, 100, 600_000),
  /** Lag positive and no batch committed for this long (ms): the stage reports itself stalled. */
  STAGE_STALL_TIMEOUT_MS: positiveInt(60_000, 1_000, 3_600_000),
  /** How long (ms) a stopping stage waits for its batch and its group to let go before it exits. */
  STAGE_STOP_TIMEOUT_MS: positiveInt(8_000, 1_000, 600_000),
  /** Most records in one Kafka transaction of the sanitizer and the locator. */
  STAGE_MAX_BATCH: positiveInt(500, 1, 100_000),

  // The sanitizer stage (apps/sanitizer; `cortege sanitize` reads the policy too).
  SANITIZER_PORT: port(18090),
  SANITIZER_GROUP_ID: optional(z.string().min(1).max(200)).transform(
    (v) => v ?? 'cortege-sanitizer',
  ),
  /** Distinct per running instance: its transactional id fences its own predecessor only. */
  SANITIZER_INSTANCE_ID: optional(
    z.string().regex(/^[\w.-]{1,100}$/, 'expected letters, digits, . _ -'),
  ).transform((v) => v ?? '0'),
  SANITIZER_INPUT_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.submissions.v1'),
  SANITIZER_EVENTS_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.events.v1'),
  SANITIZER_DLQ_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.submissions.dlq.v1'),
  /** Partitions of the topics the sanitizer creates when they are missing. */
  SANITIZER_PARTITIONS: positiveInt(6, 1, 1000),
  SANITIZER_MAX_DURATION_HOURS: optional(
    z.coerce
      .number()
      .positive()
      .max(24 * 366),
  ),
  SANITIZER_MAX_PEOPLE: optional(z.coerce.number().int().positive()),
  SANITIZER_MAX_CARS: optional(z.coerce.number().int().positive()),
  SANITIZER_MAX_ROUTE_POINTS: optional(z.coerce.number().int().min(2).max(1_000_000)),
  SANITIZER_MAX_FOOTPRINT_POINTS: optional(z.coerce.number().int().min(4).max(1_000_000)),
  SANITIZER_MAX_ADDRESS_LENGTH: optional(z.coerce.number().int().positive().max(10_000)),
  SANITIZER_MAX_SUBJECT_LENGTH: optional(z.coerce.number().int().positive().max(100_000)),
  SANITIZER_MAX_DESCRIPTION_LENGTH: optional(z.coerce.number().int().positive().max(1_000_000)),
  /**
   * The places file the gazetteer was imported with (`cortege gazetteer import --places`): an
   * address keeps these names even when one is named like a person. Default: the project's list.
   */
  SANITIZER_PLACES_FILE: optional(z.string().min(1)),
  /** Area of operation, `minLon,minLat,maxLon,maxLat` in WGS84 degrees. */
  SANITIZER_AREA: optional(
    z
      .string()
      .transform((s) => s.split(',').map((n) => Number(n.trim())))
      .refine(
        (n) =>
          n.length === 4 &&
          n.every(Number.isFinite) &&
          n[0]! < n[2]! &&
          n[1]! < n[3]! &&
          Math.abs(n[0]!) <= 180 &&
          Math.abs(n[2]!) <= 180 &&
          Math.abs(n[1]!) <= 90 &&
          Math.abs(n[3]!) <= 90,
        { message: 'expected minLon,minLat,maxLon,maxLat in degrees, min < max' },
      ),
  ),

  // The locator stage (apps/locator; `cortege locate` reads the model too).
  LOCATOR_PORT: port(18091),
  LOCATOR_GROUP_ID: optional(z.string().min(1).max(200)).transform((v) => v ?? 'cortege-locator'),
  LOCATOR_INSTANCE_ID: optional(
    z.string().regex(/^[\w.-]{1,100}$/, 'expected letters, digits, . _ -'),
  ).transform((v) => v ?? '0'),
  LOCATOR_INPUT_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.events.v1'),
  LOCATOR_PRESENCE_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.presence.v1'),
  LOCATOR_DLQ_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.submissions.dlq.v1'),
  LOCATOR_PARTITIONS: positiveInt(6, 1, 1000),
  LOCATOR_H3_RESOLUTION: optional(z.coerce.number().int().min(0).max(15)),
  LOCATOR_REGION_RESOLUTION: optional(z.coerce.number().int().min(0).max(15)),
  LOCATOR_WALKING_SPEED_KMH: optional(z.coerce.number().positive().max(50)),
  LOCATOR_CROWD_DENSITY: optional(z.coerce.number().positive().max(10)),
  LOCATOR_STREET_WIDTH_M: optional(z.coerce.number().positive().max(500)),
  LOCATOR_OPERATION_RADIUS_M: optional(z.coerce.number().min(0).max(10_000)),
  LOCATOR_VISIT_RADIUS_M: optional(z.coerce.number().min(0).max(10_000)),

  // Submission status (issue #17): the sanitizer and the locator write each submission's outcome
  // to this compacted topic in their transactions; the ingest API keeps it in PostgreSQL.
  SUBMISSION_STATUS_TOPIC: optional(topicName).transform(
    (v) => v ?? 'cortege.submission-status.v1',
  ),
  SUBMISSION_STATUS_GROUP_ID: optional(z.string().min(1).max(200)).transform(
    (v) => v ?? 'cortege-submission-status',
  ),

  // `cortege dlq redrive`: how often a record may be sent back, and the group keeping its place.
  DLQ_MAX_REDRIVES: positiveInt(3, 1, 100),
  DLQ_REDRIVE_GROUP_ID: optional(z.string().min(1).max(200)).transform(
    (v) => v ?? 'cortege-dlq-redrive',
  ),

  // The aggregator (apps/aggregator) and the tension model it shares with `cortege score`.
  AGGREGATOR_PORT: port(18092),
  AGGREGATOR_GROUP_ID: optional(z.string().min(1).max(200)).transform(
    (v) => v ?? 'cortege-aggregator',
  ),
  AGGREGATOR_INPUT_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.presence.v1'),
  AGGREGATOR_DLQ_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.submissions.dlq.v1'),
  AGGREGATOR_PARTITIONS: positiveInt(6, 1, 1000),
  /** Most presence records in one PostgreSQL transaction. */
  AGGREGATOR_MAX_BATCH: positiveInt(2_000, 1, 100_000),
  // Hotspots (issue #19): Benjamini–Hochberg's false-discovery rate, and how long the aggregator
  // gathers the days its batches touch before recomputing their windows.
  /** α of the hotspots' false-discovery control, in (0, 1). */
  HOTSPOT_ALPHA: optional(z.coerce.number().gt(0).lt(1)).transform((v) => v ?? 0.05),
  /** Milliseconds the aggregator waits before recomputing the hotspot windows batches touched. */
  HOTSPOT_REFRESH_MS: positiveInt(5_000, 0, 3_600_000),
  // Conflict alerts (issue #19): the topic, the pair rules over the defaults, how often the
  // aggregator looks for versions to publish, and the webhooks each version is delivered to.
  ALERTS_TOPIC: optional(topicName).transform((v) => v ?? 'cortege.alerts.v1'),
  /** `KIND[/THEME]:KIND[/THEME]=LOW|MEDIUM|HIGH|NONE,…`: rules over the defaults (libs/tension). */
  ALERT_RULES: optional(
    z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r !== ''),
      )
      .refine((rules) => rules.every((r) => /^[A-Z_/]+:[A-Z_/]+=[A-Z]+$/.test(r)), {
        message: 'expected KIND[/THEME]:KIND[/THEME]=LOW|MEDIUM|HIGH|NONE, comma-separated',
      }),
  ),
  /** Milliseconds between two looks at the alerts' outbox (each batch also wakes it). */
  ALERT_PUBLISH_MS: positiveInt(2_000, 10, 3_600_000),
  /** Milliseconds an event is left alone before its alerts are recomputed (its regions come in). */
  ALERT_SETTLE_MS: positiveInt(1_000, 0, 600_000),
  /** `name=url|secret;name=url|secret`: the webhooks alerts are delivered to, HMAC-signed. */
  ALERT_WEBHOOKS: optional(
    z
      .string()
      .transform((s) =>
        s
          .split(';')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== '')
          .map((entry) => {
            const at = entry.indexOf('=');
            const bar = entry.lastIndexOf('|');
            return {
              name: entry.slice(0, Math.max(at, 0)).trim(),
              url: entry.slice(at + 1, bar > at ? bar : undefined).trim(),
              secret: bar > at ? entry.slice(bar + 1) : '',
            };
          }),
      )
      .refine(
        (targets) =>
          new Set(targets.map((t) => t.name)).size === targets.length &&
          targets.every(
            (t) =>
              /^[a-z][a-z0-9_-]{0,63}$/.test(t.name) &&
              httpUrl.safeParse(t.url).success &&
              t.secret.length >= 16,
          ),
        {
          message:
            'expected name=http(s)://url|secret;… (each name once, a-z 0-9 _ -; each secret ≥ 16 characters)',
        },
      ),
  ),
  TENSION_BUCKET_MINUTES: optional(z.coerce.number().int().min(1).max(1440)),
  TENSION_ZONE_THRESHOLD: optional(z.coerce.number().positive().max(1e6)),
  TENSION_CAR_WEIGHT: optional(z.coerce.number().min(0).max(1e3)),
  /** `10,9,8`: the H3 resolutions scored. */
  TENSION_RESOLUTIONS: optional(
    z
      .string()
      .transform((s) => s.split(',').map((n) => Number(n.trim())))
      .refine((list) => list.every((n) => Number.isInteger(n) && n >= 0 && n <= 15), {
        message: 'expected a comma-separated list of H3 resolutions 0..15, e.g. 10,9,8',
      }),
  ),
  /** `KIND=weight,…`, e.g. `MOVING_DEMONSTRATION=3,OFFICIAL_VISIT=2`: overrides per kind. */
  TENSION_KIND_WEIGHTS: optional(weightList(/^[A-Z_]+$/, 'KIND=weight')),
  /** `KIND:KIND=weight,…`: pair weights, applied both ways. */
  TENSION_PAIR_WEIGHTS: optional(weightList(/^[A-Z_]+:[A-Z_]+$/, 'KIND:KIND=weight')),
  /** `THEME=weight,…`: the pair weight of any pair with a scheduled operation of that theme. */
  TENSION_THEME_PAIR_WEIGHTS: optional(weightList(/^[A-Z_]+$/, 'THEME=weight')),

  // Geocoding (libs/geocoding-adapters): the PostGIS gazetteer by default, or an HTTP service.
  GEOCODING_PROVIDER: optional(
    z.enum(['gazetteer', 'ban', 'nominatim'], { error: 'expected gazetteer, ban or nominatim' }),
  ).transform((v) => v ?? 'gazetteer'),
  /** `replay`: stored geocodes only, never a call out; `off`: no cache. */
  GEOCODING_CACHE: optional(
    z.enum(['read-write', 'replay', 'off'], { error: 'expected read-write, replay or off' }),
  ).transform((v) => v ?? 'read-write'),
  /** Least pg_trgm similarity (0.3..1) for the gazetteer to accept a street or a place. */
  GEOCODING_MIN_SIMILARITY: optional(z.coerce.number().min(0.3).max(1)).transform((v) => v ?? 0.5),
  GEOCODING_BAN_URL: optional(httpUrl).transform((v) => v ?? 'https://api-adresse.data.gouv.fr'),
  /** `citycode` filter of BAN searches (an INSEE code); unset = no filter. */
  GEOCODING_BAN_CITYCODE: optional(
    z.string().regex(/^(\d{5}|2[AB]\d{3})$/, 'expected an INSEE code such as 13055'),
  ),
  GEOCODING_BAN_RATE_PER_SECOND: positiveInt(50, 1, 1000),
  GEOCODING_NOMINATIM_URL: optional(httpUrl).transform(
    (v) => v ?? 'https://nominatim.openstreetmap.org',
  ),
  GEOCODING_NOMINATIM_RATE_PER_SECOND: optional(z.coerce.number().positive().max(100)).transform(
    (v) => v ?? 1,
  ),
  /** Sent to every HTTP geocoder; Nominatim's usage policy requires one naming the application. */
  GEOCODING_USER_AGENT: optional(
    z.string().regex(/^[\x20-\x7e]{1,200}$/, 'expected printable ASCII, at most 200 characters'),
  ).transform((v) => v ?? 'cortege-tension/0.1.0 (Ville de Marseille tension platform)'),
  GEOCODING_HTTP_TIMEOUT_MS: positiveInt(5_000, 100, 120_000),
  /** Retries of one HTTP geocode after a 429, a 5xx or a network error. */
  GEOCODING_HTTP_RETRIES: positiveInt(3, 0, 10),
  /** Rows per INSERT of the gazetteer importer. */
  GEOCODING_IMPORT_BATCH_SIZE: positiveInt(1_000, 1, 10_000),

  // Retention (issue #18): how long each topic and table keeps what it holds, in days.
  /** Raw submissions (unscrubbed): the sanitizer's input topic and the ingest API's. */
  RETENTION_SUBMISSIONS_DAYS: positiveInt(7, 1, 3_650),
  /** Dead letters: the original, unscrubbed bytes of every refused record. */
  RETENTION_DEAD_LETTERS_DAYS: positiveInt(7, 1, 3_650),
  /**
   * The aggregate window: events that ended longer ago leave the tables (event, its presence
   * and ledger, the aggregates they fed) and get a tombstone on the compacted events topic.
   */
  RETENTION_AGGREGATES_DAYS: positiveInt(400, 1, 36_500),
  /** The presence topic, which a rebuild reads: at least the aggregate window. */
  RETENTION_PRESENCE_DAYS: positiveInt(430, 1, 36_500),
  /** How long a tombstone stays on the compacted events topic (`delete.retention.ms`). */
  RETENTION_TOMBSTONE_HOURS: positiveInt(24, 1, 8_760),
  /** Entries of the geocode cache (normalised addresses) older than this are removed. */
  RETENTION_GEOCODE_CACHE_DAYS: positiveInt(30, 1, 3_650),

  // Purge (issue #18): the destruction report's signature and where reports are written.
  /** PKCS#8 PEM private key (Ed25519 or EC P-256) that signs destruction reports (JWS). */
  PURGE_SIGNING_KEY_FILE: optional(z.string().min(1)),
  /** SPKI PEM public key that verifies them; unset = derived from the signing key. */
  PURGE_VERIFY_KEY_FILE: optional(z.string().min(1)),
  /** Folder of the destruction reports and of a purge's progress file. */
  PURGE_REPORT_DIR: optional(z.string().min(1)).transform((v) => v ?? 'purge-reports'),

  // The local stack (infra/local), used for whichever service above is not set.
  STACK_MODE: optional(z.enum(['auto', 'local', 'docker'])).transform((v) => v ?? 'auto'),
  STACK_DIR: optional(z.string().min(1)).transform((v) => v ?? '.stack'),
  STACK_KAFKA_PORT: port(19092),
  STACK_KAFKA_CONTROLLER_PORT: port(19093),
  STACK_REGISTRY_PORT: port(18081),
  /** Apicurio's management interface (Quarkus health and metrics), on the loopback too. */
  STACK_REGISTRY_MANAGEMENT_PORT: port(18082),
  STACK_POSTGRES_PORT: port(15433),
  STACK_START_TIMEOUT_MS: optional(z.coerce.number().int().min(1000).max(3_600_000)).transform(
    (v) => v ?? 180_000,
  ),
  STACK_KAFKA_HEAP: optional(
    z.string().regex(/^\d+[mMgG]$/, 'expected a JVM size like 512m'),
  ).transform((v) => v ?? '768m'),
  STACK_REGISTRY_HEAP: optional(
    z.string().regex(/^\d+[mMgG]$/, 'expected a JVM size like 384m'),
  ).transform((v) => v ?? '384m'),
  /** Java for Kafka (17+). Falls back to JAVA_HOME, then `java` on the PATH. */
  STACK_KAFKA_JAVA_HOME: optional(z.string().min(1)),
  /** Java for Apicurio Registry 3.3 (21+). Falls back to the newest JDK found in /usr/lib/jvm. */
  STACK_REGISTRY_JAVA_HOME: optional(z.string().min(1)),
  JAVA_HOME: optional(z.string().min(1)),
});

export type Environment = z.infer<typeof environmentSchema>;

/** A variable with a value (an empty one counts as unset, as everywhere in this module). */
const isSet = (env: Readonly<Record<string, string | undefined>>, variable: string) =>
  (env[variable] ?? '').trim() !== '';

/**
 * The rules that tie variables together, on the raw environment, so that they are reported
 * together with every malformed single variable (zod skips object refinements once a field
 * fails). Each problem names the variable to fix.
 */
export function crossVariableProblems(
  env: Readonly<Record<string, string | undefined>>,
): Array<{ variable: string; message: string }> {
  const problems: Array<{ variable: string; message: string }> = [];
  const problem = (variable: string, message: string) => problems.push({ variable, message });
  const set = (variable: string) => isSet(env, variable);

  if (set('KAFKA_SASL_MECHANISM')) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'])
      if (!set(variable)) problem(variable, 'required when KAFKA_SASL_MECHANISM is set');
  } else {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'])
      if (set(variable)) problem(variable, 'set KAFKA_SASL_MECHANISM too');
  }
  if (env.KAFKA_SSL?.trim() === 'false' && set('KAFKA_SSL_CA_FILE'))
    problem('KAFKA_SSL_CA_FILE', 'given while KAFKA_SSL=false');

  if (set('INGEST_TLS_CERT_FILE') !== set('INGEST_TLS_KEY_FILE')) {
    const missing = set('INGEST_TLS_CERT_FILE') ? 'INGEST_TLS_KEY_FILE' : 'INGEST_TLS_CERT_FILE';
    problem(missing, 'INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE go together');
  }

  const session = Number(set('STAGE_SESSION_TIMEOUT_MS') ? env.STAGE_SESSION_TIMEOUT_MS : 10_000);
  const heartbeat = Number(
    set('STAGE_HEARTBEAT_INTERVAL_MS') ? env.STAGE_HEARTBEAT_INTERVAL_MS : 1_000,
  );
  if (heartbeat * 3 > session)
    problem(
      'STAGE_HEARTBEAT_INTERVAL_MS',
      `must be at most a third of STAGE_SESSION_TIMEOUT_MS (${session} ms)`,
    );

  if (set('ANALYST_API_TLS_CERT_FILE') !== set('ANALYST_API_TLS_KEY_FILE')) {
    const missing = set('ANALYST_API_TLS_CERT_FILE')
      ? 'ANALYST_API_TLS_KEY_FILE'
      : 'ANALYST_API_TLS_CERT_FILE';
    problem(missing, 'ANALYST_API_TLS_CERT_FILE and ANALYST_API_TLS_KEY_FILE go together');
  }
  const defaultLimit = Number(
    set('ANALYST_API_DEFAULT_LIMIT') ? env.ANALYST_API_DEFAULT_LIMIT : 100,
  );
  const maxLimit = Number(set('ANALYST_API_MAX_LIMIT') ? env.ANALYST_API_MAX_LIMIT : 10_000);
  if (defaultLimit > maxLimit)
    problem('ANALYST_API_DEFAULT_LIMIT', `must be at most ANALYST_API_MAX_LIMIT (${maxLimit})`);

  const aggregatesDays = Number(
    set('RETENTION_AGGREGATES_DAYS') ? env.RETENTION_AGGREGATES_DAYS : 400,
  );
  const presenceDays = Number(set('RETENTION_PRESENCE_DAYS') ? env.RETENTION_PRESENCE_DAYS : 430);
  if (presenceDays < aggregatesDays)
    problem(
      'RETENTION_PRESENCE_DAYS',
      `must be at least RETENTION_AGGREGATES_DAYS (${aggregatesDays}): a rebuild reads the presence topic`,
    );

  if (set('AUTH_JWKS_URL') && set('AUTH_PUBLIC_KEY'))
    problem('AUTH_PUBLIC_KEY', 'give AUTH_JWKS_URL or AUTH_PUBLIC_KEY, not both');
  if (set('AUTH_ISSUER')) {
    if (!set('AUTH_JWKS_URL') && !set('AUTH_PUBLIC_KEY'))
      problem('AUTH_JWKS_URL', 'AUTH_ISSUER needs AUTH_JWKS_URL or AUTH_PUBLIC_KEY');
  } else {
    for (const variable of [
      'AUTH_AUDIENCE',
      'AUTH_JWKS_URL',
      'AUTH_PUBLIC_KEY',
      'ANALYST_API_AUDIENCE',
    ])
      if (set(variable)) problem(variable, 'set AUTH_ISSUER too');
  }
  return problems;
}

/** Variables naming files the process reads at start; each must exist and be readable. */
export const FILE_VARIABLES = [
  'KAFKA_SSL_CA_FILE',
  'INGEST_TLS_CERT_FILE',
  'INGEST_TLS_KEY_FILE',
  'ANALYST_API_TLS_CERT_FILE',
  'ANALYST_API_TLS_KEY_FILE',
] as const;
