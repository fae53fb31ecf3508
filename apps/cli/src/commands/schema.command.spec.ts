import { PassThrough } from 'node:stream';
import { loadConfig } from '@app/config';
import type { CommandIo } from '../command-io';
import { schemaCommand } from './schema.command';

const TODAY = new Date('2026-12-07T10:00:00Z');
const APPROVAL = [
  '--dpo-informed-on',
  '2026-12-01',
  '--impact-study',
  'EIP-1',
  '--approver',
  'dpo',
];

/** Runs `cortege schema argv`, which must be refused before any database is opened. */
async function refused(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io: CommandIo = {
    stdout: new PassThrough(),
    stderr: { write: (text: string) => ((stderr += text), true) },
  };
  const code = await schemaCommand(
    argv,
    loadConfig({}),
    () => {
      throw new Error('no database should be opened');
    },
    io,
    TODAY,
  );
  return { code, stderr };
}

describe('cortege schema, bad usage (exit 2, no database, nothing registered)', () => {
  it.each([
    [[], 'cortege schema: expected propose, approve or list'],
    [['check'], 'cortege schema: expected propose, approve or list'],
    [['propose'], 'cortege schema: propose takes one FILE'],
    [['propose', 'a.avsc', 'b.avsc'], 'cortege schema: propose takes one FILE'],
    [
      ['approve', ...APPROVAL],
      'cortege schema: approve takes one PROPOSAL (id or fingerprint), or --initial',
    ],
    [
      ['approve', '3', '--initial', ...APPROVAL],
      'cortege schema: approve takes one PROPOSAL (id or fingerprint), or --initial',
    ],
    [['list', 'now'], 'cortege schema: unexpected now'],
    [
      ['propose', '/nonexistent/x.avsc'],
      "cortege schema: /nonexistent/x.avsc: ENOENT: no such file or directory, open '/nonexistent/x.avsc'",
    ],
  ])('%j', async (argv, message) => {
    const { code, stderr } = await refused(argv);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(message);
  });

  it('refuses an approval naming every problem of its DPO day, impact study and approver', async () => {
    const { code, stderr } = await refused([
      'approve',
      '3',
      '--dpo-informed-on',
      '2026-12-08',
      '--impact-study',
      '',
      '--approver',
      'Jeanne Martin',
    ]);
    expect(code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      'cortege schema: approval refused:',
      '  --dpo-informed-on 2026-12-08 is in the future',
      expect.stringMatching(/^ {2}--impact-study "" is not a reference/),
      expect.stringMatching(/^ {2}--approver "Jeanne Martin" is not an operator identifier/),
      '',
    ]);
  });
});
