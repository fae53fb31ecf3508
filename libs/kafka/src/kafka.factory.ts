import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
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

/** A kafkajs client for an app, with the configured brokers, security and log level. */
export function kafkaFromConfig(config: AppConfig, app: string): Kafka {
  return new Kafka({
    clientId: `${config.kafka.clientId}-${app}`,
    brokers: [...config.kafka.brokers],
    logLevel: LOG_LEVELS[config.logLevel],
    ...kafkaSecurityOptions(config.kafka),
  });
}
