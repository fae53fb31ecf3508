import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The geocoding tables: the gazetteer (addresses of the Base Adresse Nationale, the streets
 * derived from them, named places) and the cache of geocodes. Geometries are WGS84 points
 * (SRID 4326, `[lon, lat]`) with GiST indexes; names are matched with pg_trgm on their
 * normalised form (`normalizeName` in `@app/geocoding`), hence the trigram GIN indexes.
 *
 * Until this migration the locator created these tables itself when it started; `IF NOT
 * EXISTS` keeps the tables and rows such a database already has.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS gazetteer_address (
  id            text PRIMARY KEY,
  numero        integer NOT NULL CHECK (numero >= 0),
  rep           text,
  nom_voie      text NOT NULL,
  nom_voie_norm text NOT NULL,
  nom_voie_core text NOT NULL,
  code_postal   text NOT NULL,
  code_insee    text NOT NULL CHECK (code_insee BETWEEN '13201' AND '13216'),
  geom          geometry(Point, 4326) NOT NULL
);
CREATE INDEX IF NOT EXISTS gazetteer_address_geom_idx ON gazetteer_address USING gist (geom);
CREATE INDEX IF NOT EXISTS gazetteer_address_voie_trgm_idx
  ON gazetteer_address USING gin (nom_voie_norm gin_trgm_ops);
CREATE INDEX IF NOT EXISTS gazetteer_address_voie_numero_idx
  ON gazetteer_address (nom_voie_norm, numero);
COMMENT ON TABLE gazetteer_address IS
  'Numbered addresses of Marseille (INSEE 13201-13216) from a Base Adresse Nationale CSV';

CREATE TABLE IF NOT EXISTS gazetteer_street (
  nom_voie_norm text NOT NULL,
  code_insee    text NOT NULL,
  nom_voie      text NOT NULL,
  nom_voie_core text NOT NULL,
  code_postal   text NOT NULL,
  address_count integer NOT NULL,
  geom          geometry(Point, 4326) NOT NULL,
  PRIMARY KEY (nom_voie_norm, code_insee)
);
CREATE INDEX IF NOT EXISTS gazetteer_street_geom_idx ON gazetteer_street USING gist (geom);
CREATE INDEX IF NOT EXISTS gazetteer_street_norm_trgm_idx
  ON gazetteer_street USING gin (nom_voie_norm gin_trgm_ops);
CREATE INDEX IF NOT EXISTS gazetteer_street_core_trgm_idx
  ON gazetteer_street USING gin (nom_voie_core gin_trgm_ops);
COMMENT ON TABLE gazetteer_street IS
  'One row per street and arrondissement, rebuilt by each import: the address nearest the centroid';

CREATE TABLE IF NOT EXISTS gazetteer_place (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  name_norm    text NOT NULL,
  aliases      text[] NOT NULL DEFAULT '{}',
  aliases_norm text[] NOT NULL DEFAULT '{}',
  -- the distinctive words (coreName) of name_norm, then of each of aliases_norm, in that order
  names_core   text[] NOT NULL DEFAULT '{}',
  kind         text NOT NULL,
  code_insee   text NOT NULL CHECK (code_insee BETWEEN '13201' AND '13216'),
  source       text,
  geom         geometry(Point, 4326) NOT NULL
);
CREATE INDEX IF NOT EXISTS gazetteer_place_geom_idx ON gazetteer_place USING gist (geom);
CREATE INDEX IF NOT EXISTS gazetteer_place_name_trgm_idx
  ON gazetteer_place USING gin (name_norm gin_trgm_ops);
COMMENT ON TABLE gazetteer_place IS 'Named places of Marseille (landmarks, squares, quarters) with aliases';

CREATE TABLE IF NOT EXISTS geocode_cache (
  query_norm text PRIMARY KEY,
  found      boolean NOT NULL,
  result     jsonb,
  geom       geometry(Point, 4326),
  source     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (found = (result IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS geocode_cache_geom_idx ON geocode_cache USING gist (geom);
COMMENT ON TABLE geocode_cache IS
  'Geocodes by normalised address; replays read them and never call a geocoding service';
`;

export class GazetteerSchema1765000000000 implements MigrationInterface {
  name = 'GazetteerSchema1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP TABLE IF EXISTS geocode_cache, gazetteer_place, gazetteer_street, gazetteer_address',
    );
  }
}
