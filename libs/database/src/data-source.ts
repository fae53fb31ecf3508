import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TensionSchema1764300000000 } from './migrations/1764300000000-tension-schema';
import { AggregationLedger1764400000000 } from './migrations/1764400000000-aggregation-ledger';
import { EventTextAndTypedViews1764500000000 } from './migrations/1764500000000-event-text-and-typed-views';
import { AccessHabilitationAudit1764600000000 } from './migrations/1764600000000-access-habilitation-audit';
import { TileFunctions1764700000000 } from './migrations/1764700000000-tile-functions';
import { BaseMapTiles1764800000000 } from './migrations/1764800000000-base-map-tiles';
import { ZoneTileSpan1764900000000 } from './migrations/1764900000000-zone-tile-span';
import { GazetteerSchema1765000000000 } from './migrations/1765000000000-gazetteer-schema';
import { PresenceTimeIndex1765100000000 } from './migrations/1765100000000-presence-time-index';
import { Hotspots1765200000000 } from './migrations/1765200000000-hotspots';
import { IngestEventProducer1796613336638 } from './migrations/1796613336638-ingest-event-producer';
import { ConflictAlerts1796645000000 } from './migrations/1796645000000-conflict-alerts';
import { AlertPending1796655000000 } from './migrations/1796655000000-alert-pending';
import { WebhookDelivery1796650000000 } from './migrations/1796650000000-webhook-delivery';
import { SubmissionStatus1796660000000 } from './migrations/1796660000000-submission-status';
import { SubmissionStatusRegions1796670000000 } from './migrations/1796670000000-submission-status-regions';
import { SchemaChangeGate1796630000000 } from './migrations/1796630000000-schema-change-gate';

/** Every migration, in order. Schema changes go through these, never `synchronize`. */
export const MIGRATIONS = [
  TensionSchema1764300000000,
  AggregationLedger1764400000000,
  EventTextAndTypedViews1764500000000,
  AccessHabilitationAudit1764600000000,
  TileFunctions1764700000000,
  BaseMapTiles1764800000000,
  ZoneTileSpan1764900000000,
  GazetteerSchema1765000000000,
  PresenceTimeIndex1765100000000,
  Hotspots1765200000000,
  IngestEventProducer1796613336638,
  SchemaChangeGate1796630000000,
  ConflictAlerts1796645000000,
  WebhookDelivery1796650000000,
  AlertPending1796655000000,
  SubmissionStatus1796660000000,
  SubmissionStatusRegions1796670000000,
];

/** A TypeORM data source on `url` with the project's migrations (not yet initialised). */
export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    synchronize: false,
    logging: false,
  });
}

/**
 * Applies the pending migrations; returns the names applied. Processes that start together
 * (the locator and the aggregator both migrate before they consume) take turns: a session
 * advisory lock serialises them, and the second finds nothing left to apply.
 */
export async function migrate(url: string): Promise<string[]> {
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection lost meanwhile is also an 'error' event, fatal unheard; the queries reject.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext('cortege.migrations'))");
    const source = await createDataSource(url).initialize();
    try {
      return (await source.runMigrations({ transaction: 'each' })).map((m) => m.name);
    } finally {
      await source.destroy();
    }
  } finally {
    // Ending the session releases its lock.
    await lock.end().catch(() => undefined);
  }
}
