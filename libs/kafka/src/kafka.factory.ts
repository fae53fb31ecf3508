import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type logCreator, type SASLOptions } from 'kafkajs';
import type { AppConfig } from '@app/config';

/** What kafkajs (and `CortegeProducer`) take to authenticate and encrypt. */
export interface KafkaSecurityOptions {
  readonly sasl?: SASLOptions;
  readonly ssl?: boolean | ConnectionOptions;
}

/** The SASL and TLS options of the apps' Kafka clients, from the configuration. */
export function kafkaSecurityOptions(kafka: AppConfig['kafka']): KafkaSecurityOptions {
  let sasl: SASLOptions | undefined;
  if (kafka.sasl) {
    const { mechanism, username, password } = kafka.sasl;
    switch (mechanism) {
      case 'plain':
        sasl = { mechanism, username, password };
        break;
      case 'scram-sha-256':
        sasl = { mechanism, username, password };
        break;
      case 'scram-sha-512':
        sasl = { mechanism, username, password };
        break;
      default: {
        const _exhaustive: never = mechanism;
        return _exhaustive;
      }
    }
  }
  const ssl: boolean | ConnectionOptions | undefined = kafka.ssl
    ? kafka.ssl.caFile
      ? { ca: [readFileSync(kafka.ssl.caFile, 'utf8')] }
      : true
    : undefined;
  return { ...(sasl ? { sasl } : {}), ...(ssl !== undefined ? { ssl } : {}) };
}

const LOG_LEVELS = {
  debug: logLevel.DEBUG,
  info: logLevel.INFO,
  warn: logLevel.WARN,
  error: logLevel.ERROR,
} as const;

/**
 * kafkajs's lines about a broker that is down or a consumer that restarts after it: the stage
 * reports those itself, once per change of state (see `StageHealth` and the stage's crash
 * listener), so kafkajs's own — one per retry, with stacks — go to debug.
 */
const OUTAGE_NOISE =
  /Connection error|Connection timeout|Failed to connect|Crash:|Restarting the consumer|Response (Heartbeat|Fetch|Metadata|JoinGroup|SyncGroup|FindCoordinator)|group is rebalancing|not the leader|There is no leader|not host this topic-partition|Coordinator not available|Broker (is )?not available|ECONNREFUSED/;

/**
 * kafkajs's JSON log lines, without stacks, except that a broker's CONCURRENT_TRANSACTIONS
 * answer — expected right after each commit, and retried by kafkajs — and the noise of a
 * broker outage are demoted from error to debug.
 */
function quietTransactions(configured: logLevel): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, timestamp, stack: _stack, ...extra } = log;
      const text = `${message} ${String(extra.error ?? '')}`;
      const routine =
        /concurrent operation on the same transaction/.test(text) || OUTAGE_NOISE.test(text);
      const effective = routine ? logLevel.DEBUG : level;
      if (effective > configured) return;
      const line = JSON.stringify({
        level: logLevel[effective],
        timestamp,
        logger: 'kafkajs',
        message,
        ...extra,
      });
      if (effective <= logLevel.WARN) console.error(line);
      else console.log(line);
    };
}

/** A kafkajs client for an app, with the configured brokers, security and log level. */
export function kafkaFromConfig(config: AppConfig, app: string): Kafka {
  const level = LOG_LEVELS[config.logLevel];
  return new Kafka({
    clientId: `${config.kafka.clientId}-${app}`,
    brokers: [...config.kafka.brokers],
    logLevel: level,
    logCreator: quietTransactions(level),
    ...kafkaSecurityOptions(config.kafka),
  });
}

/**
 * A silent kafkajs client for health probes: short retries and timeouts, so that a probe
 * of a broker that is down fails within seconds instead of retrying for half a minute.
 */
export function probeKafka(config: AppConfig, app: string): Kafka {
  return new Kafka({
    clientId: `${config.kafka.clientId}-${app}-health`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    // A few quick retries: a fresh client's first metadata request can miss the broker pool.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 400 },
    ...kafkaSecurityOptions(config.kafka),
  });
}

/** The group settings of a stage's consumer, and its transaction size, from the configuration. */
export function stageConsumerSettings(config: AppConfig): {
  sessionTimeout: number;
  heartbeatInterval: number;
  maxRecordsPerTransaction: number;
} {
  return {
    sessionTimeout: config.stages.sessionTimeoutMs,
    heartbeatInterval: config.stages.heartbeatIntervalMs,
    maxRecordsPerTransaction: config.stages.maxRecordsPerTransaction,
  };
}
