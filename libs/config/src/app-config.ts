import { resolve } from 'node:path';
import type { TensionOverrides } from '@app/tension';
import type { Environment } from './config.schema';

export type LogLevel = Environment['LOG_LEVEL'];

const DAY_MS = 86_400_000;

/** Where a service comes from: given by the environment, or started by infra/local. */
export type ServiceOrigin = 'external' | 'local';

/** The one configuration object of a process, built once at start by `loadConfig`. */
export interface AppConfig {
  readonly logLevel: LogLevel;
  /** The supervisor that started this process, which stops when it is gone; `undefined` = none. */
  readonly parentPid: number | undefined;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly origin: ServiceOrigin;
    /** SASL credentials, when the brokers ask for them; `undefined` = none. */
    readonly sasl: KafkaSaslConfig | undefined;
    /** TLS to the brokers; `undefined` = plaintext. */
    readonly ssl: KafkaSslConfig | undefined;
  };
  readonly registry: {
    /** Base URL of the Confluent-compatible API (Apicurio: `…/apis/ccompat/v7`). */
    readonly url: string;
    readonly origin: ServiceOrigin;
  };
  readonly database: {
    readonly url: string;
    readonly origin: ServiceOrigin;
  };
  readonly stack: StackConfig;
  readonly ingest: IngestConfig;
  readonly stages: StagesConfig;
  readonly sanitizer: SanitizerConfig;
  readonly geocoding: GeocodingConfig;
  readonly locator: LocatorConfig;
  readonly aggregator: AggregatorConfig;
  /** `cortege dlq redrive`: at most `maxRedrives` sends of one record; its place in a group. */
  readonly dlq: { readonly maxRedrives: number; readonly redriveGroupId: string };
  /**
   * Each submission's status (issue #17): the compacted topic the sanitizer and the locator
   * write it to, and the consumer group of the ingest API, which keeps it in PostgreSQL.
   */
  readonly submissionStatus: { readonly topic: string; readonly groupId: string };
  /** How long each topic and table keeps what it holds (`cortege retention`). */
  readonly retention: RetentionConfig;
  /** `cortege purge`: the key that signs destruction reports, and where they go. */
  readonly purge: PurgeConfig;
  /** How outgoing webhooks (libs/webhooks) are sent and retried. */
  readonly webhooks: WebhooksConfig;
  /**
   * The tension model's parameters set in the environment (the model owns their type);
   * `tensionModelOf` lays them over `DEFAULT_TENSION_MODEL` and names any unknown kind or theme.
   */
  readonly tension: TensionOverrides;
  readonly analystApi: AnalystApiConfig;
  /** Debian's `chromium`, which the map's browser tests and the demo's screenshot drive. */
  readonly chromiumPath: string;
  /** Verification of producers' and analysts' tokens; `undefined` unless AUTH_ISSUER is set. */
  readonly auth: AuthConfig | undefined;
}

/** The analysts' API (apps/analyst-api). */
export interface AnalystApiConfig {
  readonly host: string;
  readonly port: number;
  /** HTTPS when set (absolute paths of PEM files), else plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Accepted `aud` of analysts' tokens; `undefined` = those of `auth`. */
  readonly audience: readonly string[] | undefined;
  readonly defaultLimit: number;
  readonly maxLimit: number;
  /** Least events in a group of a breakdown by organiser status (k-anonymity). */
  readonly minGroupSize: number;
  readonly tileMaxAgeSeconds: number;
  readonly map: MapConfig;
}

/** The map at `/map`: where it signs in, and what it draws under the data. */
export interface MapConfig {
  /** The OpenID Connect issuer the page signs in with; `undefined` = `auth.issuer`. */
  readonly issuer: string | undefined;
  readonly clientId: string;
  /** A MapLibre style URL for a real base map; `undefined` = the gazetteer's own base layer. */
  readonly styleUrl: string | undefined;
}

export interface KafkaSaslConfig {
  readonly mechanism: NonNullable<Environment['KAFKA_SASL_MECHANISM']>;
  readonly username: string;
  /** Secret: never log it. */
  readonly password: string;
}

export interface KafkaSslConfig {
  /** Absolute path of a PEM bundle of the brokers' CAs; `undefined` = the system's CAs. */
  readonly caFile: string | undefined;
}

/** What the three consuming stages share: their group membership and their health check. */
export interface StagesConfig {
  /** ms; the broker's group.min.session.timeout.ms (6 s by default) is the floor. */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly healthIntervalMs: number;
  readonly stallAfterMs: number;
  readonly stopTimeoutMs: number;
  /** Most records per Kafka transaction (sanitizer, locator). */
  readonly maxRecordsPerTransaction: number;
}

/** The HTTPS ingest API (apps/ingest-api). */
export interface IngestConfig {
  readonly host: string;
  readonly port: number;
  /** The topic submissions are published to. */
  readonly topic: string;
  /** Most submissions in one request. */
  readonly maxBatch: number;
  /** Largest request body, bytes. */
  readonly maxBodyBytes: number;
  /** Most positions in a route, and in each ring of a footprint. */
  readonly maxRoutePoints: number;
  /** How many accepted (eventId, revision) the idempotency memory keeps. */
  readonly dedupEntries: number;
  /** How long a request waits for the brokers' acknowledgement, ms. */
  readonly publishTimeoutMs: number;
  /** `Retry-After` of a 503, seconds. */
  readonly retryAfterSeconds: number;
  /** HTTPS when set (absolute paths of PEM files), else plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /**
   * Each producer (its token's client id, else subject) with the `source` values it may write
   * (INGEST_PRODUCERS); `undefined` = any producer may write any source (local use). Events are
   * bound to the producer that created them either way.
   */
  readonly producers:
    ReadonlyArray<{ readonly producer: string; readonly sources: readonly string[] }> | undefined;
  /** Per source, the receiver of its rejections after the 202 and its signing secret. */
  readonly webhooks: Readonly<Record<string, { readonly url: string; readonly secret: string }>>;
}

/**
 * Retention, in milliseconds: the topics get theirs from the broker (`retention.ms`, set when
 * they are created and altered when it differs); `cortege retention apply` applies the tables'.
 */
export interface RetentionConfig {
  /** Raw submissions topics (sanitizer input, ingest API): `retention.ms`. */
  readonly submissionsMs: number;
  /** Dead-letter topics (original, unscrubbed bytes): `retention.ms`. */
  readonly deadLettersMs: number;
  /** The presence topic, which a rebuild reads: `retention.ms`, at least `aggregatesMs`. */
  readonly presenceMs: number;
  /**
   * The aggregate window: an event that ended longer ago leaves event, event_region,
   * event_presence and the aggregates it fed, and is tombstoned on the compacted events topic.
   */
  readonly aggregatesMs: number;
  /** `delete.retention.ms` of the compacted events topic: how long a tombstone stays. */
  readonly tombstoneMs: number;
  /** Geocode cache entries older than this are removed. */
  readonly geocodeCacheMs: number;
}

/**
 * `cortege purge`: its destruction reports are signed (JWS) with `signingKeyFile`; without one,
 * a development key is generated in the local stack's folder (and the report says so).
 */
export interface PurgeConfig {
  /** Absolute path of a PKCS#8 PEM private key (Ed25519 or EC P-256); `undefined` = dev key. */
  readonly signingKeyFile: string | undefined;
  /** Absolute path of the SPKI PEM public key that verifies; `undefined` = from the signing key. */
  readonly verifyKeyFile: string | undefined;
  /** Absolute path of the folder of reports and progress files. */
  readonly reportDir: string;
}

/** The dispatcher of outgoing webhooks: its poll, each POST's timeout, and when it gives up. */
export interface WebhooksConfig {
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** A delivery older than this (since enqueued) is given up, ms. */
  readonly maxAgeMs: number;
  /** Back-off after the first failure, doubled after each further one up to `maxMs`. */
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
}

/** The aggregator (apps/aggregator). */
export interface AggregatorConfig {
  readonly port: number;
  readonly groupId: string;
  readonly inputTopic: string;
  readonly dlqTopic: string;
  readonly partitions: number;
  /** Most presence records in one PostgreSQL transaction. */
  readonly maxBatch: number;
  /** Hotspots (README, "Hotspots"): the false-discovery rate and the refresh delay. */
  readonly hotspots: HotspotConfig;
  /** Conflict alerts (README, "Conflict alerts"). */
  readonly alerts: AlertConfig;
}

/** Conflict alerts: where they are published and delivered, under which pair rules. */
export interface AlertConfig {
  /** The alerts' topic (ALERTS_TOPIC, `cortege.alerts.v1`). */
  readonly topic: string;
  /** Pair rules over the defaults, as written (ALERT_RULES); libs/tension reads them. */
  readonly rules: readonly string[];
  /** Milliseconds between two looks at the outbox (ALERT_PUBLISH_MS). */
  readonly publishMs: number;
  /** Milliseconds a changed event is left alone before its alerts are recomputed (ALERT_SETTLE_MS). */
  readonly settleMs: number;
  /** The webhooks every alert version is delivered to (ALERT_WEBHOOKS). */
  readonly webhooks: readonly {
    readonly name: string;
    readonly url: string;
    readonly secret: string;
  }[];
}

/** Hotspots: Benjamini–Hochberg's α, and how the aggregator keeps the table fresh. */
export interface HotspotConfig {
  /** The false-discovery rate, in (0, 1) (HOTSPOT_ALPHA, 0.05). */
  readonly alpha: number;
  /** Milliseconds the days batches touch are gathered before their windows are recomputed. */
  readonly refreshMs: number;
}

/** The locator stage (apps/locator). */
export interface LocatorConfig {
  readonly port: number;
  readonly groupId: string;
  readonly instanceId: string;
  readonly inputTopic: string;
  readonly presenceTopic: string;
  readonly dlqTopic: string;
  readonly partitions: number;
  /** The model parameters set in the environment; `DEFAULT_LOCATOR_MODEL` (libs/geo) fills the rest. */
  readonly modelOverrides: {
    readonly resolution?: number;
    readonly regionResolution?: number;
    readonly walkingSpeedKmh?: number;
    readonly crowdDensityPerM2?: number;
    readonly streetWidthMetres?: number;
    readonly operationRadiusMetres?: number;
    readonly visitRadiusMetres?: number;
  };
}

/** Geocoding of addresses (libs/geocoding-adapters). */
export interface GeocodingConfig {
  readonly provider: Environment['GEOCODING_PROVIDER'];
  /** `read-write` (default), `replay` (stored geocodes only, never a call out) or `off`. */
  readonly cache: Environment['GEOCODING_CACHE'];
  /** Least pg_trgm similarity, 0.3..1, for the gazetteer to accept a street or a place. */
  readonly minSimilarity: number;
  readonly ban: {
    /** Base URL; `/search` is appended. */
    readonly url: string;
    /** `citycode` filter of searches; `undefined` = none. */
    readonly citycode: string | undefined;
    readonly ratePerSecond: number;
  };
  readonly nominatim: {
    /** Base URL; `/search` is appended. */
    readonly url: string;
    readonly ratePerSecond: number;
  };
  readonly userAgent: string;
  /** Per HTTP attempt, ms. */
  readonly httpTimeoutMs: number;
  /** Retries after a 429, a 5xx or a network error. */
  readonly httpRetries: number;
  /** Rows per INSERT of the gazetteer importer. */
  readonly importBatchSize: number;
}

/** The sanitizer stage (apps/sanitizer). */
export interface SanitizerConfig {
  readonly port: number;
  readonly groupId: string;
  readonly instanceId: string;
  readonly inputTopic: string;
  readonly eventsTopic: string;
  readonly dlqTopic: string;
  readonly partitions: number;
  /** The places file whose names an address keeps; null: the project's own list. */
  readonly placesFile: string | null;
  /**
   * The limits set in the environment; the sanitization lib's defaults fill the rest
   * (`{ ...DEFAULT_SANITIZATION_POLICY, ...policyOverrides }`).
   */
  readonly policyOverrides: {
    readonly maxDurationHours?: number;
    readonly maxPeople?: number;
    readonly maxCars?: number;
    readonly maxRoutePoints?: number;
    readonly maxFootprintPoints?: number;
    readonly maxAddressLength?: number;
    readonly maxSubjectLength?: number;
    readonly maxDescriptionLength?: number;
    /** WGS84 degrees. */
    readonly areaOfOperation?: {
      readonly minLon: number;
      readonly minLat: number;
      readonly maxLon: number;
      readonly maxLat: number;
    };
  };
}

/** Where the public keys that verify producers' tokens come from. */
export type AuthKeySource =
  | { readonly kind: 'jwks'; readonly url: string }
  | { readonly kind: 'public-key'; readonly pem: string };

/** OAuth2 bearer tokens (JWT) of one issuer. */
export interface AuthConfig {
  readonly issuer: string;
  /** Accepted `aud` values; `undefined` = the audience is not checked. */
  readonly audience: readonly string[] | undefined;
  readonly keySource: AuthKeySource;
  readonly algorithm: Environment['AUTH_ALGORITHM'];
  readonly clockToleranceSeconds: number;
}

export interface StackConfig {
  readonly mode: Environment['STACK_MODE'];
  /** Absolute path of the git-ignored folder holding the local services' files. */
  readonly dir: string;
  readonly ports: {
    readonly kafka: number;
    readonly kafkaController: number;
    readonly registry: number;
    readonly registryManagement: number;
    readonly postgres: number;
  };
  readonly startTimeoutMs: number;
  readonly kafkaHeap: string;
  readonly registryHeap: string;
  readonly kafkaJavaHome: string | undefined;
  readonly registryJavaHome: string | undefined;
}

/** Credentials of the local PostgreSQL's application role; local development only. */
export const LOCAL_DATABASE = {
  user: 'cortege',
  password: 'cortege',
  database: 'cortege',
} as const;

export function toAppConfig(env: Environment, cwd: string): AppConfig {
  const stack: StackConfig = {
    mode: env.STACK_MODE,
    dir: resolve(cwd, env.STACK_DIR),
    ports: {
      kafka: env.STACK_KAFKA_PORT,
      kafkaController: env.STACK_KAFKA_CONTROLLER_PORT,
      registry: env.STACK_REGISTRY_PORT,
      registryManagement: env.STACK_REGISTRY_MANAGEMENT_PORT,
      postgres: env.STACK_POSTGRES_PORT,
    },
    startTimeoutMs: env.STACK_START_TIMEOUT_MS,
    kafkaHeap: env.STACK_KAFKA_HEAP,
    registryHeap: env.STACK_REGISTRY_HEAP,
    kafkaJavaHome: env.STACK_KAFKA_JAVA_HOME ?? env.JAVA_HOME,
    registryJavaHome: env.STACK_REGISTRY_JAVA_HOME,
  };
  const { user, password, database } = LOCAL_DATABASE;
  const sslEnabled =
    env.KAFKA_SSL === 'true' ||
    (env.KAFKA_SSL === undefined && env.KAFKA_SSL_CA_FILE !== undefined);
  return {
    logLevel: env.LOG_LEVEL,
    parentPid: env.CORTEGE_PARENT_PID,
    kafka: {
      brokers: env.KAFKA_BROKERS ?? [`127.0.0.1:${stack.ports.kafka}`],
      clientId: env.KAFKA_CLIENT_ID,
      origin: env.KAFKA_BROKERS ? 'external' : 'local',
      sasl:
        env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD
          ? {
              mechanism: env.KAFKA_SASL_MECHANISM,
              username: env.KAFKA_SASL_USERNAME,
              password: env.KAFKA_SASL_PASSWORD,
            }
          : undefined,
      ssl: sslEnabled
        ? { caFile: env.KAFKA_SSL_CA_FILE ? resolve(cwd, env.KAFKA_SSL_CA_FILE) : undefined }
        : undefined,
    },
    registry: {
      url: env.SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${stack.ports.registry}/apis/ccompat/v7`,
      origin: env.SCHEMA_REGISTRY_URL ? 'external' : 'local',
    },
    database: {
      url:
        env.DATABASE_URL ??
        `postgres://${user}:${password}@127.0.0.1:${stack.ports.postgres}/${database}`,
      origin: env.DATABASE_URL ? 'external' : 'local',
    },
    stack,
    ingest: {
      host: env.INGEST_HOST,
      port: env.INGEST_PORT,
      topic: env.INGEST_TOPIC,
      maxBatch: env.INGEST_MAX_BATCH,
      maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
      maxRoutePoints: env.INGEST_MAX_ROUTE_POINTS,
      dedupEntries: env.INGEST_DEDUP_ENTRIES,
      publishTimeoutMs: env.INGEST_PUBLISH_TIMEOUT_MS,
      retryAfterSeconds: env.INGEST_RETRY_AFTER_SECONDS,
      producers: env.INGEST_PRODUCERS,
      webhooks: env.INGEST_WEBHOOKS ?? {},
      tls:
        env.INGEST_TLS_CERT_FILE && env.INGEST_TLS_KEY_FILE
          ? {
              certFile: resolve(cwd, env.INGEST_TLS_CERT_FILE),
              keyFile: resolve(cwd, env.INGEST_TLS_KEY_FILE),
            }
          : undefined,
    },
    analystApi: {
      host: env.ANALYST_API_HOST,
      port: env.ANALYST_API_PORT,
      tls:
        env.ANALYST_API_TLS_CERT_FILE && env.ANALYST_API_TLS_KEY_FILE
          ? {
              certFile: resolve(cwd, env.ANALYST_API_TLS_CERT_FILE),
              keyFile: resolve(cwd, env.ANALYST_API_TLS_KEY_FILE),
            }
          : undefined,
      audience: commaList(env.ANALYST_API_AUDIENCE),
      defaultLimit: env.ANALYST_API_DEFAULT_LIMIT,
      maxLimit: env.ANALYST_API_MAX_LIMIT,
      minGroupSize: env.ANALYST_API_MIN_GROUP_SIZE,
      tileMaxAgeSeconds: env.ANALYST_API_TILE_MAX_AGE_SECONDS,
      map: {
        issuer: env.ANALYST_API_MAP_ISSUER,
        clientId: env.ANALYST_API_MAP_CLIENT_ID,
        styleUrl: env.ANALYST_API_MAP_STYLE_URL,
      },
    },
    chromiumPath: env.CHROMIUM_PATH,
    auth: toAuthConfig(env),
    stages: {
      sessionTimeoutMs: env.STAGE_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: env.STAGE_HEARTBEAT_INTERVAL_MS,
      healthIntervalMs: env.STAGE_HEALTH_INTERVAL_MS,
      stallAfterMs: env.STAGE_STALL_TIMEOUT_MS,
      stopTimeoutMs: env.STAGE_STOP_TIMEOUT_MS,
      maxRecordsPerTransaction: env.STAGE_MAX_BATCH,
    },
    sanitizer: toSanitizerConfig(env),
    geocoding: {
      provider: env.GEOCODING_PROVIDER,
      cache: env.GEOCODING_CACHE,
      minSimilarity: env.GEOCODING_MIN_SIMILARITY,
      ban: {
        url: env.GEOCODING_BAN_URL.replace(/\/+$/, ''),
        citycode: env.GEOCODING_BAN_CITYCODE,
        ratePerSecond: env.GEOCODING_BAN_RATE_PER_SECOND,
      },
      nominatim: {
        url: env.GEOCODING_NOMINATIM_URL.replace(/\/+$/, ''),
        ratePerSecond: env.GEOCODING_NOMINATIM_RATE_PER_SECOND,
      },
      userAgent: env.GEOCODING_USER_AGENT,
      httpTimeoutMs: env.GEOCODING_HTTP_TIMEOUT_MS,
      httpRetries: env.GEOCODING_HTTP_RETRIES,
      importBatchSize: env.GEOCODING_IMPORT_BATCH_SIZE,
    },
    locator: toLocatorConfig(env),
    dlq: { maxRedrives: env.DLQ_MAX_REDRIVES, redriveGroupId: env.DLQ_REDRIVE_GROUP_ID },
    submissionStatus: {
      topic: env.SUBMISSION_STATUS_TOPIC,
      groupId: env.SUBMISSION_STATUS_GROUP_ID,
    },
    retention: {
      submissionsMs: env.RETENTION_SUBMISSIONS_DAYS * DAY_MS,
      deadLettersMs: env.RETENTION_DEAD_LETTERS_DAYS * DAY_MS,
      presenceMs: env.RETENTION_PRESENCE_DAYS * DAY_MS,
      aggregatesMs: env.RETENTION_AGGREGATES_DAYS * DAY_MS,
      tombstoneMs: env.RETENTION_TOMBSTONE_HOURS * 3_600_000,
      geocodeCacheMs: env.RETENTION_GEOCODE_CACHE_DAYS * DAY_MS,
    },
    webhooks: {
      pollMs: env.WEBHOOK_POLL_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
      maxAgeMs: env.WEBHOOK_MAX_AGE_HOURS * 3_600_000,
      backoff: { baseMs: env.WEBHOOK_BACKOFF_BASE_MS, maxMs: env.WEBHOOK_BACKOFF_MAX_MS },
    },
    purge: {
      signingKeyFile: env.PURGE_SIGNING_KEY_FILE
        ? resolve(cwd, env.PURGE_SIGNING_KEY_FILE)
        : undefined,
      verifyKeyFile: env.PURGE_VERIFY_KEY_FILE
        ? resolve(cwd, env.PURGE_VERIFY_KEY_FILE)
        : undefined,
      reportDir: resolve(cwd, env.PURGE_REPORT_DIR),
    },
    aggregator: {
      port: env.AGGREGATOR_PORT,
      groupId: env.AGGREGATOR_GROUP_ID,
      inputTopic: env.AGGREGATOR_INPUT_TOPIC,
      dlqTopic: env.AGGREGATOR_DLQ_TOPIC,
      partitions: env.AGGREGATOR_PARTITIONS,
      maxBatch: env.AGGREGATOR_MAX_BATCH,
      hotspots: { alpha: env.HOTSPOT_ALPHA, refreshMs: env.HOTSPOT_REFRESH_MS },
      alerts: {
        topic: env.ALERTS_TOPIC,
        rules: env.ALERT_RULES ?? [],
        publishMs: env.ALERT_PUBLISH_MS,
        settleMs: env.ALERT_SETTLE_MS,
        webhooks: env.ALERT_WEBHOOKS ?? [],
      },
    },
    tension: {
      ...set('bucketMinutes', env.TENSION_BUCKET_MINUTES),
      ...set('zoneThreshold', env.TENSION_ZONE_THRESHOLD),
      ...set('carWeight', env.TENSION_CAR_WEIGHT),
      ...set('resolutions', env.TENSION_RESOLUTIONS),
      ...set(
        'kindWeight',
        env.TENSION_KIND_WEIGHTS && Object.fromEntries(env.TENSION_KIND_WEIGHTS),
      ),
      ...set(
        'pairWeight',
        env.TENSION_PAIR_WEIGHTS?.map(([pair, w]) => {
          const [a = '', b = ''] = pair.split(':');
          return [a, b, w] as const;
        }),
      ),
      ...set(
        'themePairWeight',
        env.TENSION_THEME_PAIR_WEIGHTS && Object.fromEntries(env.TENSION_THEME_PAIR_WEIGHTS),
      ),
    },
  };
}

/** `{ key: value }` when the variable was set, `{}` otherwise: overrides over defaults in code. */
function set<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function toLocatorConfig(env: Environment): LocatorConfig {
  return {
    port: env.LOCATOR_PORT,
    groupId: env.LOCATOR_GROUP_ID,
    instanceId: env.LOCATOR_INSTANCE_ID,
    inputTopic: env.LOCATOR_INPUT_TOPIC,
    presenceTopic: env.LOCATOR_PRESENCE_TOPIC,
    dlqTopic: env.LOCATOR_DLQ_TOPIC,
    partitions: env.LOCATOR_PARTITIONS,
    modelOverrides: {
      ...set('resolution', env.LOCATOR_H3_RESOLUTION),
      ...set('regionResolution', env.LOCATOR_REGION_RESOLUTION),
      ...set('walkingSpeedKmh', env.LOCATOR_WALKING_SPEED_KMH),
      ...set('crowdDensityPerM2', env.LOCATOR_CROWD_DENSITY),
      ...set('streetWidthMetres', env.LOCATOR_STREET_WIDTH_M),
      ...set('operationRadiusMetres', env.LOCATOR_OPERATION_RADIUS_M),
      ...set('visitRadiusMetres', env.LOCATOR_VISIT_RADIUS_M),
    },
  };
}

function toSanitizerConfig(env: Environment): SanitizerConfig {
  const area = env.SANITIZER_AREA;
  return {
    port: env.SANITIZER_PORT,
    groupId: env.SANITIZER_GROUP_ID,
    instanceId: env.SANITIZER_INSTANCE_ID,
    inputTopic: env.SANITIZER_INPUT_TOPIC,
    eventsTopic: env.SANITIZER_EVENTS_TOPIC,
    dlqTopic: env.SANITIZER_DLQ_TOPIC,
    partitions: env.SANITIZER_PARTITIONS,
    placesFile: env.SANITIZER_PLACES_FILE ?? null,
    policyOverrides: {
      ...set('maxDurationHours', env.SANITIZER_MAX_DURATION_HOURS),
      ...set('maxPeople', env.SANITIZER_MAX_PEOPLE),
      ...set('maxCars', env.SANITIZER_MAX_CARS),
      ...set('maxRoutePoints', env.SANITIZER_MAX_ROUTE_POINTS),
      ...set('maxFootprintPoints', env.SANITIZER_MAX_FOOTPRINT_POINTS),
      ...set('maxAddressLength', env.SANITIZER_MAX_ADDRESS_LENGTH),
      ...set('maxSubjectLength', env.SANITIZER_MAX_SUBJECT_LENGTH),
      ...set('maxDescriptionLength', env.SANITIZER_MAX_DESCRIPTION_LENGTH),
      ...(area
        ? {
            areaOfOperation: {
              minLon: area[0]!,
              minLat: area[1]!,
              maxLon: area[2]!,
              maxLat: area[3]!,
            },
          }
        : {}),
    },
  };
}

/** The non-empty items of a comma-separated list; `undefined` when unset. */
function commaList(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function toAuthConfig(env: Environment): AuthConfig | undefined {
  if (env.AUTH_ISSUER === undefined) return undefined;
  const keySource: AuthKeySource | undefined = env.AUTH_JWKS_URL
    ? { kind: 'jwks', url: env.AUTH_JWKS_URL }
    : env.AUTH_PUBLIC_KEY
      ? { kind: 'public-key', pem: env.AUTH_PUBLIC_KEY }
      : undefined;
  // The loader refuses an issuer without a key source before this runs.
  if (keySource === undefined) return undefined;
  return {
    issuer: env.AUTH_ISSUER,
    audience: commaList(env.AUTH_AUDIENCE),
    keySource,
    algorithm: env.AUTH_ALGORITHM,
    clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
  };
}
