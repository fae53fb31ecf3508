import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '@app/config';
import { stackUp } from '../src/stack';
import { StackErrorCode } from '../src/stack.error';

/**
 * `stack:up` on a stack folder whose services run with other ports refuses at once, naming
 * each service and both ports, instead of waiting for health on ports nobody serves. Run
 * against the tier's own stack, which the launcher started locally.
 */
const config = loadConfig();
const dir = resolve(config.stack.dir);
const startedLocally =
  existsSync(join(dir, 'mode')) && readFileSync(join(dir, 'mode'), 'utf8').trim() === 'local';

(startedLocally ? describe : describe.skip)('stack:up with ports other than those running', () => {
  it('refuses, naming each service, the port it runs on and the one asked for', async () => {
    const { kafka, kafkaController, registry, registryManagement, postgres } = config.stack.ports;
    const other = loadConfig({
      STACK_DIR: config.stack.dir,
      STACK_KAFKA_PORT: String(kafka + 1000),
      STACK_KAFKA_CONTROLLER_PORT: String(kafkaController + 1000),
      STACK_REGISTRY_PORT: String(registry + 1000),
      STACK_REGISTRY_MANAGEMENT_PORT: String(registryManagement + 1000),
      STACK_POSTGRES_PORT: String(postgres + 1000),
    });
    const refusal = await stackUp(other).then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(refusal?.code).toBe(StackErrorCode.RunsOnOtherPorts);
    expect(refusal?.message).toContain(
      `kafka of ${other.stack.dir} runs on port ${kafka}, not ${kafka + 1000}`,
    );
    expect(refusal?.message).toContain(
      `registry of ${other.stack.dir} runs on port ${registry}, not ${registry + 1000}`,
    );
    expect(refusal?.message).toContain(
      `postgres of ${other.stack.dir} runs on port ${postgres}, not ${postgres + 1000}`,
    );
  });
});
