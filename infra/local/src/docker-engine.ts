import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { run } from './process-control';

const COMPOSE_FILE = join(__dirname, '..', '..', '..', 'docker-compose.yml');

/** True when a Docker engine answers (a client alone is not enough). */
export function dockerEngineAnswers(): boolean {
  return (
    spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      stdio: 'ignore',
      timeout: 10_000,
    }).status === 0
  );
}

/** `docker compose up --wait` of the named services of docker-compose.yml. */
export function composeUp(services: readonly string[], env: readonly string[]): void {
  run(
    'env',
    [...env, 'docker', 'compose', '-f', COMPOSE_FILE, 'up', '-d', '--wait', ...services],
    'docker compose up',
    {
      stdio: 'inherit',
    },
  );
}

export function composeDown(env: readonly string[]): void {
  run(
    'env',
    [...env, 'docker', 'compose', '-f', COMPOSE_FILE, 'down', '--volumes'],
    'docker compose down',
    {
      stdio: 'inherit',
    },
  );
}
