/**
 * `npm run demo`: the whole platform on a realistic day in Marseille. Brings the stack up when
 * none is configured, starts the ingest API and every stage as separate processes (restarted if
 * they crash), publishes the day through the ingest API with a producer token, waits until the
 * aggregates hold every last revision, prints the top zones of tension, reads them back through
 * the analysts' API as a habilitated analyst, prints how to query them and how to open the map
 * (signed in through a local development issuer; with `once`, a screenshot of the day's peak),
 * then keeps running until Ctrl-C (or, with `once`, stops at once) and stops what it started.
 */
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DateTime } from 'luxon';
import { HabilitationStore } from '@app/access';
import { readAgenda } from '@app/aggregation';
import { CORTEGE_ZONE, SUBMISSION_SCHEMA } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { migrate } from '@app/database';
import { importBanAddresses, importGazetteerPlaces } from '@app/geocoding-adapters';
import { kafkaFromConfig } from '@app/kafka';
import { ProcessRunner, projectApp, REPO_ROOT } from '@app/process-runner';
import { RegistryClient, SchemaGate, valueSubject } from '@app/schema-registry';
import { tensionModelOf } from '@app/tension';
import {
  launchChromium,
  signInToMap,
  startDevOidcIssuer,
  testIssuer,
  waitFor,
  type DevOidcIssuer,
} from '@app/testing';
import { stackDown, stackStatus, stackUp } from '../local/src/stack';
import { marseilleDay, type MarseilleDay } from './marseille-day';
import { agendaLine, topZones, zonesTable } from './zones-table';

export interface DemoOptions {
  /** Publish, settle, print, stop: no waiting for Ctrl-C. */
  readonly once: boolean;
  /** The local day (Europe/Paris) to publish, `YYYY-MM-DD`. */
  readonly day: string;
  /** Where the demo's story goes (the apps' own logs go to a file). */
  readonly print: (line: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C); unused with `once`. */
  readonly interrupted: Promise<void>;
  /** How long the aggregates may take to settle, ms. */
  readonly settleTimeoutMs?: number;
}

const DATA = join(REPO_ROOT, 'libs', 'geocoding-adapters', 'data');

/** Topics must chain ingest → sanitizer → locator → aggregator; names every broken link. */
export function pipelineProblems(config: AppConfig): string[] {
  const links: Array<[string, string, string, string]> = [
    ['INGEST_TOPIC', config.ingest.topic, 'SANITIZER_INPUT_TOPIC', config.sanitizer.inputTopic],
    [
      'SANITIZER_EVENTS_TOPIC',
      config.sanitizer.eventsTopic,
      'LOCATOR_INPUT_TOPIC',
      config.locator.inputTopic,
    ],
    [
      'LOCATOR_PRESENCE_TOPIC',
      config.locator.presenceTopic,
      'AGGREGATOR_INPUT_TOPIC',
      config.aggregator.inputTopic,
    ],
  ];
  return links
    .filter(([, a, , b]) => a !== b)
    .map(([va, a, vb, b]) => `${va} (${a}) must equal ${vb} (${b}) for the stages to chain`);
}

/** Runs the demo; resolves with the process exit code. */
export async function runDemo(config: AppConfig, options: DemoOptions): Promise<number> {
  const { print } = options;
  const broken = pipelineProblems(config);
  if (broken.length > 0) throw new Error(`the pipeline is not chained: ${broken.join('; ')}`);
  const day: MarseilleDay = marseilleDay(options.day);

  const wasUp = (await stackStatus(config)).every((s) => s.health.ok);
  const stack = await stackUp(config);
  const down = stack.filter((s) => !s.health.ok);
  if (down.length > 0)
    throw new Error(
      `the stack is not healthy: ${down.map((s) => `${s.name} (${s.health.detail})`).join(', ')}`,
    );
  for (const s of stack) print(`stack   ${s.name.padEnd(8)} ${s.origin.padEnd(8)} ${s.url}`);

  const pool = new Pool({ connectionString: config.database.url, max: 2 });
  let runner: ProcessRunner | undefined;
  let signIn: DevOidcIssuer | undefined;
  try {
    // Ctrl-C at any moment stops everything; while it sets up, the setup is abandoned.
    const setup = (async () => {
      await migrate(config.database.url);
      const banRows = await importBanAddresses(pool, join(DATA, 'adresses-13-extract.csv'));
      const places = await importGazetteerPlaces(pool, join(DATA, 'places.csv'));
      print(
        `gazetteer: ${banRows.kept} addresses, ${banRows.streets} streets, ${places.places} named places`,
      );

      // The contract, approved as on a new platform (cortege schema approve --initial): the
      // ingest API registers nothing, and the sanitizer passes only approved schemas.
      const contract = await approveDemoContract(config, pool);
      print(
        `contract: ${contract.record.subject} version ${contract.record.version} approved (${contract.already ? 'already' : 'now'}; fingerprint ${contract.record.fingerprint.slice(0, 16)})`,
      );

      // The Préfecture's SSO, played by a throwaway RS256 key pair: the ingest API trusts it.
      const issuer = await testIssuer('https://sso.demo.invalid/realms/cortege');
      // The analysts' sign-in, played by a local development issuer (its page says so).
      const mapUrl = `http://127.0.0.1:${config.analystApi.port}/map`;
      signIn = await startDevOidcIssuer({
        clientId: config.analystApi.map.clientId,
        redirectUris: [mapUrl, `http://localhost:${config.analystApi.port}/map`],
        audience: DEMO_AUDIENCE,
        user: { subject: DEMO_ANALYST_SUBJECT, roles: ['analyst'] },
      });
      const shared = {
        KAFKA_BROKERS: config.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: config.registry.url,
        DATABASE_URL: config.database.url,
      };
      mkdirSync(config.stack.dir, { recursive: true });
      const logFile = join(config.stack.dir, 'demo-apps.log');
      const log = createWriteStream(logFile, { flags: 'a' });
      runner = new ProcessRunner(
        [
          projectApp('ingest-api', { ...shared, ...issuer.env }, config.ingest.port),
          projectApp('sanitizer', shared, config.sanitizer.port),
          projectApp('locator', shared, config.locator.port),
          projectApp('aggregator', shared, config.aggregator.port),
          projectApp(
            'analyst-api',
            { ...shared, ...signIn.env, ANALYST_API_AUDIENCE: DEMO_AUDIENCE },
            config.analystApi.port,
          ),
        ],
        {
          log: ({ name, stream, text }) => {
            log.write(`[${name}] ${text}\n`);
            if (stream === 'runner') print(`runner  ${name}: ${text}`);
          },
        },
      );
      print(
        `starting the ingest API, the three stages and the analysts' API (their logs: ${logFile})`,
      );
      const started = Date.now();
      await runner.start();
      print(`all healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      const token = await issuer.token(
        { roles: ['producer'] },
        { exp: Math.floor(Date.now() / 1000) + 3600 },
      );
      const endpoint = `http://127.0.0.1:${config.ingest.port}/v1/submissions`;
      for (const step of day.steps) {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(step.submissions),
        });
        const body = await response.text();
        if (!response.ok)
          throw new Error(`the ingest API refused "${step.title}": ${response.status} ${body}`);
        const { accepted } = JSON.parse(body) as { accepted: Array<{ duplicate: boolean }> };
        const duplicates = accepted.filter((a) => a.duplicate).length;
        print(
          `published ${step.title}: ${accepted.length} submission(s)${duplicates > 0 ? `, ${duplicates} already known` : ''}`,
        );
      }

      const settling = Date.now();
      await waitUntilSettled(config, pool, day, options.settleTimeoutMs ?? 180_000);
      print(`aggregates settled in ${((Date.now() - settling) / 1000).toFixed(1)} s\n`);
      print(zonesTable(await topZones(pool, day), day));
      print(
        agendaLine(
          await readAgenda(pool, {
            from: day.day,
            days: 1,
            reference: tensionModelOf(config.tension).zoneThreshold,
          }),
        ),
      );
      print(await throughTheApi(config, pool, day, await analystToken(pool, signIn)));
      print(analystHelp(await analystUrl(config, pool)));
      print(mapHelp(mapUrl, day, signIn));
      if (options.once) print(await screenshot(config, mapUrl, day));
    })();
    const first = await Promise.race([
      setup.then(() => 'ready' as const),
      options.interrupted.then(() => 'interrupted' as const),
    ]);
    if (first === 'interrupted') {
      setup.catch(() => undefined);
      print('interrupted: stopping');
      return 130;
    }
    if (!options.once) {
      print('\nThe platform runs. Ctrl-C stops it.');
      await options.interrupted;
    }
    return 0;
  } finally {
    await runner?.stop();
    await signIn?.close();
    await pool.end();
    if (!wasUp) {
      await stackDown(config);
      print('stopped the stack the demo started (its data stays; npm run stack:up brings it back)');
    }
  }
}

/**
 * The aggregates are settled when every event of the day is in `event` at its latest revision,
 * the cancelled ones are gone with all their presence, and the aggregator's stored positions
 * have reached the end of every partition of the presence topic.
 */
/**
 * What `cortege schema approve --initial` does, for the demo: the repository's contract proposed
 * and approved for the submissions topic, by the demo's operator.
 */
async function approveDemoContract(config: AppConfig, pool: Pool) {
  const gate = new SchemaGate(pool, new RegistryClient(config.registry.url));
  const proposal = await gate.propose(
    valueSubject(config.sanitizer.inputTopic),
    SUBMISSION_SCHEMA,
    'demo-operator',
  );
  return gate.approve(String(proposal.id), {
    dpoInformedOn: new Date().toISOString().slice(0, 10),
    impactStudyRef: 'demo',
    approver: 'demo-operator',
  });
}

async function waitUntilSettled(
  config: AppConfig,
  pool: Pool,
  day: MarseilleDay,
  timeoutMs: number,
): Promise<void> {
  const ids = day.events.map((e) => e.eventId);
  const admin = kafkaFromConfig(config, 'demo').admin();
  await admin.connect();
  let missing: string[] = [];
  try {
    await waitFor(
      'the aggregates to hold the day',
      async () => {
        const { rows } = await pool.query<{ event_id: string; revision: number }>(
          `SELECT event_id::text, revision FROM event WHERE event_id = ANY($1::uuid[])`,
          [ids],
        );
        const held = new Map(rows.map((r) => [r.event_id, r.revision]));
        const { rows: presence } = await pool.query<{ event_id: string }>(
          `SELECT DISTINCT event_id::text FROM event_presence WHERE event_id = ANY($1::uuid[])`,
          [ids],
        );
        const present = new Set(presence.map((r) => r.event_id));
        missing = day.events
          .filter((e) =>
            e.cancelled
              ? held.has(e.eventId) || present.has(e.eventId)
              : held.get(e.eventId) !== e.latestRevision,
          )
          .map(
            (e) =>
              `${e.key} (${e.cancelled ? 'still there' : `revision ${held.get(e.eventId) ?? 'none'} of ${e.latestRevision}`})`,
          );
        if (missing.length > 0) return undefined;
        const ends = await admin.fetchTopicOffsets(config.aggregator.inputTopic);
        const { rows: stored } = await pool.query<{ partition: number; next_offset: string }>(
          `SELECT partition, next_offset FROM consumer_offset WHERE consumer_group = $1 AND topic = $2`,
          [config.aggregator.groupId, config.aggregator.inputTopic],
        );
        const at = new Map(stored.map((r) => [r.partition, BigInt(r.next_offset)]));
        const behind = ends.filter((e) => (at.get(e.partition) ?? 0n) < BigInt(e.high));
        missing = behind.map(
          (e) => `presence partition ${e.partition} (${at.get(e.partition) ?? 0} of ${e.high})`,
        );
        return missing.length === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; still waiting for: ${missing.join(', ')}. ` +
        `The dead-letter topic ${config.sanitizer.dlqTopic} says why a submission was refused.`,
    );
  } finally {
    await admin.disconnect();
  }
}

/** The token subject of the demo's analyst (an opaque id, as an identity provider gives). */
export const DEMO_ANALYST_SUBJECT = 'demo-analyst-0001';

/** The audience of the demo analyst's tokens (the analysts' API's). */
const DEMO_AUDIENCE = 'cortege-analyst-api';

/** Habilitates the demo's analyst (once) and mints its token, valid for an hour. */
async function analystToken(pool: Pool, issuer: DevOidcIssuer): Promise<string> {
  const habilitations = new HabilitationStore(pool);
  const held = await habilitations.activeRoles(DEMO_ANALYST_SUBJECT);
  if (!held.includes('analyst'))
    await habilitations.grant({
      subject: DEMO_ANALYST_SUBJECT,
      role: 'analyst',
      reason: 'demo analyst of npm run demo',
      grantedBy: 'cli:demo',
    });
  return issuer.accessToken();
}

/** Reads the day's zones back through the analysts' API; says how to do the same. */
async function throughTheApi(
  config: AppConfig,
  pool: Pool,
  day: MarseilleDay,
  token: string,
): Promise<string> {
  const base = `http://127.0.0.1:${config.analystApi.port}`;
  const local = DateTime.fromISO(day.day, { zone: CORTEGE_ZONE });
  const span = `${local.startOf('day').toISO({ suppressMilliseconds: true })}/${local.endOf('day').toISO({ suppressMilliseconds: true })}`;
  const path = `/collections/tension-zones/items?datetime=${encodeURIComponent(span)}&limit=3`;
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { numberMatched?: number; description?: string };
  if (!response.ok)
    throw new Error(
      `the analysts' API refused the demo analyst: ${response.status} ${body.description}`,
    );
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_audit`);
  return `
The analysts' API serves the same zones (OGC API Features, GeoJSON): ${body.numberMatched} zone(s) that day,
read as ${DEMO_ANALYST_SUBJECT} (habilitated analyst); the access audit holds ${rows[0]?.n} row(s).
  curl -H 'Authorization: Bearer ${token}' '${base}${path}'
  ${base}/collections · ${base}/tiles/tension-cells/12/2109/1500.mvt · ${base}/openapi.json`;
}

/** The demo's analyst login on the local stack: read-only, the views and nothing else. */
export const DEMO_ANALYST = { user: 'cortege_demo_analyst', password: 'analyst' } as const;

/**
 * On the local stack, makes the demo's analyst login (member of `cortege_analyst`) and returns
 * its URL; on a configured database, a URL with a placeholder login an admin must create.
 */
async function analystUrl(config: AppConfig, pool: Pool): Promise<string> {
  const url = new URL(config.database.url);
  if (config.database.origin !== 'local') {
    url.username = 'ANALYST';
    url.password = '';
    return url.toString();
  }
  await pool.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DEMO_ANALYST.user}') THEN
        CREATE ROLE ${DEMO_ANALYST.user} LOGIN PASSWORD '${DEMO_ANALYST.password}' IN ROLE cortege_analyst;
      END IF;
    END $$`);
  url.username = DEMO_ANALYST.user;
  url.password = DEMO_ANALYST.password;
  return url.toString();
}

/** Where the map is, the day's view, and how to sign in on it. */
function mapHelp(mapUrl: string, day: MarseilleDay, issuer: DevOidcIssuer): string {
  return `
The map: ${mapUrl}?day=${day.day}
  Sign in through the LOCAL DEVELOPMENT ISSUER at ${issuer.issuer} (the demo's stand-in for
  the single sign-on: its page signs in ${DEMO_ANALYST_SUBJECT}, a habilitated analyst, with one
  button). It lives as long as the demo: run it without --once to use the map.`;
}

/**
 * Signs in on the map in Debian's chromium and saves the day's peak quarter hour (the page opens
 * on it) as a PNG in the stack folder; says so, or why it could not.
 */
async function screenshot(config: AppConfig, mapUrl: string, day: MarseilleDay): Promise<string> {
  if (!existsSync(config.chromiumPath))
    return `
No screenshot of the map: no chromium at ${config.chromiumPath} (apt-get install chromium).`;
  const file = join(config.stack.dir, 'demo-map.png');
  const browser = await launchChromium(config.chromiumPath);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signInToMap(page, `${mapUrl}?day=${day.day}#13.4/43.2975/5.3815`);
    await page.screenshot({ path: file });
    const at = new URL(page.url()).searchParams.get('t');
    return `
The map at the day's peak (${at}), signed in as ${DEMO_ANALYST_SUBJECT}: ${file}`;
  } finally {
    await browser.close();
  }
}

function analystHelp(url: string): string {
  return `
Query the analysts' views with psql (a login in role cortege_analyst reads the views and
nothing else; an admin makes one per analyst: CREATE ROLE … LOGIN PASSWORD '…' IN ROLE cortege_analyst):
  psql '${url}' -c "SELECT bucket_start, peak_score, cell_count, kinds FROM v_zones WHERE resolution = 10 ORDER BY peak_score DESC LIMIT 5"
  psql '${url}' -c "SELECT day, count(*) AS cells, max(peak_score) AS peak FROM v_tension_day WHERE resolution = 9 GROUP BY day"
  psql '${url}' -c "SELECT kind, subject, start_at, end_at, people_expected, people_declared, shape FROM v_events ORDER BY start_at"
QGIS opens v_zones, v_tension_day, v_event_routes, v_event_footprints and v_event_points as
PostGIS layers (one geometry type each, SRID 4326).`;
}
