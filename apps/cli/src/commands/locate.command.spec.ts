import { PassThrough } from 'node:stream';
import { DEFAULT_LOCATOR_MODEL } from '@app/geo';
import type { Geocoder } from '@app/geocoding';
import { DEFAULT_SANITIZATION_POLICY } from '@app/sanitization';
import { sampleSubmissions } from '@app/testing';
import { locateCommand } from './locate.command';
import { sanitizeCommand } from './sanitize.command';

/** Geocodes nothing: every sample used here carries its positions. */
const noAddresses: Geocoder = { geocode: () => Promise.resolve(null) };

/** `cortege sanitize < lines | cortege locate`, in memory. */
async function pipeline(lines: string[]): Promise<Array<Record<string, unknown>>> {
  const input = new PassThrough();
  const between = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  input.end(lines.join('\n'));
  await Promise.all([
    sanitizeCommand(input, between, DEFAULT_SANITIZATION_POLICY).then(() => between.end()),
    locateCommand(between, output, noAddresses, DEFAULT_LOCATOR_MODEL, () => 0),
  ]);
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('cortege sanitize | cortege locate', () => {
  it("passes the sanitizer's rejections, duplicates and stale revisions through with their reasons", async () => {
    const { moving } = sampleSubmissions();
    const results = await pipeline([
      JSON.stringify(moving),
      JSON.stringify({ ...moving, revision: 0 }),
      '{"eventId": oops',
      JSON.stringify(moving),
      JSON.stringify({ ...moving, revision: moving.revision + 1 }),
      JSON.stringify(moving),
    ]);
    expect(results.map((r) => [r.line, r.outcome, r.stage])).toEqual([
      [1, 'located', undefined],
      [2, 'rejected', 'sanitize'],
      [3, 'rejected', 'sanitize'],
      [4, 'duplicate', 'sanitize'],
      [5, 'located', undefined],
      [6, 'stale', 'sanitize'],
    ]);
    expect(results[1]?.violations).toEqual([
      expect.objectContaining({ path: 'revision', code: 'invalid_revision' }),
    ]);
    expect(results[2]?.violations).toEqual([expect.objectContaining({ code: 'malformed_json' })]);
  });

  it('still rejects a line that is neither an event nor a result of cortege sanitize', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    input.end(JSON.stringify({ outcome: 'clean-ish', eventId: 'x' }));
    await locateCommand(input, output, noAddresses, DEFAULT_LOCATOR_MODEL, () => 0);
    const [result] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(result).toMatchObject({ line: 1, outcome: 'rejected' });
    expect(result?.stage).toBeUndefined();
  });
});
