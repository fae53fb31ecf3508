import { PassThrough } from 'node:stream';
import { DEFAULT_TENSION_MODEL, scoreCells } from '@app/tension';
import { areaCells, cancelRecords, marchCells, MARSEILLE, presenceRecords } from '@app/testing';
import { scoreCommand } from './score.command';

const H = 3_600_000;
const DAY = Date.UTC(2026, 4, 1);
const MARCH = '00000000-0000-4000-8000-0000000000a1';
const VISIT = '00000000-0000-4000-8000-0000000000a2';
const RALLY = '00000000-0000-4000-8000-0000000000a3';

async function run(lines: string[]): Promise<Array<Record<string, unknown>>> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  input.end(lines.join('\n'));
  await scoreCommand(input, output, DEFAULT_TENSION_MODEL);
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const march = (revision: number, peopleDeclared: number | null) =>
  presenceRecords({
    eventId: MARCH,
    revision,
    kind: 'MOVING_DEMONSTRATION',
    peopleExpected: 2_000,
    peopleDeclared,
    startAt: DAY + 10 * H,
    endAt: DAY + 12 * H,
    cells: marchCells(MARSEILLE.vieuxPort, MARSEILLE.reformes, DAY + 10 * H, DAY + 12 * H),
  });
const visit = presenceRecords({
  eventId: VISIT,
  revision: 1,
  kind: 'OFFICIAL_VISIT',
  peopleExpected: 50,
  startAt: DAY + 10 * H,
  endAt: DAY + 11 * H,
  cells: areaCells(MARSEILLE.vieuxPort, 2, DAY + 10 * H, DAY + 11 * H),
});
const rally = presenceRecords({
  eventId: RALLY,
  revision: 1,
  kind: 'STATIC_DEMONSTRATION',
  peopleExpected: 300,
  startAt: DAY + 10 * H,
  endAt: DAY + 11 * H,
  cells: areaCells(MARSEILLE.canebiere, 1, DAY + 10 * H, DAY + 11 * H),
});

describe('cortege score', () => {
  it('scores the newest revisions, drops the cancelled, and draws the zone of a march meeting a visit', async () => {
    const out = await run([
      // What `cortege locate` writes, then bare records, a late stale revision and a cancel.
      JSON.stringify({ line: 1, outcome: 'located', presence: march(2, 5_000) }),
      ...visit.map((r) => JSON.stringify(r)),
      ...rally.map((r) => JSON.stringify(r)),
      ...march(1, null).map((r) => JSON.stringify(r)),
      ...cancelRecords(RALLY, 2, [rally[0]?.region ?? '']).map((r) => JSON.stringify(r)),
      JSON.stringify({ line: 9, outcome: 'not_found', addresses: ['nulle part'] }),
    ]);
    const cells = out.filter((row) => row.type === 'cell');
    const expected = scoreCells([
      {
        eventId: MARCH,
        kind: 'MOVING_DEMONSTRATION',
        theme: null,
        peopleExpected: 2_000,
        peopleDeclared: 5_000,
        carsExpected: null,
        carsDeclared: null,
        cells: march(2, 5_000).flatMap((r) => r.cells),
      },
      {
        eventId: VISIT,
        kind: 'OFFICIAL_VISIT',
        theme: null,
        peopleExpected: 50,
        peopleDeclared: null,
        carsExpected: null,
        carsDeclared: null,
        cells: visit.flatMap((r) => r.cells),
      },
    ]);
    expect(cells).toEqual(
      expected.map((r) => ({
        type: 'cell',
        resolution: r.resolution,
        cell: r.cell,
        bucketStart: new Date(r.bucketStart).toISOString(),
        load: r.load,
        conflict: r.conflict,
        score: r.score,
        eventIds: r.eventIds,
      })),
    );
    expect(cells.some((row) => (row.eventIds as string[]).includes(RALLY))).toBe(false);
    const zones = out.filter((row) => row.type === 'zone');
    const meeting = zones.filter(
      (z) => z.resolution === 10 && (z.eventIds as string[]).join() === [MARCH, VISIT].join(),
    );
    expect(meeting.length).toBeGreaterThan(0);
    expect(meeting[0]).toMatchObject({ kinds: ['MOVING_DEMONSTRATION', 'OFFICIAL_VISIT'] });
    expect(out.filter((row) => row.type === 'rejected')).toEqual([]);
  });

  it('names what is wrong in a line, and keeps going', async () => {
    const [good] = visit;
    const out = await run([
      'not json',
      JSON.stringify({ ...good, revision: 'two' }),
      JSON.stringify({ ...good, cells: [{ cell: 'nowhere', startAt: 0, endAt: 1 }] }),
      JSON.stringify(good),
    ]);
    expect(out.filter((row) => row.type === 'rejected')).toEqual([
      { type: 'rejected', line: 1, message: 'not a valid JSON value' },
      { type: 'rejected', line: 2, message: 'not a presence record: wrong revision' },
      {
        type: 'rejected',
        line: 3,
        message: expect.stringContaining('cells[0].cell must be an H3 cell') as string,
      },
    ]);
    expect(out.some((row) => row.type === 'cell')).toBe(true);
  });

  it('passes what cortege locate did not locate through, with its outcome, reasons and stage', async () => {
    const rows = await run([
      JSON.stringify({ line: 1, outcome: 'not_found', addresses: ['1 rue Inconnue'] }),
      JSON.stringify({
        line: 2,
        outcome: 'rejected',
        stage: 'sanitize',
        violations: [
          { path: 'revision', code: 'invalid_revision', message: 'must be an integer ≥ 1' },
        ],
      }),
      JSON.stringify({ line: 3, outcome: 'skipped' }),
      ...visit.map((record) => JSON.stringify(record)),
    ]);
    expect(rows.filter((r) => r.type === 'not_scored')).toEqual([
      {
        type: 'not_scored',
        line: 1,
        stage: 'locate',
        outcome: 'not_found',
        addresses: ['1 rue Inconnue'],
      },
      {
        type: 'not_scored',
        line: 2,
        stage: 'sanitize',
        outcome: 'rejected',
        violations: [
          { path: 'revision', code: 'invalid_revision', message: 'must be an integer ≥ 1' },
        ],
      },
      { type: 'not_scored', line: 3, stage: 'locate', outcome: 'skipped' },
    ]);
    expect(rows.some((r) => r.type === 'cell')).toBe(true);
  });
});
