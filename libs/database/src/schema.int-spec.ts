import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { asAnalyst, createTestDatabase, type TestDatabase } from '@app/testing';
import { createDataSource, migrate, MIGRATIONS } from './data-source';
import { EventTextAndTypedViews1764500000000 } from './migrations/1764500000000-event-text-and-typed-views';

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

  it('applies once, then has nothing left to apply; processes that start together take turns', async () => {
    // The locator and the aggregator both migrate as they start: one applies, the other waits
    // for it and finds nothing left.
    const twin = await createTestDatabase(config);
    try {
      const both = await Promise.all([migrate(twin.url), migrate(twin.url)]);
      expect(both.map((applied) => applied.length).sort()).toEqual([0, MIGRATIONS.length]);
    } finally {
      await twin.drop();
    }
    expect(await migrate(database.url)).toEqual([
      'TensionSchema1764300000000',
      'AggregationLedger1764400000000',
      'EventTextAndTypedViews1764500000000',
      'AccessHabilitationAudit1764600000000',
      'TileFunctions1764700000000',
      'BaseMapTiles1764800000000',
      'ZoneTileSpan1764900000000',
      'GazetteerSchema1765000000000',
      'PresenceTimeIndex1765100000000',
      'Hotspots1765200000000',
      'IngestEventProducer1796613336638',
      'SchemaChangeGate1796630000000',
      'ConflictAlerts1796645000000',
      'WebhookDelivery1796650000000',
      'AlertPending1796655000000',
      'SubmissionStatus1796660000000',
      'SubmissionStatusRegions1796670000000',
    ]);
    expect(await migrate(database.url)).toEqual([]);
  });

  it('types every geometry of every table and view, with SRID 4326, so QGIS and GDAL need not guess', async () => {
    const { rows: geometries } = await db.query<{
      t: string;
      c: string;
      type: string;
      srid: number;
    }>(
      `SELECT f_table_name AS t, f_geometry_column AS c, type, srid FROM geometry_columns
        WHERE f_table_schema = 'public' ORDER BY 1, 2`,
    );
    expect(geometries.filter((g) => g.type === 'GEOMETRY' || g.srid !== 4326)).toEqual([]);
    expect(geometries).toEqual([
      { t: 'alert', c: 'geom', type: 'MULTIPOLYGON', srid: 4326 },
      { t: 'alert', c: 'point', type: 'POINT', srid: 4326 },
      { t: 'cell_tension', c: 'geom', type: 'POLYGON', srid: 4326 },
      { t: 'event', c: 'footprint_geom', type: 'POLYGON', srid: 4326 },
      { t: 'event', c: 'points_geom', type: 'MULTIPOINT', srid: 4326 },
      { t: 'event', c: 'route_geom', type: 'LINESTRING', srid: 4326 },
      { t: 'gazetteer_address', c: 'geom', type: 'POINT', srid: 4326 },
      { t: 'gazetteer_place', c: 'geom', type: 'POINT', srid: 4326 },
      { t: 'gazetteer_street', c: 'geom', type: 'POINT', srid: 4326 },
      { t: 'geocode_cache', c: 'geom', type: 'POINT', srid: 4326 },
      { t: 'hotspot', c: 'geom', type: 'POLYGON', srid: 4326 },
      { t: 'tension_zone', c: 'geom', type: 'MULTIPOLYGON', srid: 4326 },
      { t: 'v_alerts', c: 'geom', type: 'MULTIPOLYGON', srid: 4326 },
      { t: 'v_alerts', c: 'point', type: 'POINT', srid: 4326 },
      { t: 'v_event_footprints', c: 'geom', type: 'POLYGON', srid: 4326 },
      { t: 'v_event_points', c: 'geom', type: 'MULTIPOINT', srid: 4326 },
      { t: 'v_event_routes', c: 'geom', type: 'LINESTRING', srid: 4326 },
      { t: 'v_hotspots', c: 'geom', type: 'POLYGON', srid: 4326 },
      { t: 'v_tension_day', c: 'geom', type: 'POLYGON', srid: 4326 },
      { t: 'v_tension_now', c: 'geom', type: 'POLYGON', srid: 4326 },
      { t: 'v_zones', c: 'geom', type: 'MULTIPOLYGON', srid: 4326 },
    ]);
    const { rows: gist } = await db.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gist%' AND tablename IN ('event','cell_tension','tension_zone') ORDER BY 1`,
    );
    expect(
      gist.map((r) => r.indexdef.replace(/^.* ON public\.(\w+) USING gist \((\w+)\)$/, '$1.$2')),
    ).toEqual([
      'cell_tension.geom',
      'event.footprint_geom',
      'event.points_geom',
      'event.route_geom',
      'tension_zone.geom',
    ]);
    const { rows: keyless } = await db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND c.relname IN ('event','event_presence','event_region','cell_tension','tension_zone','consumer_offset','access_audit')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')`,
    );
    expect(keyless).toEqual([]);
  });

  it('moves the events already stored into the typed columns with their counts, and back down', async () => {
    const scratch = await createTestDatabase(config);
    const source = await createDataSource(scratch.url).initialize();
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    const id = (n: number) => `00000000-0000-4000-8000-00000000e00${n}`;
    // The typed columns' migration and every later one, undone and redone together.
    const from = MIGRATIONS.indexOf(EventTextAndTypedViews1764500000000);
    const redone = MIGRATIONS.slice(from).map((m) => new m().name);
    const undoFromTypedColumns = async () => {
      for (let i = from; i < MIGRATIONS.length; i += 1)
        await source.undoLastMigration({ transaction: 'each' });
    };
    try {
      await source.runMigrations({ transaction: 'each' });
      await undoFromTypedColumns();
      // Events as the aggregator wrote them before: one untyped geometry, and the counts only
      // in event_region, where the newest region record with attributes holds them (region
      // 'c' was left by revision 2: no attributes).
      const shapes = {
        [id(1)]: 'LINESTRING(5.37 43.29,5.38 43.3)',
        [id(2)]: 'POLYGON((5.37 43.29,5.38 43.29,5.38 43.3,5.37 43.29))',
        [id(3)]: 'POINT(5.37 43.29)',
        [id(4)]: 'MULTIPOINT((5.37 43.29),(5.38 43.3))',
      };
      for (const [eventId, wkt] of Object.entries(shapes))
        await client.query(
          `INSERT INTO event (event_id, revision, kind, start_at, end_at, people, cars, geocode_quality, geom, located_at)
           VALUES ($1, 2, 'STATIC_DEMONSTRATION', now(), now() + interval '1 hour', 500, 3, 'EXACT', ST_GeomFromText($2, 4326), now())`,
          [eventId, wkt],
        );
      await client.query(
        `INSERT INTO event_region (event_id, region, revision, action, kind, people_expected, people_declared, cars_expected, cars_declared)
         VALUES ($1, 'a', 1, 'UPSERT', 'STATIC_DEMONSTRATION', 100, 100, 1, 1),
                ($1, 'b', 2, 'UPSERT', 'STATIC_DEMONSTRATION', 500, 300, 3, NULL),
                ($1, 'c', 2, 'UPSERT', NULL, NULL, NULL, NULL, NULL)`,
        [id(2)],
      );

      expect(await migrate(scratch.url)).toEqual(redone);
      const { rows: typed } = await client.query<Record<string, unknown>>(
        `SELECT event_id, v.shape, ST_AsText(coalesce(route_geom, footprint_geom, points_geom)) AS wkt,
                e.people_expected, e.people_declared, e.cars_expected, e.cars_declared, e.people,
                e.cars, e.subject
           FROM event e JOIN v_events v USING (event_id) ORDER BY 1`,
      );
      const unknown = { people_expected: null, people_declared: null, cars_expected: null };
      const row = (n: number, shape: string, wkt: string, counts: object = unknown) => ({
        event_id: id(n),
        shape,
        wkt,
        cars_declared: null,
        ...counts,
        people: 500,
        cars: 3,
        subject: null,
      });
      expect(typed).toEqual([
        row(1, 'route', shapes[id(1)] as string),
        row(2, 'footprint', shapes[id(2)] as string, {
          people_expected: 500,
          people_declared: 300,
          cars_expected: 3,
        }),
        row(3, 'points', 'MULTIPOINT((5.37 43.29))'),
        row(4, 'points', shapes[id(4)] as string),
      ]);

      await undoFromTypedColumns();
      const { rows: back } = await client.query<{ event_id: string; wkt: string }>(
        `SELECT event_id, ST_AsText(geom) AS wkt FROM v_events ORDER BY 1`,
      );
      expect(Object.fromEntries(back.map((r) => [r.event_id, r.wkt]))).toEqual(shapes);
      const { rows: columns } = await client.query<{ t: string; type: string; srid: number }>(
        `SELECT f_table_name AS t, type, srid FROM geometry_columns
          WHERE f_table_name IN ('event', 'v_events', 'v_tension_day') ORDER BY 1`,
      );
      expect(columns).toEqual([
        { t: 'event', type: 'GEOMETRY', srid: 4326 },
        { t: 'v_events', type: 'GEOMETRY', srid: 4326 },
        { t: 'v_tension_day', type: 'GEOMETRY', srid: 0 },
      ]);
      await asAnalyst(scratch.url, async (analyst) => {
        const { rows } = await analyst.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM v_events)::int + (SELECT count(*) FROM v_tension_day)::int AS n`,
        );
        expect(rows).toEqual([{ n: 4 }]);
      });
      expect(await migrate(scratch.url)).toEqual(redone);
    } finally {
      await client.end();
      await source.destroy();
      await scratch.drop();
    }
  });

  it('lets an analyst read the views and nothing else: no insert, update or delete', async () => {
    await asAnalyst(database.url, async (analyst) => {
      const refusal = (sql: string) =>
        analyst.query(sql).then(
          () => 'allowed',
          (error: Error) => (/permission denied/.test(error.message) ? 'denied' : error.message),
        );
      for (const view of [
        'v_events',
        'v_event_routes',
        'v_event_footprints',
        'v_event_points',
        'v_tension_now',
        'v_tension_day',
        'v_zones',
        'v_presence',
        'v_hotspots',
      ]) {
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
        `SELECT * FROM hotspot`,
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
        'denied',
      ]);
    });
  });
});
