import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AppConfig } from '@app/config';
import { uniqueName } from './unique-name';

const SCRIPT = join(__dirname, '..', '..', '..', 'infra', 'local', 'python', 'avro_consume.py');
/** The reader's own deadline for the records; the process gets a margin on top to close. */
const READ_TIMEOUT_S = 60;
const KILL_AFTER_MS = (READ_TIMEOUT_S + 20) * 1000;

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
 * `npm run stack:up` + the test tier's global setup. Runs beside the test (not blocking
 * Jest's event loop) and is killed if it outlives its deadline.
 * @throws Error with the client's stderr (it logs each phase) when it fails or reads fewer records.
 */
export async function readWithPythonClient(
  config: AppConfig,
  topic: string,
  count: number,
): Promise<ForeignRecord[]> {
  const python = join(config.stack.dir, 'python', 'bin', 'python');
  const args = [
    SCRIPT,
    config.kafka.brokers.join(','),
    config.registry.url,
    topic,
    uniqueName('python'),
    String(count),
    String(READ_TIMEOUT_S),
  ];
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const exit = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  }).finally(() => clearTimeout(killer));
  // librdkafka may log transient broker answers on stderr; the exit code says whether all came.
  if (exit !== 0) {
    throw new Error(`python client exited ${exit} after its phases:\n${stderr}`);
  }
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ForeignRecord);
}
