// Jest global setup of the `int` and `e2e` tiers: makes sure a real Kafka, schema registry and
// PostGIS answer before any test runs — the environment's own services when KAFKA_BROKERS,
// SCHEMA_REGISTRY_URL and DATABASE_URL are set, else Docker compose or the local launcher
// (infra/local). It runs the launcher as a child process so its output shows as it goes.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function stackGlobalSetup() {
  const root = join(__dirname, '..', '..');
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  for (const command of ['up', 'python']) {
    const result = spawnSync(tsx, [join(root, 'infra', 'local', 'stack.cli.ts'), command], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0) {
      throw new Error(
        `npm run stack:${command} failed (exit ${result.status}); see the lines above`,
      );
    }
  }
};
