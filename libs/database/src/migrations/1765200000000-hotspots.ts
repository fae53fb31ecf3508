import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hotspots (README, "Hotspots"): Getis–Ord Gi* per resolution-9 cell and window (a local day, or
 * an ISO week from its Monday, Europe/Paris), recomputed from `cell_tension` whole window by
 * whole window. Every cell of the window's study area has a row (the cells with a value and
 * their 1-rings); `spot` says whether Benjamini–Hochberg at `alpha` keeps it as hot or cold.
 */
export class Hotspots1765200000000 implements MigrationInterface {
  name = 'Hotspots1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hotspot (
        window_kind text NOT NULL CHECK (window_kind IN ('day', 'week')),
        window_start date NOT NULL,
        window_end date NOT NULL CHECK (window_end > window_start),
        cell text NOT NULL,
        resolution smallint NOT NULL CHECK (resolution BETWEEN 0 AND 15),
        value double precision NOT NULL CHECK (value >= 0),
        local_sum double precision NOT NULL,
        neighbours integer NOT NULL CHECK (neighbours BETWEEN 1 AND 7),
        z double precision NOT NULL,
        p double precision NOT NULL CHECK (p >= 0 AND p <= 1),
        q double precision NOT NULL CHECK (q >= 0 AND q <= 1),
        spot text NOT NULL CHECK (spot IN ('HOT', 'COLD', 'NONE')),
        alpha double precision NOT NULL CHECK (alpha > 0 AND alpha < 1),
        study_area integer NOT NULL CHECK (study_area >= 1),
        geom geometry(Polygon, 4326) NOT NULL,
        PRIMARY KEY (cell, window_kind, window_start)
      )`);
    await q.query(`CREATE INDEX hotspot_window ON hotspot (window_kind, window_start)`);
    await q.query(`CREATE INDEX hotspot_geom_gist ON hotspot USING gist (geom)`);
    await q.query(`
      CREATE VIEW v_hotspots AS
        SELECT window_kind, window_start, window_end, cell, resolution, value, z, p, q, spot,
               alpha, study_area, geom
          FROM hotspot`);
    await q.query(`GRANT SELECT ON v_hotspots TO cortege_analyst`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE ALL ON v_hotspots FROM cortege_analyst`);
    await q.query(`DROP VIEW IF EXISTS v_hotspots`);
    await q.query(`DROP TABLE IF EXISTS hotspot`);
  }
}
