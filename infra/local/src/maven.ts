import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, run } from './process-control';
import { StackError, StackErrorCode } from './stack.error';

/** The pom that pins the Java services (infra/local/maven/pom.xml). */
export const POM = join(__dirname, '..', 'maven', 'pom.xml');

export interface JavaArtifacts {
  /** Kafka's runtime classpath, jars in Maven's local repository. */
  readonly kafkaClasspath: string;
  /** Folder holding Apicurio Registry's `quarkus-run.jar`. */
  readonly registryDir: string;
  readonly versions: { readonly kafka: string; readonly apicurio: string };
}

function property(pom: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)?.[1];
  if (!value) throw new StackError(StackErrorCode.InstallFailed, `${POM} has no <${name}>`);
  return value;
}

/**
 * Resolves Kafka's jars and unpacks the Apicurio archive through Maven, once per pom content:
 * the result is stamped with the pom's hash under `dir`, so a second start runs no Maven at all.
 */
export function resolveJavaArtifacts(dir: string): JavaArtifacts {
  const pom = readFileSync(POM, 'utf8');
  const hash = createHash('sha256').update(pom).digest('hex').slice(0, 16);
  const versions = {
    kafka: property(pom, 'kafka.version'),
    apicurio: property(pom, 'apicurio.version'),
  };
  const out = join(dir, `artifacts-${hash}`);
  const classpathFile = join(out, 'kafka.classpath');
  const registryDir = join(out, 'apicurio');
  const stamp = join(out, 'complete');

  if (
    !existsSync(stamp) ||
    !classpathJarsExist(classpathFile) ||
    !existsSync(join(registryDir, 'quarkus-run.jar'))
  ) {
    if (!hasCommand('mvn')) {
      throw new StackError(
        StackErrorCode.MissingTool,
        'Maven (mvn) not found: install it (apt-get install maven) — it fetches Kafka and Apicurio from Maven Central',
      );
    }
    mkdirSync(out, { recursive: true });
    process.stderr.write(
      `stack: resolving Kafka ${versions.kafka} and Apicurio ${versions.apicurio} with Maven…\n`,
    );
    run(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        POM,
        'dependency:build-classpath',
        `-Dmdep.outputFile=${classpathFile}`,
        'dependency:unpack',
        `-DoutputDirectory=${registryDir}`,
        `-Dstack.markers=${join(out, 'markers')}`,
      ],
      'Maven resolution of Kafka and Apicurio',
    );
    if (!existsSync(join(registryDir, 'quarkus-run.jar'))) {
      throw new StackError(
        StackErrorCode.InstallFailed,
        `Maven unpacked no quarkus-run.jar into ${registryDir}`,
      );
    }
    writeFileSync(stamp, new Date().toISOString());
  }
  return { kafkaClasspath: readFileSync(classpathFile, 'utf8').trim(), registryDir, versions };
}

function classpathJarsExist(file: string): boolean {
  // Maven's local repository may have been cleaned since the last resolution.
  return (
    existsSync(file) &&
    readFileSync(file, 'utf8')
      .trim()
      .split(':')
      .every((jar) => existsSync(jar))
  );
}
