/**
 * The chaos run's report: what was sent, what was injected and when, how long the pipeline
 * took to settle, what the checks found, and the verdict. Written as JSON; `formatReport`
 * makes the text the CLI prints.
 */
import type { DeadLetterCheck, ChecksumCheck, EventsCheck } from './chaos-checks';
import type { ChaosInput } from './chaos-input';
import type { InjectedFault } from './fault-injector';
import type { IngestStats } from './ingest-client';
import type { StageState } from './pipeline-probe';

/** One exit of a process the runner restarted. */
export interface ExitRecord {
  readonly name: string;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: string | null;
  readonly uptimeMs: number;
  /** When, in ms from the start of the run. */
  readonly atMs: number;
  /** Killed by the chaos run; otherwise it exited (crashed) by itself. */
  readonly byChaos: boolean;
  /** The process's last output before an exit of its own, to say why. */
  readonly lastOutput?: string;
}

export interface ProcessSummary {
  readonly name: string;
  readonly exits: number;
  readonly killedByChaos: number;
  /** Exits nobody asked for: crashes, or exits on a dependency outage. */
  readonly exitedByItself: number;
  /** In a crash loop at the end: down, unhealthy, or exited by itself during the quiet window. */
  readonly crashLooping: boolean;
  readonly why?: string;
}

export interface ChaosReport {
  readonly verdict: 'pass' | 'fail';
  /** One line per failed check. */
  readonly failures: readonly string[];
  readonly options: Readonly<Record<string, number | string | boolean>>;
  readonly startedAt: string;
  readonly input: ChaosInput['stats'] & {
    readonly submissions: number;
    readonly malformed: number;
    /** Per kind of malformed record: how many, by which path, and how each must end. */
    readonly malformedByKind: Readonly<
      Record<string, { readonly count: number; readonly viaApi: number; readonly expected: string }>
    >;
    readonly malformedViaApi: number;
    readonly malformedViaTopic: number;
  };
  readonly sending: {
    readonly ms: number;
    readonly api: IngestStats;
    /** Sends onto the topic that failed and were retried, by error type. */
    readonly topicRetries: Readonly<Record<string, number>>;
  };
  readonly faults: {
    readonly injected: readonly InjectedFault[];
    readonly counts: Readonly<Record<string, number>>;
    /** Heavy faults' outages, ms: the longest and the mean. */
    readonly longestOutageMs: number;
  };
  readonly settle: {
    readonly settled: boolean;
    /** From the end of the faults and of the sending until settled, ms. */
    readonly ms: number;
    readonly behind: readonly string[];
    readonly last: readonly StageState[];
  };
  readonly processes: readonly ProcessSummary[];
  readonly exits: readonly ExitRecord[];
  readonly checks: {
    readonly events: EventsCheck | undefined;
    readonly deadLetters: DeadLetterCheck | undefined;
    readonly checksum: ChecksumCheck | undefined;
    readonly cleanRun: { readonly settled: boolean; readonly ms: number } | undefined;
  };
  /** Observations for people: stage failures seen, with their log lines. */
  readonly findings: readonly string[];
  readonly totalMs: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const at = (ms: number) => `+${(ms / 1000).toFixed(1)}s`;
const list = (items: readonly string[], max = 5) =>
  items.length === 0
    ? 'none'
    : `${items.slice(0, max).join(', ')}${items.length > max ? `, … (${items.length})` : ''}`;

/** The report as the CLI prints it. */
export function formatReport(report: ChaosReport): string {
  const lines: string[] = [];
  const { input, faults, settle, checks } = report;
  lines.push(`Chaos run ${report.startedAt}: ${report.verdict.toUpperCase()}`);
  lines.push(
    `input     ${input.submissions} submissions of ${input.events} events (${Object.entries(
      input.byKind,
    )
      .map(([k, n]) => `${n} ${k.toLowerCase().replace(/_/g, ' ')}`)
      .join(', ')}), ${input.revisions} revisions, ${input.cancels} cancels, ` +
      `${input.outOfOrder} out of order, ${input.resent} re-sent; days ${input.firstDay}…${input.lastDay}`,
  );
  lines.push(
    `malformed ${input.malformed} (${input.malformedViaApi} through the API, ${input.malformedViaTopic} onto the topic), ${Object.keys(input.malformedByKind).length} kinds`,
  );
  const api = report.sending.api;
  lines.push(
    `sending   ${s(report.sending.ms)}: ${api.requests} requests, ${api.accepted} accepted (${api.duplicates} duplicates), ` +
      `retried ${JSON.stringify(api.retried)}, refused ${api.refused.length}; topic retries ${JSON.stringify(report.sending.topicRetries)}`,
  );
  lines.push(
    `faults    ${Object.entries(faults.counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}; longest outage ${s(faults.longestOutageMs)}`,
  );
  for (const f of faults.injected.filter((f) => f.kind !== 'stage-kill' || f.error))
    lines.push(
      `          ${at(f.atMs)} ${f.kind} ${f.target}${f.outageMs !== undefined ? ` out ${s(f.outageMs)}` : ''}${f.error ? ` ERROR ${f.error}` : ''}`,
    );
  const kills = faults.injected.filter((f) => f.kind === 'stage-kill' && !f.error);
  lines.push(
    `          kills at ${kills
      .slice(0, 12)
      .map((f) => `${at(f.atMs)} ${f.target}`)
      .join(', ')}${kills.length > 12 ? `, … (${kills.length})` : ''}`,
  );
  lines.push(
    `settle    ${settle.settled ? `settled ${s(settle.ms)} after the last fault and send` : `NOT settled after ${s(settle.ms)}: ${list(settle.behind)}`}`,
  );
  for (const p of report.processes)
    lines.push(
      `process   ${p.name.padEnd(10)} exits ${p.exits} (${p.killedByChaos} killed, ${p.exitedByItself} by itself)${p.crashLooping ? ` CRASH LOOP: ${p.why ?? ''}` : ''}`,
    );
  if (checks.events) {
    const e = checks.events;
    lines.push(
      `events    ${e.ok ? 'ok' : 'FAIL'}: ${e.found} rows for ${e.expected} expected; missing ${e.missing.length}, ` +
        `wrong revision ${e.wrongRevision.length}, cancelled present ${e.cancelledPresent.length}, unexpected ${e.unexpected.length}` +
        (e.unexpected.length > 0 ? ` ${JSON.stringify(e.unexpectedByKind)}` : ''),
    );
  }
  if (checks.deadLetters) {
    const d = checks.deadLetters;
    lines.push(`dead      ${d.ok ? 'ok' : 'FAIL'}: reason (stage) expected/found, missing, extra`);
    for (const r of d.byReason)
      lines.push(
        `          ${`${r.reason} (${r.stage})`.padEnd(40)} ${String(r.expected).padStart(6)}/${String(r.found).padEnd(6)} ${r.missing ? `missing ${r.missing} ` : ''}${r.extra ? `extra ${r.extra}` : ''}`,
      );
    if (Object.keys(d.mismatched).length > 0)
      lines.push(`          mismatched ${JSON.stringify(d.mismatched)}`);
    if (d.notMalformed.count > 0)
      lines.push(
        `          ${d.notMalformed.count} dead letters of valid records (${d.notMalformed.ofAcceptedEvents} of accepted events): ${JSON.stringify(d.notMalformed.byReason)}`,
      );
    if (Object.keys(d.neverProduced).length > 0)
      lines.push(`          never produced ${JSON.stringify(d.neverProduced)}`);
    lines.push(`          over the broker's limit: ${JSON.stringify(d.oversized)}`);
  }
  if (checks.cleanRun)
    lines.push(
      `clean     ${checks.cleanRun.settled ? `settled in ${s(checks.cleanRun.ms)}` : 'NOT settled'}`,
    );
  if (checks.checksum) {
    const c = checks.checksum;
    lines.push(
      `checksum  ${c.ok ? 'ok' : 'FAIL'}: chaos ${c.chaos.digest.slice(0, 16)} clean ${c.clean.digest.slice(0, 16)}` +
        `${c.ok ? ' (identical)' : `; differing ${list(c.differing)}`}`,
    );
    for (const [table, t] of Object.entries(c.chaos.tables))
      lines.push(
        `          ${table.padEnd(15)} ${String(t.rows).padStart(8)} rows ${t.digest.slice(0, 12)} / ${String(c.clean.tables[table]?.rows ?? '-').padStart(8)} rows ${(c.clean.tables[table]?.digest ?? '').slice(0, 12)}`,
      );
  }
  for (const finding of report.findings) lines.push(`finding   ${finding}`);
  for (const failure of report.failures) lines.push(`FAILED    ${failure}`);
  lines.push(`total     ${s(report.totalMs)}`);
  return lines.join('\n');
}
