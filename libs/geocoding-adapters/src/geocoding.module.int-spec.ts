import 'reflect-metadata';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';
import { APP_CONFIG, loadConfig, type AppConfig } from '@app/config';
import { CachingGeocoder, GEOCODER, type Geocoder } from '@app/geocoding';
import { createTestDatabase, waitFor, type TestDatabase } from '@app/testing';
import { importBanAddresses } from './gazetteer.importer';
import { GEOCODING_POOL, GeocodingModule, type GeocodingPool } from './geocoding.module';

describe('GeocodingModule', () => {
  let db: TestDatabase;
  let config: AppConfig;

  beforeAll(async () => {
    const base = loadConfig();
    db = await createTestDatabase(base);
    config = { ...base, database: { ...base.database, url: db.url } };
  });

  afterAll(() => db?.drop());

  it('provides GEOCODER from the configuration: the gazetteer behind the PostGIS cache', async () => {
    @Global()
    @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
    class TestConfigModule {}

    @Module({ imports: [TestConfigModule, GeocodingModule.forRoot()] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const geocoder = app.get<Geocoder>(GEOCODER);
      expect(geocoder).toBeInstanceOf(CachingGeocoder);
      // ready() creates the tables (building the module touched no database); an import fills them.
      await app.get<GeocodingPool>(GEOCODING_POOL).ready();
      const pool = new Pool({ connectionString: db.url });
      try {
        await importBanAddresses(pool, join(__dirname, '..', 'data', 'adresses-13-extract.csv'));
      } finally {
        await pool.end();
      }
      expect((await geocoder.geocode('58 crs belsunce'))?.label).toBe(
        '58 Cours Belsunce 13001 Marseille',
      );
    } finally {
      await app.close();
    }
    // Its pool was ended on shutdown: no session of the module is left on the database.
    const admin = new Pool({ connectionString: loadConfig().database.url, max: 1 });
    try {
      const sessions = await waitFor(
        'the module’s sessions to end',
        async () => {
          const { rows } = await admin.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [db.name],
          );
          return rows[0]!.n === 0 ? 0 : undefined;
        },
        { timeoutMs: 5000 },
      );
      expect(sessions).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
