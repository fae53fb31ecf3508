// Jest global setup of the `int` and `e2e` tiers: makes sure a real Kafka, schema registry and
// PostGIS answer before any test runs — the environment's own services when KAFKA_BROKERS,
// SCHEMA_REGISTRY_URL and DATABASE_URL are set, else Docker compose or the local launcher
// (infra/local). It runs the launcher as a child process so its output shows as it goes. Then it
// approves the repository's contract (`cortege schema approve --initial`) in DATABASE_URL's
// database and the registry, as a new platform is bootstrapped: producers find the contract's
// version, and a sanitizer on that database passes what they write.
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
  const approval = spawnSync(
    tsx,
    [
      join(root, 'apps', 'cli', 'src', 'main.ts'),
      'schema',
      'approve',
      '--initial',
      `--dpo-informed-on=${new Date().toISOString().slice(0, 10)}`,
      '--impact-study=test-fixture',
      '--approver=test-fixture',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (approval.status !== 0)
    throw new Error(`cortege schema approve --initial failed (exit ${approval.status})`);
};
