// Builds the CLI as compiled code (dist/cli/cortege.js): esbuild bundles apps/cli/src and the
// libraries it uses, with the project's tsconfig for the @app/* aliases; the packages of
// node_modules stay outside, required as they are. Rebuilt when any source is newer than it.
const { existsSync, mkdirSync, readdirSync, renameSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..', '..');
const BUNDLE = join(ROOT, 'dist', 'cli', 'cortege.js');
const SOURCES = [join(ROOT, 'apps', 'cli', 'src'), join(ROOT, 'libs'), join(ROOT, 'tsconfig.json')];

/** The newest modification time (ms) of the TypeScript sources under `path`. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isFile() && !/\.(ts|json|avsc)$/.test(entry.name)) continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

/** The bundle's path, built first when missing or older than a source. */
function ensureBundle() {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  // Where the sources are not (an installed bundle), the bundle is what there is.
  if (built > 0 && !existsSync(SOURCES[0])) return BUNDLE;
  if (built > 0 && built >= Math.max(...SOURCES.map(newest))) return BUNDLE;
  mkdirSync(join(ROOT, 'dist', 'cli'), { recursive: true });
  // Several calls may build at once: each writes its own file, then renames it into place.
  const partial = `${BUNDLE}.${process.pid}.tmp`;
  require('esbuild').buildSync({
    entryPoints: [join(ROOT, 'apps', 'cli', 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    outfile: partial,
    logLevel: 'warning',
  });
  renameSync(partial, BUNDLE);
  return BUNDLE;
}

module.exports = { ensureBundle, BUNDLE };

if (require.main === module) ensureBundle();
