import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The attributes every event view shows, in this order. */
const EVENT_ATTRIBUTES = `event_id, revision, kind, subject, description, start_at, end_at,
               people_expected, people_declared, cars_expected, cars_declared, people, cars,
               organiser_status, theme, geocode_quality`;

/**
 * What an event is, and geometry QGIS and GDAL can open without guessing:
 * - `event` gains the sanitizer's scrubbed `subject` and `description` (the locator copies them
 *   from the clean event; the submitted text never reaches this database) and the four counts
 *   as declared to Cortège, beside `people` and `cars` (the larger of each pair, as the tension
 *   model counts). Counts of the rows already there come from `event_region`, which holds them;
 *   their text stays null until the event's next revision.
 * - `event.geom` held three kinds of geometry in one untyped column. It becomes one typed column
 *   per shape the locator draws (libs/geo `EventShape`), exactly one of them set: `route_geom`
 *   LineString (a march's route, drawn or through its geocoded places), `footprint_geom` Polygon
 *   (a rally's drawn footprint) and `points_geom` MultiPoint (the geocoded places of operations,
 *   visits, rallies without footprint and marches placed at one place; a single Point becomes a
 *   MultiPoint of one).
 * - One view per shape (`v_event_routes`, `v_event_footprints`, `v_event_points`), each with the
 *   event's attributes and a `geom` of that one type; `v_events` keeps every event, attributes
 *   only, with the `shape` that says which of those views holds its geometry.
 * - `v_tension_day` took its polygon out of an array, which loses the column's type: it was
 *   registered as GEOMETRY with SRID 0. Cast back to Polygon, 4326.
 */
export class EventTextAndTypedViews1764500000000 implements MigrationInterface {
  name = 'EventTextAndTypedViews1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE event
        ADD COLUMN subject text,
        ADD COLUMN description text,
        ADD COLUMN people_expected integer CHECK (people_expected >= 0),
        ADD COLUMN people_declared integer CHECK (people_declared >= 0),
        ADD COLUMN cars_expected integer CHECK (cars_expected >= 0),
        ADD COLUMN cars_declared integer CHECK (cars_declared >= 0),
        ADD COLUMN route_geom geometry(LineString, 4326),
        ADD COLUMN footprint_geom geometry(Polygon, 4326),
        ADD COLUMN points_geom geometry(MultiPoint, 4326)`);
    // The aggregator's rule for an event's attributes: its newest UPSERT region record.
    await q.query(`
      UPDATE event e
         SET people_expected = r.people_expected, people_declared = r.people_declared,
             cars_expected = r.cars_expected, cars_declared = r.cars_declared
        FROM (SELECT DISTINCT ON (event_id) event_id, people_expected, people_declared,
                     cars_expected, cars_declared
                FROM event_region WHERE kind IS NOT NULL
               ORDER BY event_id, revision DESC, region DESC) r
       WHERE r.event_id = e.event_id`);
    await q.query(`
      UPDATE event
         SET route_geom = CASE WHEN GeometryType(geom) = 'LINESTRING' THEN geom END,
             footprint_geom = CASE WHEN GeometryType(geom) = 'POLYGON' THEN geom END,
             points_geom = CASE WHEN GeometryType(geom) IN ('POINT', 'MULTIPOINT')
                                THEN ST_Multi(geom) END`);
    await q.query(`REVOKE ALL ON v_events FROM cortege_analyst`);
    await q.query(`DROP VIEW v_events`);
    // Fails here, rather than losing it, on a row of a shape the locator does not draw.
    await q.query(`
      ALTER TABLE event
        DROP COLUMN geom,
        ADD CONSTRAINT event_one_shape CHECK (num_nonnulls(route_geom, footprint_geom, points_geom) = 1)`);
    for (const column of ['route_geom', 'footprint_geom', 'points_geom'])
      await q.query(`CREATE INDEX event_${column}_gist ON event USING gist (${column})`);

    await q.query(`
      CREATE VIEW v_events AS
        SELECT ${EVENT_ATTRIBUTES},
               CASE WHEN route_geom IS NOT NULL THEN 'route'
                    WHEN footprint_geom IS NOT NULL THEN 'footprint'
                    ELSE 'points' END AS shape
          FROM event`);
    // The columns are typed: each view's geom is registered with its type and SRID 4326.
    await q.query(`
      CREATE VIEW v_event_routes AS
        SELECT ${EVENT_ATTRIBUTES}, route_geom AS geom FROM event WHERE route_geom IS NOT NULL`);
    await q.query(`
      CREATE VIEW v_event_footprints AS
        SELECT ${EVENT_ATTRIBUTES}, footprint_geom AS geom FROM event WHERE footprint_geom IS NOT NULL`);
    await q.query(`
      CREATE VIEW v_event_points AS
        SELECT ${EVENT_ATTRIBUTES}, points_geom AS geom FROM event WHERE points_geom IS NOT NULL`);

    // A view column's type cannot change in place (CREATE OR REPLACE refuses it).
    await q.query(`REVOKE ALL ON v_tension_day FROM cortege_analyst`);
    await q.query(`DROP VIEW v_tension_day`);
    await q.query(`
      CREATE VIEW v_tension_day AS
        SELECT resolution, cell, (bucket_start AT TIME ZONE 'Europe/Paris')::date AS day,
               max(score) AS peak_score, sum(score) / 96 AS mean_score, max(event_count) AS max_events,
               (array_agg(geom))[1]::geometry(Polygon, 4326) AS geom
          FROM cell_tension
         GROUP BY resolution, cell, (bucket_start AT TIME ZONE 'Europe/Paris')::date`);
    await q.query(
      `GRANT SELECT ON v_events, v_event_routes, v_event_footprints, v_event_points, v_tension_day TO cortege_analyst`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `REVOKE ALL ON v_events, v_event_routes, v_event_footprints, v_event_points, v_tension_day FROM cortege_analyst`,
    );
    await q.query(`DROP VIEW v_event_points, v_event_footprints, v_event_routes, v_events`);
    await q.query(`DROP VIEW v_tension_day`);
    await q.query(`
      CREATE VIEW v_tension_day AS
        SELECT resolution, cell, (bucket_start AT TIME ZONE 'Europe/Paris')::date AS day,
               max(score) AS peak_score, sum(score) / 96 AS mean_score, max(event_count) AS max_events,
               (array_agg(geom))[1] AS geom
          FROM cell_tension
         GROUP BY resolution, cell, (bucket_start AT TIME ZONE 'Europe/Paris')::date`);

    await q.query(`ALTER TABLE event ADD COLUMN geom geometry(Geometry, 4326)`);
    // A MultiPoint of one was a Point: the geometry comes back as the locator wrote it.
    await q.query(`
      UPDATE event
         SET geom = coalesce(route_geom, footprint_geom,
                             CASE WHEN ST_NumGeometries(points_geom) = 1
                                  THEN ST_GeometryN(points_geom, 1) ELSE points_geom END)`);
    await q.query(`
      ALTER TABLE event
        ALTER COLUMN geom SET NOT NULL,
        DROP CONSTRAINT event_one_shape,
        DROP COLUMN route_geom, DROP COLUMN footprint_geom, DROP COLUMN points_geom,
        DROP COLUMN subject, DROP COLUMN description,
        DROP COLUMN people_expected, DROP COLUMN people_declared,
        DROP COLUMN cars_expected, DROP COLUMN cars_declared`);
    await q.query(`CREATE INDEX event_geom_gist ON event USING gist (geom)`);
    await q.query(`
      CREATE VIEW v_events AS
        SELECT event_id, revision, kind, start_at, end_at, people, cars, organiser_status, theme,
               geocode_quality, geom
          FROM event`);
    await q.query(`GRANT SELECT ON v_events, v_tension_day TO cortege_analyst`);
  }
}
