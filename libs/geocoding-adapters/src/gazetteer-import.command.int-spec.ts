import { join } from 'node:path';
import { Pool } from 'pg';
import { loadConfig, type AppConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { gazetteerImportCommand } from './gazetteer-import.command';

const DATA = join(__dirname, '..', 'data');

/** Runs the command with a captured stdout and stderr. */
async function run(argv: string[], config: AppConfig, isTTY = false) {
  let stderr = '';
  let stdout = '';
  const code = await gazetteerImportCommand(argv, config, {
    stderr: {
      isTTY,
      write: (chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      },
    },
    stdout: {
      write: (chunk: string | Uint8Array) => {
        stdout += String(chunk);
        return true;
      },
    },
  });
  return { code, stderr, stdout };
}

describe('cortege gazetteer import', () => {
  let db: TestDatabase;
  let config: AppConfig;

  beforeAll(async () => {
    const base = loadConfig();
    db = await createTestDatabase(base);
    config = { ...base, database: { ...base.database, url: db.url } };
  });

  afterAll(() => db?.drop());

  it('imports the project’s extract and its places, with progress on stderr', async () => {
    const { code, stderr } = await run(
      [join(DATA, 'adresses-13-extract.csv'), '--places', join(DATA, 'places.csv')],
      { ...config, geocoding: { ...config.geocoding, importBatchSize: 100 } },
    );

    expect(code).toBe(0);
    expect(stderr).toMatch(/^\[#+\.*\] +\d+% 100 rows, 100 kept, \d+ rows\/s, ETA \d+ s$/m);
    expect(stderr).toMatch(
      /^gazetteer: 461 addresses of Marseille on 26 streets \(461 rows read, 0 of other communes skipped\) in [\d.]+ s, \d+ rows\/s$/m,
    );
    expect(stderr).toContain('gazetteer: 50 named places from');
    const pool = new Pool({ connectionString: db.url });
    try {
      const { rows } = await pool.query<{ a: number; p: number }>(
        'SELECT (SELECT count(*)::int FROM gazetteer_address) AS a, (SELECT count(*)::int FROM gazetteer_place) AS p',
      );
      expect(rows[0]).toEqual({ a: 461, p: 50 });
    } finally {
      await pool.end();
    }
  });

  it('redraws one progress bar on a terminal; --quiet says only the result', async () => {
    const tty = await run([join(DATA, 'adresses-13-extract.csv')], config, true);
    expect(tty.stderr).toMatch(/^\r\[#{24}\] 100% 461 rows/);
    const quiet = await run([join(DATA, 'adresses-13-extract.csv'), '--quiet'], config);
    expect(quiet.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(quiet.stdout).toBe('');
    const json = await run([join(DATA, 'adresses-13-extract.csv'), '--quiet', '--json'], config);
    expect(JSON.parse(json.stdout)).toMatchObject({
      rows: 461,
      kept: 461,
      streets: 26,
      places: null,
    });
  });

  it('exits 1 naming the problem of a refused file, 2 on bad usage', async () => {
    const refused = await run([join(DATA, 'places.csv')], config);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining(
        'cortege gazetteer import: line 1: the header lacks the columns numero, rep, nom_voie, code_postal',
      ) as unknown,
    });
    expect((await run([], config)).code).toBe(2);
    expect((await run(['a.csv', 'b.csv'], config)).code).toBe(2);
    expect((await run(['a.csv', '--verbose'], config)).stderr).toContain(
      "Unknown option '--verbose'",
    );
  });
});
