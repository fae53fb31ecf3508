-- Same databases and extensions as infra/local/src/postgres.service.ts (bootstrap).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE DATABASE cortege_template OWNER cortege;
\connect cortege_template
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
ALTER DATABASE cortege_template IS_TEMPLATE true;
-- The schema registry's own role and database (Apicurio's SQL storage).
CREATE ROLE cortege_registry LOGIN PASSWORD 'cortege_registry';
CREATE DATABASE cortege_registry OWNER cortege_registry;
REVOKE ALL ON DATABASE cortege_registry FROM PUBLIC;
