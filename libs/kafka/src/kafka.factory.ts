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
 * kafkajs's JSON log lines, except that a broker's CONCURRENT_TRANSACTIONS answer — expected
 * right after each commit, and retried by kafkajs — is demoted from error to debug.
 */
function quietTransactions(configured: logLevel): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, timestamp, ...extra } = log;
      const routine = /concurrent operation on the same transaction/.test(
        `${message} ${String(extra.error ?? '')}`,
      );
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
