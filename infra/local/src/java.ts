import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hasCommand, run } from './process-control';
import { StackError, StackErrorCode } from './stack.error';

export interface JavaRuntime {
  readonly home: string;
  readonly major: number;
  readonly bin: string;
}

/** The major version of the JDK/JRE at `home`, from its `release` file, or undefined. */
function majorOf(home: string): number | undefined {
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
    if (!version) return undefined;
    const [first, second] = version.split('.');
    const major = Number(first === '1' ? second : first);
    return Number.isInteger(major) ? major : undefined;
  } catch {
    return undefined;
  }
}

function runtimeAt(home: string): JavaRuntime | undefined {
  const major = majorOf(home);
  const bin = join(home, 'bin', 'java');
  return major !== undefined && existsSync(bin) ? { home, major, bin } : undefined;
}

/** Every Java installation we can see: the configured one first, then `java` on the PATH, then /usr/lib/jvm. */
function candidates(configured: string | undefined): JavaRuntime[] {
  const homes: string[] = [];
  if (configured) homes.push(configured);
  if (hasCommand('java')) {
    const onPath = run('sh', ['-c', 'command -v java'], 'locating java').trim();
    homes.push(dirname(dirname(realpathSync(onPath))));
  }
  if (existsSync('/usr/lib/jvm')) {
    for (const entry of readdirSync('/usr/lib/jvm')) homes.push(join('/usr/lib/jvm', entry));
  }
  const seen = new Set<string>();
  return homes.flatMap((home) => {
    const runtime = runtimeAt(home);
    if (!runtime || seen.has(realpathSync(home))) return [];
    seen.add(realpathSync(home));
    return [runtime];
  });
}

/**
 * A Java runtime of at least `minMajor` for `service`. A configured home must qualify itself;
 * otherwise the first qualifying runtime on the PATH, then the newest in /usr/lib/jvm.
 *
 * @throws StackError("Java 17 not found …") naming what was found instead.
 */
export function findJava(
  service: string,
  minMajor: number,
  configured: string | undefined,
  variable: string,
): JavaRuntime {
  if (configured) {
    const runtime = runtimeAt(configured);
    if (runtime && runtime.major >= minMajor) return runtime;
    throw new StackError(
      StackErrorCode.MissingTool,
      `${service} needs Java ${minMajor}+, but ${variable}=${configured} is ${runtime ? `Java ${runtime.major}` : 'not a Java home'}`,
    );
  }
  const all = candidates(undefined);
  const fitting = all.filter((r) => r.major >= minMajor);
  const onPath = fitting[0];
  const newest = [...fitting].sort((a, b) => b.major - a.major)[0];
  const chosen = minMajor <= 17 ? onPath : newest;
  if (chosen) return chosen;
  const found = all.map((r) => `Java ${r.major} at ${r.home}`).join(', ') || 'no Java at all';
  throw new StackError(
    StackErrorCode.MissingTool,
    `Java ${minMajor} not found for ${service} (found: ${found}). Install a JDK ${minMajor}+ or set ${variable}.`,
  );
}
