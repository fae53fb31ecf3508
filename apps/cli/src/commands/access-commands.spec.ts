import { PassThrough } from 'node:stream';
import type { CommandIo } from '../command-io';
import { auditCommand } from './audit.command';
import { habilitationCommand } from './habilitation.command';

/** Runs a command whose arguments must be refused before any database is opened. */
async function refused(
  command: typeof auditCommand,
  argv: string[],
): Promise<{ code: number; stderr: string; stdout: string }> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const io: CommandIo = {
    stdout: out,
    stderr: { write: (text: string) => ((stderr += text), true) },
  };
  const code = await command(
    argv,
    () => {
      throw new Error('no database should be opened');
    },
    io,
  );
  return { code, stderr: stderr.split('\n')[0]!, stdout };
}

describe('cortege audit and cortege habilitation, bad usage (exit 2, no database)', () => {
  it.each([
    [[], `cortege audit: expected 'verify' or 'export'`],
    [['check'], `cortege audit: unknown action 'check'; expected 'verify' or 'export'`],
    [['verify', 'now'], `cortege audit: unexpected 'now'`],
    [
      ['verify', '--expect-head', '12'],
      'cortege audit: --expect-head: expected ID:HASH, a row id and its 64 lower-case hex digits, as verify prints them',
    ],
    [
      ['verify', '--expect-head', `0:${'a'.repeat(64)}`],
      'cortege audit: --expect-head: expected ID:HASH, a row id and its 64 lower-case hex digits, as verify prints them',
    ],
    [['verify', '--since', '2026-05-01T00:00:00Z'], 'cortege audit: --since belongs to export'],
    [['export'], 'cortege audit: export needs --since <RFC 3339 date-time>'],
    [
      ['export', '--since', 'yesterday'],
      'cortege audit: --since: "yesterday" is not an RFC 3339 date-time with an offset, e.g. 2026-05-01T00:00:00Z or 2026-05-01T02:00:00+02:00',
    ],
  ])('audit %j', async (argv, message) => {
    expect(await refused(auditCommand, argv)).toEqual({ code: 2, stderr: message, stdout: '' });
  });

  it('refuses what node:util parseArgs refuses, naming the option', async () => {
    const unknown = await refused(auditCommand, ['export', '--until', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cortege audit: Unknown option '--until'/);
    const missing = await refused(habilitationCommand, ['list', '--subject']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cortege habilitation: .*'--subject <value>'/);
  });

  it.each([
    [[], `cortege habilitation: expected 'grant', 'revoke' or 'list'`],
    [['grant', '--role', 'admin', '--reason', 'r'], 'cortege habilitation: grant needs --subject'],
    [['grant', '--subject', 's', '--reason', 'r'], 'cortege habilitation: grant needs --role'],
    [['grant', '--subject', 's', '--role', 'admin'], 'cortege habilitation: grant needs --reason'],
    [
      ['grant', '--subject', 's', '--role', 'admin', '--reason', 'r', '--active'],
      'cortege habilitation: grant takes no --active',
    ],
    [
      ['grant', '--subject', 's', '--role', 'admin', '--reason', 'r', '--until', '2026-05-01'],
      'cortege habilitation: --until: "2026-05-01" is not an RFC 3339 date-time with an offset, e.g. 2026-05-01T00:00:00Z or 2026-05-01T02:00:00+02:00',
    ],
    [['revoke', '--reason', 'r'], 'cortege habilitation: revoke takes exactly one habilitation id'],
    [
      ['revoke', '1', '2', '--reason', 'r'],
      'cortege habilitation: revoke takes exactly one habilitation id',
    ],
    [['revoke', '1'], 'cortege habilitation: revoke needs --reason'],
    [['list', '--role', 'admin'], 'cortege habilitation: list takes no --role'],
  ])('habilitation %j', async (argv, message) => {
    expect(await refused(habilitationCommand, argv)).toEqual({
      code: 2,
      stderr: message,
      stdout: '',
    });
  });
});
