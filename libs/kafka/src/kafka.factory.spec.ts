import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { kafkaSecurityOptions } from './kafka.factory';

describe('kafkaSecurityOptions', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-options-'));
    writeFileSync(
      join(dir, 'ca.pem'),
      '-----BEGIN CERTIFICATE-----\nMII…\n-----END CERTIFICATE-----\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty for the plaintext local stack', () => {
    expect(kafkaSecurityOptions(loadConfig({}).kafka)).toEqual({});
  });

  it('passes SASL credentials and the CA bundle', () => {
    const config = loadConfig(
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'ingest',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_SSL_CA_FILE: 'ca.pem',
      },
      dir,
    );
    expect(kafkaSecurityOptions(config.kafka)).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'ingest', password: 'pw' },
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMII…\n-----END CERTIFICATE-----\n'] },
    });
  });

  it('uses the system CAs when TLS is on without a bundle', () => {
    expect(kafkaSecurityOptions(loadConfig({ KAFKA_SSL: 'true' }).kafka)).toEqual({ ssl: true });
  });
});
