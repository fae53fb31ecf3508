import { ConfigError, ConfigErrorCode } from './config.error';
import { loadConfig } from './config.loader';

describe('loadConfig', () => {
  it('points at the local stack on its non-standard ports when nothing is set', () => {
    const config = loadConfig({}, '/srv/cortege');

    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:19092'],
      clientId: 'cortege',
      origin: 'local',
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
});
