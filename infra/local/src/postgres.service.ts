import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { LOCAL_DATABASE, type StackConfig } from '@app/config';
import { assertPortFree, commandLine, isAlive, run } from './process-control';
import type { RegistryStorage } from './registry.service';
import { StackError, StackErrorCode } from './stack.error';

const PG_VERSION = 15;
const BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`;
const POSTGIS_CONTROL = `/usr/share/postgresql/${PG_VERSION}/extension/postgis.control`;
export const POSTGRES_PACKAGES = [`postgresql-${PG_VERSION}`, `postgresql-${PG_VERSION}-postgis-3`];

/** The template every test database is cloned from: PostGIS and pg_trgm already in it. */
export const TEMPLATE_DATABASE = 'cortege_template';

/**
 * The schema registry's database, owned by a login role of the same name: the registry's
 * artifacts are apart from the application's tables, and the application role cannot read them.
 */
export const REGISTRY_DATABASE = 'cortege_registry';

const isRoot = () => process.getuid?.() === 0;

/**
 * PostgreSQL 15 + PostGIS + pg_trgm from Debian's packages, in a cluster of our own made by
 * `initdb`. As root the cluster belongs to the `postgres` user (initdb refuses root), which
 * must be able to reach the folder: when the project sits under a folder it cannot enter,
 * the cluster lives in the system's temporary directory instead, and `location` says so.
 */
export class PostgresService {
  readonly name = 'postgres';
  /** Folder owned by the cluster's user: `data/`, the log and the superuser's password. */
  readonly root: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** Why the cluster is where it is, for `stack:status`. */
  readonly location: string;
  private readonly passwordFile: string;
  private readonly registryPasswordFile: string;

  constructor(private readonly stack: StackConfig) {
    const preferred = join(stack.dir, 'postgres');
    if (!isRoot() || postgresUserCanReach(stack.dir)) {
      this.root = preferred;
      this.location = 'in the stack folder';
    } else {
      const tag = createHash('sha256').update(stack.dir).digest('hex').slice(0, 10);
      this.root = join(tmpdir(), `cortege-stack-${tag}`, 'postgres');
      this.location = `in ${this.root}: the postgres user cannot reach ${stack.dir}`;
    }
    this.dataDir = join(this.root, 'data');
    this.logFile = join(this.root, 'postgres.log');
    this.passwordFile = join(this.root, 'superuser.password');
    this.registryPasswordFile = join(this.root, 'registry.password');
  }

  /** The registry's database on this cluster; `bootstrap()` creates it. */
  registryStorage(): RegistryStorage {
    const port = this.stack.ports.postgres;
    return {
      host: '127.0.0.1',
      port,
      database: REGISTRY_DATABASE,
      user: REGISTRY_DATABASE,
      password: readFileSync(this.registryPasswordFile, 'utf8').trim(),
      description: `database ${REGISTRY_DATABASE} on the stack's PostgreSQL (127.0.0.1:${port}, ${this.dataDir})`,
    };
  }

  pid(): number | undefined {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && isAlive(pid) && commandLine(pid).includes(this.dataDir)
      ? pid
      : undefined;
  }

  /** The port the running cluster was started on, if it runs. */
  runningPort(): number | undefined {
    const pid = this.pid();
    const match = pid === undefined ? null : /(?:^|\s)-p\s+(\d+)/.exec(commandLine(pid));
    return match ? Number(match[1]) : undefined;
  }

  /** Initialises the cluster on first use, then starts it unless it already runs. */
  start(): void {
    if (this.pid() !== undefined) return;
    assertPortFree(this.stack.ports.postgres, 'postgres');
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) this.initdb();
    this.asOwner(
      join(BIN, 'pg_ctl'),
      [
        '-D',
        this.dataDir,
        '-l',
        this.logFile,
        '-w',
        '-t',
        '90',
        '-o',
        `-p ${this.stack.ports.postgres} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
        'start',
      ],
      'pg_ctl start',
    );
  }

  async stop(): Promise<void> {
    if (this.pid() === undefined) return;
    this.asOwner(
      join(BIN, 'pg_ctl'),
      ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'],
      'pg_ctl stop',
    );
    return Promise.resolve();
  }

  /**
   * True when the cluster accepts the superuser's login: false while it starts, shuts down or
   * restarts (SQLSTATE 57P03), when `pg_ctl -w` may already have returned for another caller.
   */
  async acceptsConnections(): Promise<boolean> {
    const client = new Client({
      host: '127.0.0.1',
      port: this.stack.ports.postgres,
      user: 'postgres',
      password: readFileSync(this.passwordFile, 'utf8').trim(),
      database: 'postgres',
      connectionTimeoutMillis: 3000,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Stops the cluster in immediate mode (`pg_ctl -m immediate`): every server process quits at
   * once, without a checkpoint, as in a crash; the next `start()` replays the WAL. For the
   * chaos run (`npm run chaos`), on a stack of its own.
   */
  crash(): void {
    if (this.pid() === undefined) return;
    this.asOwner(
      join(BIN, 'pg_ctl'),
      ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '60', 'stop'],
      'pg_ctl stop -m immediate',
    );
  }

  /**
   * Creates, when missing, the application role and database with PostGIS, pg_trgm and unaccent,
   * the template test databases are cloned from, and the registry's role and database.
   * Idempotent.
   */
  async bootstrap(): Promise<void> {
    const password = readFileSync(this.passwordFile, 'utf8').trim();
    if (!existsSync(this.registryPasswordFile)) {
      writeFileSync(this.registryPasswordFile, `${randomBytes(18).toString('base64url')}\n`, {
        mode: 0o600,
      });
    }
    const superuser = (database: string) =>
      new Client({
        host: '127.0.0.1',
        port: this.stack.ports.postgres,
        user: 'postgres',
        password,
        database,
      });
    const { user, database } = LOCAL_DATABASE;

    const admin = superuser('postgres');
    await admin.connect();
    try {
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      if (role.rowCount === 0) {
        await admin.query(
          `CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${LOCAL_DATABASE.password}'`,
        );
      }
      // Migrations create the analysts' NOLOGIN role and grant it; tests make login members.
      await admin.query(`ALTER ROLE ${user} CREATEROLE`);
      for (const name of [TEMPLATE_DATABASE, database]) {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name} OWNER ${user}`);
        const db = superuser(name);
        await db.connect();
        try {
          // Extensions need a superuser; the application role then owns everything else.
          await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
          await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
          await db.query('CREATE EXTENSION IF NOT EXISTS unaccent');
        } finally {
          await db.end();
        }
      }
      await admin.query(`ALTER DATABASE ${TEMPLATE_DATABASE} IS_TEMPLATE true`);
      await this.bootstrapRegistry(admin);
    } finally {
      await admin.end();
    }
  }

  /** The registry's login role (its password set from the file each time) and its database. */
  private async bootstrapRegistry(admin: Client): Promise<void> {
    const { password } = this.registryStorage();
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
      REGISTRY_DATABASE,
    ]);
    // The password is base64url: no quote can end the literal.
    await admin.query(
      role.rowCount === 0
        ? `CREATE ROLE ${REGISTRY_DATABASE} LOGIN PASSWORD '${password}'`
        : `ALTER ROLE ${REGISTRY_DATABASE} LOGIN PASSWORD '${password}'`,
    );
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      REGISTRY_DATABASE,
    ]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${REGISTRY_DATABASE} OWNER ${REGISTRY_DATABASE}`);
    }
    await admin.query(`REVOKE ALL ON DATABASE ${REGISTRY_DATABASE} FROM PUBLIC`);
  }

  private initdb(): void {
    // Parents searchable by the postgres user (the fallback lives under a fresh temp folder).
    mkdirSync(dirname(this.root), { recursive: true });
    chmodSync(dirname(this.root), 0o755);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    writeFileSync(this.passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
    if (isRoot()) {
      const { uid, gid } = postgresIds();
      chownSync(this.root, uid, gid);
      chownSync(this.passwordFile, uid, gid);
    }
    this.asOwner(
      join(BIN, 'initdb'),
      [
        '-D',
        this.dataDir,
        '-U',
        'postgres',
        `--pwfile=${this.passwordFile}`,
        '--auth-local=peer',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
      ],
      'initdb',
    );
  }

  private asOwner(command: string, args: string[], what: string): string {
    return isRoot()
      ? run('runuser', ['-u', 'postgres', '--', command, ...args], what, { cwd: this.root })
      : run(command, args, what, { cwd: this.root });
  }
}

/** Installs the Debian packages when they are missing (as root), or says which command to run. */
export function installPostgres(): void {
  if (existsSync(join(BIN, 'postgres')) && existsSync(POSTGIS_CONTROL)) return;
  const command = `apt-get install -y ${POSTGRES_PACKAGES.join(' ')}`;
  if (!isRoot()) {
    throw new StackError(
      StackErrorCode.MissingTool,
      `PostgreSQL ${PG_VERSION} with PostGIS is not installed: run \`sudo ${command}\``,
    );
  }
  process.stderr.write(`stack: ${command}…\n`);
  try {
    run('apt-get', ['update', '-qq'], 'apt-get update');
    run(
      'env',
      ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...POSTGRES_PACKAGES],
      command,
    );
  } catch (error) {
    throw new StackError(StackErrorCode.InstallFailed, (error as Error).message);
  }
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(run('id', [flag, 'postgres'], 'id postgres').trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** True when the `postgres` user can enter `dir` — which needs every parent to be searchable. */
function postgresUserCanReach(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  return (
    spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir], { stdio: 'ignore' })
      .status === 0
  );
}

/**
 * The registry's database on a PostgreSQL the environment names (`DATABASE_URL`) while the
 * registry is the stack's own: created there when missing with that URL's role (which needs
 * CREATEDB), and used with the same login.
 */
export async function externalRegistryStorage(databaseUrl: string): Promise<RegistryStorage> {
  const url = new URL(databaseUrl);
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      REGISTRY_DATABASE,
    ]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${REGISTRY_DATABASE}`);
  } finally {
    await client.end();
  }
  const port = Number(url.port || 5432);
  return {
    host: url.hostname,
    port,
    database: REGISTRY_DATABASE,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    description: `database ${REGISTRY_DATABASE} on the PostgreSQL of DATABASE_URL (${url.hostname}:${port})`,
  };
}
