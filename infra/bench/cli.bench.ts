/**
 * Start-up of the `cortege` CLI as an operator runs it (the compiled bundle): `--help`,
 * `audit --help`, and a short command (`sanitize` of one submission, which loads the
 * contracts and the sanitizer), the last beside the same sources run through tsx, as the CLI
 * ran before it was compiled. Rounds alternate so machine noise hits both alike.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@app/process-runner';
import { sampleSubmissions } from '@app/testing';
import { median } from './bench.util';

const ROUNDS = 7;

function elapsedMs(args: readonly string[], input = ''): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', input });
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function cliBench(): Promise<Record<string, number>> {
  const bin = join(REPO_ROOT, 'apps', 'cli', 'bin', 'cortege.js');
  const sources = ['--import', 'tsx', join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts')];
  elapsedMs([bin, '--help']); // builds the bundle if a source changed
  const line = `${JSON.stringify(sampleSubmissions().moving)}\n`;
  const runs: Record<'help' | 'auditHelp' | 'sanitize' | 'sanitizeTsx', number[]> = {
    help: [],
    auditHelp: [],
    sanitize: [],
    sanitizeTsx: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    runs.help.push(elapsedMs([bin, '--help']));
    runs.auditHelp.push(elapsedMs([bin, 'audit', '--help']));
    runs.sanitize.push(elapsedMs([bin, 'sanitize'], line));
    runs.sanitizeTsx.push(elapsedMs([...sources, 'sanitize'], line));
  }
  const sanitize = median(runs.sanitize);
  const tsx = median(runs.sanitizeTsx);
  return Promise.resolve({
    'cli.help_ms': Math.round(median(runs.help)),
    'cli.audit_help_ms': Math.round(median(runs.auditHelp)),
    'cli.sanitize_one_ms': Math.round(sanitize),
    'cli.sanitize_one_through_tsx_ms': Math.round(tsx),
    'cli.sanitize_over_tsx': Number((sanitize / tsx).toFixed(2)),
  });
}
