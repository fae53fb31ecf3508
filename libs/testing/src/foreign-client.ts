import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { AppConfig } from '@app/config';
import { uniqueName } from './unique-name';

const SCRIPT = join(__dirname, '..', '..', '..', 'infra', 'local', 'python', 'avro_consume.py');

/** One record as Confluent's Python client decoded it. */
export interface ForeignRecord {
  readonly key: string | null;
  readonly schemaId: number;
  /** fastavro's value: unions unwrapped, timestamps as epoch ms, UUIDs as text. */
  readonly value: Record<string, unknown>;
}

/**
 * Reads `count` records of `topic` with Confluent's own Python client (confluent-kafka with
 * its SchemaRegistryClient and AvroDeserializer), installed in the stack folder by
 * `npm run stack:up` + the test tier's global setup.
 * @throws Error with the client's stderr when it fails or reads fewer records.
 */
export function readWithPythonClient(
  config: AppConfig,
  topic: string,
  count: number,
): ForeignRecord[] {
  const python = join(config.stack.dir, 'python', 'bin', 'python');
  const args = [
    SCRIPT,
    config.kafka.brokers.join(','),
    config.registry.url,
    topic,
    uniqueName('python'),
    String(count),
    '45',
  ];
  const result = spawnSync(python, args, { encoding: 'utf8', timeout: 90_000 });
  // librdkafka may log transient broker answers on stderr; the exit code says whether all came.
  if (result.status !== 0) {
    throw new Error(
      `python client exited ${result.status}: ${result.stderr || result.error?.message || ''}`,
    );
  }
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ForeignRecord);
}
