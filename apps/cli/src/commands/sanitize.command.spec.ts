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

  it('lists every violation of a line at once, the rules’ with the contract’s, at most 100', async () => {
    const { moving } = sampleSubmissions();
    const base = 'payload.cortege.MovingDemonstration';
    const event = (edit: (e: Record<string, unknown>) => void) => {
      const e = { ...(moving.payload![base.slice(8) as never] as Record<string, unknown>) };
      edit(e);
      return JSON.stringify({ ...moving, payload: { [base.slice(8)]: e } });
    };
    const results = await run([
      event((e) => {
        e.organiserStatus = 'COMPANY';
        e.peopleDeclared = -3;
        e.endAt = e.startAt;
        e.route = {
          coordinates: [
            { lon: 2.35, lat: 48.85 },
            { lon: 5.37, lat: 43.29 },
          ],
        };
      }),
      event((e) => (e.waypointAddresses = Array.from({ length: 130 }, () => ''))),
    ]);
    expect(results[0]?.outcome).toBe('rejected');
    expect(
      (results[0]?.violations as Array<{ path: string; code: string }>).map((v) => [
        v.path,
        v.code,
      ]),
    ).toEqual([
      [`${base}.organiserStatus`, 'invalid_enum'],
      [`${base}.endAt`, 'end_before_start'],
      [`${base}.peopleDeclared`, 'negative_count'],
      [`${base}.route.coordinates.0`, 'outside_area'],
    ]);
    expect(results[0]?.truncated).toBeUndefined();
    expect(results[1]).toMatchObject({ outcome: 'rejected', truncated: true, total: 130 });
    expect(results[1]?.violations).toHaveLength(100);
  });
});
