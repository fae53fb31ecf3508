import { PassThrough } from 'node:stream';
import { DEFAULT_SANITIZATION_POLICY } from '@app/sanitization';
import { sampleSubmissions } from '@app/testing';
import { sanitizeCommand } from './sanitize.command';

async function run(lines: string[]): Promise<Array<Record<string, unknown>>> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  input.end(lines.join('\n'));
  await sanitizeCommand(input, output, DEFAULT_SANITIZATION_POLICY);
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('cortege sanitize', () => {
  it('writes one result per line: clean, rejected, malformed, duplicate, stale', async () => {
    const { visit, moving } = sampleSubmissions();
    const withPhone = {
      ...visit,
      payload: {
        'cortege.OfficialVisit': {
          ...(visit.payload!['cortege.OfficialVisit' as never] as object),
          subject: 'Appeler le 06 12 34 56 78',
        },
      },
    };
    const newer = { ...moving, revision: 4 };
    const results = await run([
      JSON.stringify(withPhone),
      '{"eventId": oops',
      JSON.stringify({ ...moving, revision: 0 }),
      '',
      JSON.stringify(withPhone),
      JSON.stringify(newer),
      JSON.stringify({ ...moving, revision: 2 }),
    ]);
    expect(results.map((r) => [r.line, r.outcome])).toEqual([
      [1, 'clean'],
      [2, 'rejected'],
      [3, 'rejected'],
      [5, 'duplicate'],
      [6, 'clean'],
      [7, 'stale'],
    ]);
    expect(results[0]).toMatchObject({ scrubCounts: { PHONE: 1 } });
    expect(JSON.stringify(results[0])).toContain('Appeler le [PHONE]');
    expect(JSON.stringify(results)).not.toContain('06 12 34 56 78');
    expect(results[1]).toMatchObject({ violations: [{ code: 'malformed_json', path: '' }] });
    expect(results[2]).toMatchObject({
      violations: [{ code: 'invalid_revision', path: 'revision' }],
    });
  });
});
