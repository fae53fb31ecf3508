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
