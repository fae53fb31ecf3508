import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { asAnalyst, createTestDatabase, type TestDatabase } from '@app/testing';
import { migrate } from './data-source';

const config = loadConfig();

describe('the PostGIS schema (migrations)', () => {
  let database: TestDatabase;
  let db: Client;
  beforeAll(async () => {
    database = await createTestDatabase(config);
    db = new Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  it('applies once, then has nothing left to apply', async () => {
    expect(await migrate(database.url)).toEqual([
      'TensionSchema1764300000000',
      'AggregationLedger1764400000000',
      'AccessHabilitationAudit1764600000000',
    ]);
    expect(await migrate(database.url)).toEqual([]);
  });

  it('types every geometry with SRID 4326, indexes it with GiST, and keys every table', async () => {
    const { rows: geometries } = await db.query<{ t: string; type: string; srid: number }>(
      `SELECT f_table_name AS t, type, srid FROM geometry_columns WHERE f_table_schema = 'public' AND f_table_name NOT LIKE 'v\\_%' AND f_table_name NOT LIKE 'gazetteer%' AND f_table_name <> 'geocode_cache' ORDER BY 1`,
    );
    expect(geometries).toEqual([
      { t: 'cell_tension', type: 'POLYGON', srid: 4326 },
      { t: 'event', type: 'GEOMETRY', srid: 4326 },
      { t: 'tension_zone', type: 'MULTIPOLYGON', srid: 4326 },
    ]);
    const { rows: gist } = await db.query<{ tablename: string }>(
      `SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist (geom)%' AND tablename IN ('event','cell_tension','tension_zone') ORDER BY 1`,
    );
    expect(gist.map((r) => r.tablename)).toEqual(['cell_tension', 'event', 'tension_zone']);
    const { rows: keyless } = await db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND c.relname IN ('event','event_presence','event_region','cell_tension','tension_zone','consumer_offset','access_audit')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')`,
    );
    expect(keyless).toEqual([]);
  });

  it('lets an analyst read the views and nothing else: no insert, update or delete', async () => {
    await asAnalyst(database.url, async (analyst) => {
      const refusal = (sql: string) =>
        analyst.query(sql).then(
          () => 'allowed',
          (error: Error) => (/permission denied/.test(error.message) ? 'denied' : error.message),
        );
      for (const view of ['v_events', 'v_tension_now', 'v_tension_day', 'v_zones', 'v_presence']) {
        expect([
          view,
          (await analyst.query(`SELECT count(*)::int AS n FROM ${view}`)).rows[0],
        ]).toEqual([view, { n: 0 }]);
      }
      // One after the other: a pg Client runs one query at a time (pg 9 will refuse a second
      // query sent while one is running).
      const answers: string[] = [];
      for (const sql of [
        `SELECT * FROM cell_tension`,
        `INSERT INTO cell_tension VALUES (10, 'x', now(), 0, 0, 0, 0, ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326), '{}')`,
        `UPDATE event SET revision = 2`,
        `DELETE FROM tension_zone`,
        `DELETE FROM v_events`,
        `INSERT INTO consumer_offset VALUES ('g', 't', 0, 0)`,
        `DELETE FROM event_region`,
      ]) {
        answers.push(await refusal(sql));
      }
      expect(answers).toEqual([
        'denied',
        'denied',
        'denied',
        'denied',
        'denied',
        'denied',
        'denied',
      ]);
    });
  });
});
