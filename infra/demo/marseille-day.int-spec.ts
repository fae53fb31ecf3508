import { latLngToCell } from 'h3-js';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { eventOf, parseSubmission, type Presence, type Submission } from '@app/contracts';
import { addressesOf, DEFAULT_LOCATOR_MODEL } from '@app/geo';
import type { GeocodeResult } from '@app/geocoding';
import { GazetteerGeocoder } from '@app/geocoding-adapters';
import { locateSubmission, type LocatedRecord } from '@app/location';
import { sanitize } from '@app/sanitization';
import {
  bucketMsOf,
  DEFAULT_TENSION_MODEL,
  kindsById,
  scoreCells,
  tensionZones,
  type LocatedEvent,
  type TensionZone,
} from '@app/tension';
import { createGazetteerDatabase, type TestDatabase } from '@app/testing';
import { demoEventId, marseilleDay } from './marseille-day';

const config = loadConfig();
const DAY = '2026-05-01';
const day = marseilleDay(DAY);
const BUCKET_MS = bucketMsOf(DEFAULT_TENSION_MODEL);
/** The Hôtel de Ville of the gazetteer (places.csv), WGS84. */
const HOTEL_DE_VILLE = { lon: 5.3698419, lat: 43.2965339 };

/** Contract check (what the ingest API applies to a POST body), then the sanitizer's rules. */
function clean(body: unknown): Submission {
  const parsed = parseSubmission(JSON.parse(JSON.stringify(body)));
  if (!parsed.ok) throw new Error(`contract: ${JSON.stringify(parsed.violations)}`);
  const result = sanitize(parsed.submission);
  if (result.outcome !== 'clean')
    throw new Error(`sanitizer: ${JSON.stringify(result.violations)}`);
  return result.submission;
}

/** The tension model's view of an event: every region's presence merged. */
function locatedEventOf(eventId: string, regions: readonly Presence[]): LocatedEvent {
  const first = regions[0] as Presence;
  return {
    eventId,
    kind: first.kind as NonNullable<Presence['kind']>,
    theme: first.theme,
    peopleExpected: first.peopleExpected,
    peopleDeclared: first.peopleDeclared,
    carsExpected: first.carsExpected,
    carsDeclared: first.carsDeclared,
    cells: regions.flatMap((r) => r.cells),
  };
}

describe('the demo day in Marseille, through the pipeline’s stages and the PostGIS gazetteer', () => {
  let db: TestDatabase;
  let pool: Pool;
  let geocoder: GazetteerGeocoder;
  /** eventId → region → the presence the aggregator would hold after every step. */
  const held = new Map<string, Map<string, Presence>>();
  let located: LocatedEvent[];
  let zones: TensionZone[];

  beforeAll(async () => {
    db = await createGazetteerDatabase(config);
    pool = new Pool({ connectionString: db.url, max: 4 });
    geocoder = new GazetteerGeocoder(pool, { minSimilarity: config.geocoding.minSimilarity });

    // As the locator stage and the aggregator would: each step in order, each revision replacing
    // the regions of the previous one, a cancel clearing them.
    const records = new Map<string, LocatedRecord>();
    for (const step of day.steps)
      for (const body of step.submissions) {
        const submission = clean(body);
        const outcome = await locateSubmission(
          submission,
          records.get(submission.eventId),
          geocoder,
          DEFAULT_LOCATOR_MODEL,
          0,
        );
        if (outcome.kind !== 'located')
          throw new Error(`${submission.eventId}: ${JSON.stringify(outcome)}`);
        records.set(submission.eventId, outcome.record);
        const regions = held.get(submission.eventId) ?? new Map<string, Presence>();
        for (const presence of outcome.presence)
          if (presence.cells.length === 0) regions.delete(presence.region);
          else regions.set(presence.region, presence);
        held.set(submission.eventId, regions);
      }
    located = [...held]
      .filter(([, regions]) => regions.size > 0)
      .map(([eventId, regions]) => locatedEventOf(eventId, [...regions.values()]));
    zones = tensionZones(
      scoreCells(located, DEFAULT_TENSION_MODEL),
      DEFAULT_TENSION_MODEL,
      kindsById(located),
    );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('passes every submission through the contract check and the sanitizer unchanged', () => {
    let count = 0;
    for (const step of day.steps)
      for (const body of step.submissions) {
        const parsed = parseSubmission(JSON.parse(JSON.stringify(body)));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) continue;
        const result = sanitize(parsed.submission);
        // Nothing scrubbed and nothing repaired: the demo's text names no one, its footprint is valid.
        expect(result).toEqual({
          outcome: 'clean',
          submission: parsed.submission,
          scrubCounts: {},
          repairs: [],
        });
        count += 1;
      }
    expect(count).toBe(12);
  });

  it('resolves every address of every revision with the gazetteer, in Marseille', async () => {
    const addresses = new Set<string>();
    for (const step of day.steps)
      for (const body of step.submissions) {
        const kinded = eventOf(clean(body));
        if (kinded) for (const address of addressesOf(kinded)) addresses.add(address);
      }
    const results = new Map<string, GeocodeResult | null>();
    for (const address of addresses) results.set(address, await geocoder.geocode(address));
    expect([...results].filter(([, r]) => r === null).map(([a]) => a)).toEqual([]);
    for (const result of results.values()) {
      expect(result?.position.lon).toBeGreaterThan(5.3);
      expect(result?.position.lon).toBeLessThan(5.5);
      expect(result?.position.lat).toBeGreaterThan(43.2);
      expect(result?.position.lat).toBeLessThan(43.4);
    }
    expect(addresses.size).toBe(13);
    // The union march gathers at the Hôtel de Ville's door: that is where the two events meet.
    expect(results.get('Quai du Port, devant l’Hôtel de Ville, 13002 Marseille')?.position).toEqual(
      HOTEL_DE_VILLE,
    );
  });

  it('locates the latest revision of every event not cancelled, every address found', () => {
    const latest = new Map(
      [...held].map(([eventId, regions]) => [eventId, [...regions.values()]] as const),
    );
    for (const event of day.events) {
      const regions = latest.get(event.eventId) ?? [];
      if (event.cancelled) {
        expect(regions).toEqual([]);
        continue;
      }
      expect(regions.length).toBeGreaterThan(0);
      for (const presence of regions) {
        expect(presence.revision).toBe(event.latestRevision);
        expect(presence.geocodeQuality).toBe('EXACT');
      }
    }
    const march = latest.get(day.firstMarchId)?.[0];
    expect([march?.peopleDeclared, march?.carsDeclared]).toEqual([3000, 3]);
    expect(located.map((e) => e.eventId).sort()).toEqual(
      day.events
        .filter((e) => !e.cancelled)
        .map((e) => e.eventId)
        .sort(),
    );
  });

  it('finds a zone of tension at resolution 10 holding the first march and the visit, during their overlap', () => {
    const { startAt, endAt } = day.marchVisitOverlap;
    const meeting = zones.filter(
      (z) =>
        z.resolution === 10 &&
        z.eventIds.includes(day.firstMarchId) &&
        z.eventIds.includes(day.officialVisitId) &&
        z.bucketStart >= startAt &&
        z.bucketStart + BUCKET_MS <= endAt,
    );
    expect(meeting.length).toBeGreaterThan(0);
    const first = meeting[0] as TensionZone;
    expect(first.bucketStart).toBe(startAt);
    expect(first.kinds).toEqual(expect.arrayContaining(['MOVING_DEMONSTRATION', 'OFFICIAL_VISIT']));
    expect(first.cells).toContain(latLngToCell(HOTEL_DE_VILLE.lat, HOTEL_DE_VILLE.lon, 10));
    expect(first.peakScore).toBeGreaterThanOrEqual(DEFAULT_TENSION_MODEL.zoneThreshold);
    // Before the march starts the visit alone (intensity 2) is far below the threshold.
    expect(
      zones.some((z) => z.eventIds.includes(day.officialVisitId) && z.bucketStart < startAt),
    ).toBe(false);
  });

  it('puts the cancelled rally in no zone, though it would have been in one had it gone ahead', async () => {
    const cancelled = day.events.filter((e) => e.cancelled).map((e) => e.eventId);
    expect(cancelled).toEqual([demoEventId(DAY, 'castellane-rally')]);
    for (const zone of zones) for (const id of cancelled) expect(zone.eventIds).not.toContain(id);

    // Control: its last UPSERT, located and scored with the rest, does make a zone (with the
    // second march passing Castellane), so the assertion above is not vacuous.
    const lastUpsert = day.steps
      .flatMap((step) => step.submissions)
      .filter((s) => s.eventId === cancelled[0] && s.action === 'UPSERT')
      .pop();
    const outcome = await locateSubmission(
      clean(lastUpsert),
      undefined,
      geocoder,
      DEFAULT_LOCATOR_MODEL,
      0,
    );
    if (outcome.kind !== 'located') throw new Error(`not located: ${JSON.stringify(outcome)}`);
    const withRally = [...located, locatedEventOf(cancelled[0] as string, outcome.presence)];
    const zonesWithRally = tensionZones(
      scoreCells(withRally, DEFAULT_TENSION_MODEL),
      DEFAULT_TENSION_MODEL,
      kindsById(withRally),
    );
    expect(zonesWithRally.some((z) => z.eventIds.includes(cancelled[0] as string))).toBe(true);
  });
});
