/**
 * The chaos run, small: 2,000 submissions and 400 malformed records while 5 stage processes
 * are SIGKILLed, the broker is SIGKILLed once and the registry restarted once; the same checks
 * as `npm run chaos`.
 *
 * On a private stack, not the tier's shared one. Jest runs the e2e files one after another
 * (one worker), so a broker kill here would not hit another file mid-flight; but the shared
 * stack may be one the environment names (CI's KAFKA_BROKERS…), which the run refuses to kill;
 * a SIGKILLed broker recovers its logs and group coordinators for a while after this file
 * ends, which the next file would pay for in timeouts; and the stack's PostgreSQL holds every
 * file's test databases and the registry's storage. A stack of its own on free ports, in a
 * temporary folder, wiped in afterAll, costs about half a minute and touches nothing else.
 */
import { loadConfig } from '@app/config';
import { formatReport, type ChaosReport } from './chaos-report';
import { runChaos } from './chaos-run';
import { privateStack, type PrivateStack } from './private-stack';

describe('npm run chaos, small: 2,000 submissions, 5 kills, a broker and a registry restart', () => {
  let stack: PrivateStack | undefined;
  let report: ChaosReport;
  const lines: string[] = [];

  beforeAll(async () => {
    stack = await privateStack(loadConfig());
    report = await runChaos(stack.config, {
      submissions: 2_000,
      kills: 5,
      brokerRestarts: 1,
      postgresRestarts: 0,
      registryRestarts: 1,
      malformed: 400,
      seed: 10,
      reportPath: undefined,
      windowSeconds: 90,
      // Two settles (the chaos run's, the clean run's) must fit the hook's budget with the rest.
      settleTimeoutSeconds: 420,
      quietSeconds: 10,
      batchSize: 100,
      clean: true,
      keep: false,
      // Also on stderr: if the run outlives the hook, the log says where it was.
      print: (line) => {
        lines.push(line);
        process.stderr.write(`chaos: ${line}\n`);
      },
    });
  }, 1_500_000);
  afterAll(async () => {
    await stack?.down();
  }, 120_000);

  const summary = () =>
    `${formatReport(report)}\n--- run log (tail) ---\n${lines.slice(-40).join('\n')}`;

  it('injected every fault and brought every service back', () => {
    expect(report.faults.counts).toEqual({
      'stage-kill': 5,
      'broker-kill': 1,
      'registry-restart': 1,
    });
    expect(report.faults.injected.filter((f) => f.error)).toEqual([]);
  });

  it('settled, and no process is left crash-looping', () => {
    expect({ settled: report.settle.settled, behind: report.settle.behind }).toEqual({
      settled: true,
      behind: [],
    });
    expect(report.processes.filter((p) => p.crashLooping)).toEqual([]);
  });

  it('holds every accepted event at its latest revision and no cancelled one', () => {
    const events = report.checks.events;
    expect({
      missing: events?.missing.length,
      wrongRevision: events?.wrongRevision.length,
      cancelledPresent: events?.cancelledPresent.length,
      unexpected: events?.unexpected.length,
    }).toEqual({ missing: 0, wrongRevision: 0, cancelledPresent: 0, unexpected: 0 });
  });

  it('dead-letters exactly the malformed records, each with its reason', () => {
    const dead = report.checks.deadLetters;
    expect(
      dead?.byReason.filter((r) => r.missing > 0 || r.extra > 0 || r.found !== r.expected),
    ).toEqual([]);
    expect(dead?.oversized).toEqual({ refused_too_large: 1 });
  });

  it('ends with the aggregates of a clean run of the same input (cortege checksum)', () => {
    expect({
      ok: report.checks.checksum?.ok,
      differing: report.checks.checksum?.differing,
    }).toEqual({ ok: true, differing: [] });
  });

  it('passes as a whole', () => {
    if (report.verdict !== 'pass') throw new Error(summary());
  });
});
