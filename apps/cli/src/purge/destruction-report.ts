import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, CompactSign, compactVerify, exportJWK } from 'jose';
import type { AppConfig } from '@app/config';
import type { EventInventory, PlatformInventory } from './purge-inventory';

/** The media type of a report's signature (the JWS `typ`). */
export const REPORT_TYPE = 'cortege-destruction-report+jws';
export const REPORT_FORMAT = 'cortege-destruction-report/1';

/** One check made after the deletion (and again by `cortege purge verify`). */
export interface PurgeCheck {
  readonly check: string;
  readonly target: string;
  readonly expected: string;
  readonly observed: string;
  readonly ok: boolean;
}

/** Something the purge leaves, and why. */
export interface Remainder {
  readonly what: string;
  readonly why: string;
}

/** One run of a purge (a purge interrupted and run again has several). */
export interface PurgeRun {
  readonly startedAt: string;
  readonly operator: string;
  /** The steps this run did, in order, each with the instant it ended. */
  readonly steps: Array<{ readonly step: string; readonly endedAt: string }>;
}

/** The destruction report, as signed. */
export interface DestructionReport {
  readonly format: typeof REPORT_FORMAT;
  readonly reportId: string;
  readonly scope: { readonly kind: 'all' } | { readonly kind: 'event'; readonly eventId: string };
  readonly operator: string;
  readonly software: { readonly name: string; readonly version: string };
  /** The platform purged: its brokers, its registry, its database (password masked). */
  readonly target: PurgeTarget;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly runs: readonly PurgeRun[];
  /** What existed before anything was deleted (the manifest). */
  readonly existed: PlatformInventory | EventInventory;
  /** What each deletion step removed. */
  readonly deleted: Readonly<Record<string, unknown>>;
  readonly checks: readonly PurgeCheck[];
  /** Every check passed. */
  readonly complete: boolean;
  /** What the purge does not delete on purpose, and why. */
  readonly kept: readonly Remainder[];
  /** What it cannot reach. */
  readonly limits: readonly Remainder[];
  readonly signingKey: {
    readonly alg: string;
    /** RFC 7638 thumbprint of the public key (the JWS `kid`). */
    readonly kid: string;
    readonly origin: 'configured' | 'development';
  };
  /** SHA-256 of the Markdown report written beside the JSON. */
  readonly markdownSha256: string;
}

export interface PurgeTarget {
  readonly kafka: readonly string[];
  readonly registry: string;
  readonly database: string;
}

export const targetOf = (config: AppConfig): PurgeTarget => ({
  kafka: [...config.kafka.brokers],
  registry: config.registry.url,
  database: config.database.url.replace(/:[^:@/]+@/, ':***@'),
});

/** JSON with object keys sorted at every level: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  return value;
}

export const sha256 = (text: string | Buffer): string =>
  createHash('sha256').update(text).digest('hex');

/** The key that signs reports, its algorithm and where it comes from. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly alg: 'EdDSA' | 'ES256';
  readonly kid: string;
  readonly origin: 'configured' | 'development';
  /** Where a development key was written. */
  readonly file: string;
}

/** The development key's file in the local stack's folder. */
export const devKeyFile = (config: AppConfig): string =>
  join(config.stack.dir, 'purge-signing-key.pem');

function algOf(key: KeyObject): 'EdDSA' | 'ES256' {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ES256';
  throw new Error(
    `the purge signing key is ${key.asymmetricKeyType ?? 'unknown'}: expected Ed25519 or EC P-256`,
  );
}

async function thumbprint(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey));
}

/**
 * The signing key: `PURGE_SIGNING_KEY_FILE`, else the local stack's development key (created,
 * Ed25519, mode 0600, on first use).
 */
export async function signingKey(config: AppConfig): Promise<SigningKey> {
  let file = config.purge.signingKeyFile;
  let origin: SigningKey['origin'] = 'configured';
  if (file === undefined) {
    origin = 'development';
    file = devKeyFile(config);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    alg: algOf(privateKey),
    kid: await thumbprint(publicKey),
    origin,
    file,
  };
}

/**
 * The key that verifies reports: `PURGE_VERIFY_KEY_FILE`, else the public half of the signing
 * key (configured, or the local stack's development key).
 */
export async function verifyKey(
  config: AppConfig,
): Promise<{ key: KeyObject; kid: string; source: string }> {
  if (config.purge.verifyKeyFile !== undefined) {
    const key = createPublicKey(readFileSync(config.purge.verifyKeyFile));
    return { key, kid: await thumbprint(key), source: 'PURGE_VERIFY_KEY_FILE' };
  }
  const file = config.purge.signingKeyFile ?? devKeyFile(config);
  if (!existsSync(file))
    throw new Error('no key to verify with: set PURGE_VERIFY_KEY_FILE (or PURGE_SIGNING_KEY_FILE)');
  const key = createPublicKey(createPrivateKey(readFileSync(file)));
  return {
    key,
    kid: await thumbprint(key),
    source:
      config.purge.signingKeyFile !== undefined
        ? 'PURGE_SIGNING_KEY_FILE'
        : 'the local stack development key',
  };
}

/** A compact JWS over the report's canonical JSON. */
export async function signReport(report: DestructionReport, key: SigningKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(report)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: REPORT_TYPE })
    .sign(key.privateKey);
}

/** What `checkSignature` found. */
export interface SignatureCheck {
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * Checks that `jws` verifies with `key` and that its payload is `report`, byte for byte once
 * canonical: a report edited after signing, or signed with another key, fails.
 */
export async function checkSignature(
  report: unknown,
  jws: string,
  key: KeyObject,
): Promise<SignatureCheck> {
  let payload: Uint8Array;
  let kid: unknown;
  try {
    const verified = await compactVerify(jws, key, { algorithms: ['EdDSA', 'ES256'] });
    payload = verified.payload;
    kid = verified.protectedHeader.kid;
    if (verified.protectedHeader.typ !== REPORT_TYPE)
      return { ok: false, reason: `the JWS is not a destruction report (typ)` };
  } catch (error) {
    return { ok: false, reason: `the signature does not verify: ${(error as Error).message}` };
  }
  if (Buffer.from(payload).toString('utf8') !== canonicalJson(report))
    return { ok: false, reason: 'the report differs from what was signed' };
  return { ok: true, reason: `signature valid (key ${String(kid)})` };
}

/** The report for people. */
export function reportMarkdown(report: Omit<DestructionReport, 'markdownSha256'>): string {
  const lines: string[] = [];
  const scope =
    report.scope.kind === 'all'
      ? 'all the platform’s data'
      : `event ${report.scope.eventId}, everywhere it is held`;
  lines.push(`# Destruction report — ${scope}`, '');
  lines.push(`- Report: \`${report.reportId}\` (${report.format})`);
  lines.push(`- Operator: \`${report.operator}\``);
  lines.push(`- Software: ${report.software.name} ${report.software.version}`);
  lines.push(`- Started: ${report.startedAt}; finished: ${report.finishedAt}`);
  lines.push(
    `- Runs: ${report.runs.length}${report.runs.length > 1 ? ' (interrupted, then run again)' : ''}`,
  );
  lines.push(
    `- Platform: Kafka ${report.target.kafka.join(', ')}; registry ${report.target.registry}; database ${report.target.database}`,
  );
  lines.push(`- Outcome: **${report.complete ? 'every check passed' : 'SOME CHECKS FAILED'}**`, '');

  lines.push('## What existed', '');
  const existed = report.existed;
  if (existed.kind === 'all') {
    lines.push('| topic | partition | offsets (low–high) | records | SHA-256 of the records |');
    lines.push('| --- | --- | --- | --- | --- |');
    for (const topic of existed.topics)
      if (!topic.exists) lines.push(`| ${topic.topic} | — | (no such topic) | 0 | — |`);
      else
        for (const p of topic.partitions)
          lines.push(
            `| ${topic.topic} | ${p.partition} | ${p.low}–${p.high} | ${p.records} | \`${p.sha256}\` |`,
          );
    lines.push('', '| consumer group | state | members | committed offsets |');
    lines.push('| --- | --- | --- | --- |');
    for (const g of existed.groups)
      lines.push(`| ${g.groupId} | ${g.state} | ${g.members} | ${g.offsets.length} |`);
    lines.push('', '| registry subject | versions (id) | SHA-256 of each schema |');
    lines.push('| --- | --- | --- |');
    for (const s of existed.subjects)
      lines.push(
        `| ${s.subject} | ${s.versions.map((v) => `${v.version} (${v.id})`).join(', ')} | ${s.versions.map((v) => `\`${v.schemaSha256.slice(0, 16)}…\``).join(', ')} |`,
      );
  } else {
    lines.push(`Event \`${existed.eventId}\`.`, '');
    lines.push('| topic | records of the event (partition:offset) | SHA-256 |');
    lines.push('| --- | --- | --- |');
    for (const t of existed.topics)
      lines.push(
        `| ${t.topic} | ${t.records.map((r) => `${r.partition}:${r.offset}`).join(', ') || '—'} | \`${t.sha256}\` |`,
      );
  }
  lines.push('', '| table | rows | ordered SHA-256 of the rows |');
  lines.push('| --- | --- | --- |');
  for (const t of existed.tables) lines.push(`| ${t.table} | ${t.rows} | \`${t.sha256}\` |`);

  lines.push('', '## What was deleted', '');
  for (const [step, what] of Object.entries(report.deleted))
    lines.push(`- **${step}**: \`${JSON.stringify(what)}\``);

  lines.push('', '## Checks', '');
  lines.push('| check | target | expected | observed | result |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const c of report.checks)
    lines.push(
      `| ${c.check} | ${c.target} | ${c.expected} | ${c.observed} | ${c.ok ? 'pass' : '**FAIL**'} |`,
    );

  lines.push('', '## Kept on purpose', '');
  for (const k of report.kept) lines.push(`- **${k.what}**: ${k.why}`);
  lines.push('', '## Limits: what this purge cannot reach', '');
  for (const l of report.limits) lines.push(`- **${l.what}**: ${l.why}`);
  lines.push(
    '',
    '## Signature',
    '',
    `The JSON report beside this file holds the report and its JWS (${report.signingKey.alg}, key \`${report.signingKey.kid}\`, ` +
      `${report.signingKey.origin === 'development' ? 'a development key of the local stack: not a proof for anyone else' : 'the configured key'}); ` +
      'its `markdownSha256` is the SHA-256 of this file. Check both with `cortege purge verify <report>.json`.',
    '',
  );
  return lines.join('\n');
}
