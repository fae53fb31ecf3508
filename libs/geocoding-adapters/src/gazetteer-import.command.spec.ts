import { progressLine } from './gazetteer-import.command';

describe('progressLine', () => {
  const progress = {
    rows: 12_000,
    kept: 9_000,
    skipped: 3_000,
    bytesRead: 512,
    totalBytes: 2048,
    elapsedMs: 400,
    rowsPerSecond: 30_000,
  };

  it('draws a bar in place on a terminal, and plain lines otherwise', () => {
    expect(progressLine(progress, true)).toBe(
      '\r[######..................]  25% 12000 rows, 9000 kept, 30000 rows/s, ETA 2 s',
    );
    expect(progressLine(progress, false)).toBe(
      '[######..................]  25% 12000 rows, 9000 kept, 30000 rows/s, ETA 2 s\n',
    );
  });
});
