import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { GazetteerGeocoder } from '@app/geocoding-adapters';
import { createGazetteerDatabase, type TestDatabase } from '@app/testing';
import { loadVocabulary } from './chaos-input';
import { NOWHERE_ADDRESSES } from './malformed-records';

const config = loadConfig();

describe('the chaos input’s places, through the PostGIS gazetteer the locator uses', () => {
  let db: TestDatabase;
  let pool: Pool;
  let geocoder: GazetteerGeocoder;

  beforeAll(async () => {
    db = await createGazetteerDatabase(config);
    pool = new Pool({ connectionString: db.url, max: 2 });
    geocoder = new GazetteerGeocoder(pool, { minSimilarity: config.geocoding.minSimilarity });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('resolves every address and place a valid submission may name (none is dead-lettered)', async () => {
    const { addresses, places } = loadVocabulary();
    const unresolved: string[] = [];
    for (const { text } of [...addresses, ...places])
      if ((await geocoder.geocode(text)) === null) unresolved.push(text);
    expect(unresolved).toEqual([]);
  });

  it('resolves none of the places of the geocode_not_found records', async () => {
    for (const text of NOWHERE_ADDRESSES) expect(await geocoder.geocode(text)).toBeNull();
  });
});
