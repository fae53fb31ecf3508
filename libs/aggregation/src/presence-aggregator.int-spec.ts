import type { Presence } from '@app/contracts';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import {
  DEFAULT_TENSION_MODEL,
  kindsById,
  scoreCells,
  tensionZones,
  type LocatedEvent,
} from '@app/tension';
import {
  areaCells,
  cancelRecords,
  createTestDatabase,
  syntheticCityDay,
  marchCells,
  MARSEILLE,
  presenceRecords,
  regionsOf,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import { Pool } from 'pg';
import { aggregateChecksum } from './aggregate-checksum';
import {
  PresenceAggregator,
  TENSION_CHANNEL,
  type PresenceInput,
  type TensionChange,
} from './presence-aggregator';
import { PresenceLedger } from './presence-ledger';

const config = loadConfig();
const model = DEFAULT_TENSION_MODEL;
const H = 3_600_000;
const DAY = Date.UTC(2026, 4, 1); // 1 May 2026, 00:00 UTC
const REGION_RES = 8; // finer than the locator's 5: each event spans several regions

const ids = {
  march: '00000000-0000-4000-8000-000000000001',
  visit: '00000000-0000-4000-8000-000000000002',
  flea: '00000000-0000-4000-8000-000000000003',
  second: '00000000-0000-4000-8000-000000000004',
};

/** A day with a march crossing a visit, a second march, and a flea market. */
const march = (revision: number, peopleDeclared: number | null = null) =>
  presenceRecords({
    eventId: ids.march,
    revision,
    kind: 'MOVING_DEMONSTRATION',
    peopleExpected: 2_000,
    peopleDeclared,
    startAt: DAY + 10 * H,
    endAt: DAY + 12 * H,
    cells: marchCells(MARSEILLE.vieuxPort, MARSEILLE.reformes, DAY + 10 * H, DAY + 12 * H),
    regionResolution: REGION_RES,
  });
const visit = (revision: number) =>
  presenceRecords({
    eventId: ids.visit,
    revision,
    kind: 'OFFICIAL_VISIT',
    peopleExpected: 50,
    startAt: DAY + 10 * H,
    endAt: DAY + 11 * H,
    cells: areaCells(MARSEILLE.vieuxPort, 2, DAY + 10 * H, DAY + 11 * H),
    regionResolution: REGION_RES,
  });
const flea = (revision: number) =>
  presenceRecords({
    eventId: ids.flea,
    revision,
    kind: 'SCHEDULED_OPERATION',
    theme: 'MARCHE_AUX_PUCES',
    peopleExpected: 5_000,
    startAt: DAY + 8 * H,
    endAt: DAY + 13 * H,
    cells: areaCells(MARSEILLE.arnavaux, 3, DAY + 8 * H, DAY + 13 * H),
    regionResolution: REGION_RES,
  });
/** The second march: rev 1 from Réformés to the Prado, rev 2 shorter (Réformés → Castellane). */
const secondCells = (revision: number) =>
  revision === 1
    ? marchCells(MARSEILLE.reformes, MARSEILLE.prado, DAY + 11 * H, DAY + 13 * H)
    : marchCells(MARSEILLE.reformes, MARSEILLE.castellane, DAY + 11 * H, DAY + 13 * H);
const second = (revision: number) =>
  presenceRecords({
    eventId: ids.second,
    revision,
    kind: 'MOVING_DEMONSTRATION',
    peopleExpected: 800,
    startAt: DAY + 11 * H,
    endAt: DAY + 13 * H,
    cells: secondCells(revision),
    regionResolution: REGION_RES,
    leftRegions:
      revision === 2
        ? regionsOf(secondCells(1), REGION_RES).filter(
            (r) => !regionsOf(secondCells(2), REGION_RES).includes(r),
          )
        : [],
  });

/** The model's answer on the final events alone: what the tables must hold. */
function expectedFrom(records: readonly Presence[]) {
  const events = new Map<string, LocatedEvent>();
  for (const r of records) {
    if (r.action !== 'UPSERT' || r.kind === null) continue;
    const known = events.get(r.eventId);
    events.set(r.eventId, {
      eventId: r.eventId,
      kind: r.kind,
      theme: r.theme,
      peopleExpected: r.peopleExpected,
      peopleDeclared: r.peopleDeclared,
      carsExpected: r.carsExpected,
      carsDeclared: r.carsDeclared,
      cells: [...(known?.cells ?? []), ...r.cells],
    });
  }
  const located = [...events.values()];
  const cells = scoreCells(located, model);
  return { cells, zones: tensionZones(cells, model, kindsById(located)) };
}

describe('PresenceAggregator against the real PostGIS', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  let offset = 0;

  async function fresh(): Promise<{ pool: Pool; aggregator: PresenceAggregator }> {
    const database = await createTestDatabase(config);
    databases.push(database);
    await migrate(database.url);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pools.push(pool);
    return { pool, aggregator: new PresenceAggregator(pool, model, 'test-aggregator') };
  }

  const inputs = (records: readonly Presence[], partition = 0): PresenceInput[] =>
    records.map((record) => ({
      topic: 'cortege.presence.v1',
      partition,
      offset: String(offset++),
      record,
    }));

  async function tables(pool: Pool) {
    const cells = await pool.query<{
      resolution: number;
      cell: string;
      bucket: string;
      load: number;
      conflict: number;
      score: number;
      event_ids: string[];
    }>(
      `SELECT resolution, cell, (extract(epoch FROM bucket_start) * 1000)::bigint::text AS bucket,
              load, conflict, score, event_ids
         FROM cell_tension ORDER BY resolution, cell, bucket_start`,
    );
    const zones = await pool.query<{
      resolution: number;
      bucket: string;
      cells: string[];
      peak_score: number;
      event_ids: string[];
      kinds: string[];
      valid: boolean;
    }>(
      `SELECT resolution, (extract(epoch FROM bucket_start) * 1000)::bigint::text AS bucket, cells,
              peak_score, event_ids, kinds, ST_IsValid(geom) AS valid
         FROM tension_zone ORDER BY resolution, bucket_start, cells[1]`,
    );
    return { cells: cells.rows, zones: zones.rows };
  }

  /** The tables equal the model run from scratch on the final events, row for row. */
  async function expectModelOf(pool: Pool, records: readonly Presence[]) {
    const expected = expectedFrom(records);
    const actual = await tables(pool);
    expect(actual.cells.length).toBe(expected.cells.length);
    expect(actual.cells).toEqual(
      expected.cells.map((r) => ({
        resolution: r.resolution,
        cell: r.cell,
        bucket: String(r.bucketStart),
        load: r.load,
        conflict: r.conflict,
        score: r.score,
        event_ids: r.eventIds,
      })),
    );
    expect(actual.zones).toEqual(
      expected.zones.map((z) => ({
        resolution: z.resolution,
        bucket: String(z.bucketStart),
        cells: z.cells,
        peak_score: z.peakScore,
        event_ids: z.eventIds,
        kinds: z.kinds,
        valid: true,
      })),
    );
    return expected;
  }

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('scores a march crossing an official visit at 10, 9 and 8, with a zone where they meet', async () => {
    const { pool, aggregator } = await fresh();
    const records = [...march(1), ...visit(1)];
    const outcome = await aggregator.applyBatch(inputs(records));
    expect(outcome).toMatchObject({ applied: records.length, stale: 0, replayed: 0 });
    const expected = await expectModelOf(pool, records);
    expect(new Set(expected.cells.map((r) => r.resolution))).toEqual(new Set([10, 9, 8]));
    const meeting = expected.zones.filter(
      (z) =>
        z.resolution === 10 && z.eventIds.includes(ids.march) && z.eventIds.includes(ids.visit),
    );
    expect(meeting.length).toBeGreaterThan(0);
    expect(
      meeting.every((z) => z.bucketStart >= DAY + 10 * H && z.bucketStart < DAY + 11 * H),
    ).toBe(true);
    const { rows } = await pool.query(`SELECT event_id, revision, kind FROM event ORDER BY 1`);
    expect(rows).toEqual([
      { event_id: ids.march, revision: 1, kind: 'MOVING_DEMONSTRATION' },
      { event_id: ids.visit, revision: 1, kind: 'OFFICIAL_VISIT' },
    ]);
  });

  it('replaces presence on a newer revision, ignores a late older one, and removes a cancelled event', async () => {
    const { pool, aggregator } = await fresh();
    await aggregator.applyBatch(inputs([...march(1), ...visit(1), ...second(1), ...flea(1)]));

    // A newer revision: higher declared count for the march, shorter route for the second,
    // which leaves regions (records without cells nor attributes, as the locator writes them).
    expect(second(2).filter((r) => r.cells.length === 0 && r.kind === null).length).toBeGreaterThan(
      0,
    );
    await aggregator.applyBatch(inputs([...march(2, 6_000), ...second(2)]));
    await expectModelOf(pool, [...march(2, 6_000), ...visit(1), ...second(2), ...flea(1)]);
    const regions = await pool.query<{ n: number }>(
      `SELECT count(DISTINCT region)::int AS n FROM event_presence WHERE event_id = $1`,
      [ids.second],
    );
    expect(regions.rows[0]?.n).toBe(regionsOf(secondCells(2), REGION_RES).length);

    // A late stale revision changes nothing.
    const before = await aggregateChecksum(pool);
    const late = await aggregator.applyBatch(inputs([...march(1), ...second(1)]));
    expect(late).toMatchObject({ applied: 0, stale: march(1).length + second(1).length });
    expect(await aggregateChecksum(pool)).toEqual(before);

    // The visit is cancelled: no event row, no presence, no score, no zone mentions it.
    await aggregator.applyBatch(
      inputs(
        cancelRecords(
          ids.visit,
          2,
          regionsOf(
            visit(1).flatMap((r) => r.cells),
            REGION_RES,
          ),
        ),
      ),
    );
    await expectModelOf(pool, [...march(2, 6_000), ...second(2), ...flea(1)]);
    const left = await pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM event WHERE event_id = $1)
            + (SELECT count(*) FROM event_presence WHERE event_id = $1)
            + (SELECT count(*) FROM cell_tension WHERE $1 = ANY(event_ids))
            + (SELECT count(*) FROM tension_zone WHERE $1 = ANY(event_ids)) AS n`,
      [ids.visit],
    );
    expect(Number(left.rows[0]?.n)).toBe(0);
    const { rows } = await pool.query(`SELECT event_id, revision FROM event ORDER BY 1`);
    expect(rows).toEqual([
      { event_id: ids.march, revision: 2 },
      { event_id: ids.flea, revision: 1 },
      { event_id: ids.second, revision: 2 },
    ]);
  });

  it('stores each event with its scrubbed text, its four counts and its geometry in the view of its shape; a newer revision replaces them, a cancel deletes them', async () => {
    const { pool, aggregator } = await fresh();
    const shaped = (records: Presence[], geometry: object) =>
      records.map((r) => (r.kind === null ? r : { ...r, geometry: JSON.stringify(geometry) }));
    const route = {
      type: 'LineString',
      coordinates: [
        [5.3745, 43.2951],
        [5.3853, 43.2998],
      ],
    };
    const footprint = {
      type: 'Polygon',
      coordinates: [
        [
          [5.3792, 43.2904],
          [5.3802, 43.2904],
          [5.3802, 43.2912],
          [5.3792, 43.2904],
        ],
      ],
    };
    const marchOf = (revision: number, subject: string, description: string | null) =>
      shaped(
        presenceRecords({
          eventId: ids.march,
          revision,
          kind: 'MOVING_DEMONSTRATION',
          subject,
          description,
          peopleExpected: 2_000,
          peopleDeclared: revision === 1 ? null : 6_000,
          carsExpected: 2,
          carsDeclared: 1,
          startAt: DAY + 10 * H,
          endAt: DAY + 12 * H,
          cells: marchCells(MARSEILLE.vieuxPort, MARSEILLE.reformes, DAY + 10 * H, DAY + 12 * H),
          regionResolution: REGION_RES,
        }),
        route,
      );
    const rally = shaped(
      presenceRecords({
        eventId: ids.second,
        revision: 1,
        kind: 'STATIC_DEMONSTRATION',
        subject: 'Rassemblement devant la Préfecture, contact [PHONE]',
        peopleExpected: 300,
        startAt: DAY + 14 * H,
        endAt: DAY + 16 * H,
        cells: areaCells(MARSEILLE.castellane, 1, DAY + 14 * H, DAY + 16 * H),
        regionResolution: REGION_RES,
      }),
      footprint,
    );
    const first = marchOf(1, 'Marche pour les salaires', 'Départ quai du Port, sono [PLATE]');
    expect(
      regionsOf(
        first.flatMap((r) => r.cells),
        REGION_RES,
      ).length,
    ).toBeGreaterThan(1);
    await aggregator.applyBatch(inputs([...first, ...visit(1), ...rally]));

    const read = async () => ({
      routes: (
        await pool.query(
          `SELECT event_id, revision, kind, subject, description, people_expected, people_declared,
                  people, cars_expected, cars_declared, cars, ST_AsText(geom) AS wkt
             FROM v_event_routes ORDER BY event_id`,
        )
      ).rows,
      footprints: (
        await pool.query(
          `SELECT event_id, subject, description, people_expected, people_declared, people,
                  ST_NPoints(geom) AS points
             FROM v_event_footprints ORDER BY event_id`,
        )
      ).rows,
      points: (
        await pool.query(
          `SELECT event_id, kind, subject, ST_AsText(geom) AS wkt FROM v_event_points ORDER BY event_id`,
        )
      ).rows,
      shapes: (await pool.query(`SELECT event_id, shape FROM v_events ORDER BY event_id`)).rows,
    });
    const marchRow = {
      event_id: ids.march,
      kind: 'MOVING_DEMONSTRATION',
      people_expected: 2_000,
      cars_expected: 2,
      cars_declared: 1,
      cars: 2,
      wkt: 'LINESTRING(5.3745 43.2951,5.3853 43.2998)',
    };
    expect(await read()).toEqual({
      routes: [
        {
          ...marchRow,
          revision: 1,
          subject: 'Marche pour les salaires',
          description: 'Départ quai du Port, sono [PLATE]',
          people_declared: null,
          people: 2_000,
        },
      ],
      footprints: [
        {
          event_id: ids.second,
          subject: 'Rassemblement devant la Préfecture, contact [PHONE]',
          description: null,
          people_expected: 300,
          people_declared: null,
          people: 300,
          points: 4,
        },
      ],
      points: [
        {
          event_id: ids.visit,
          kind: 'OFFICIAL_VISIT',
          subject: null,
          wkt: 'MULTIPOINT((5.3745 43.2951))',
        },
      ],
      shapes: [
        { event_id: ids.march, shape: 'route' },
        { event_id: ids.visit, shape: 'points' },
        { event_id: ids.second, shape: 'footprint' },
      ],
    });

    // Revision 2 of the march: new text, a declared count; then the rally is cancelled and a
    // late revision 1 of the march arrives, which changes nothing.
    await aggregator.applyBatch(
      inputs(marchOf(2, 'Marche pour les salaires (parcours modifié)', null)),
    );
    await aggregator.applyBatch(
      inputs(
        cancelRecords(
          ids.second,
          2,
          regionsOf(
            rally.flatMap((r) => r.cells),
            REGION_RES,
          ),
        ),
      ),
    );
    await aggregator.applyBatch(inputs(first));
    const after = await read();
    expect(after.routes).toEqual([
      {
        ...marchRow,
        revision: 2,
        subject: 'Marche pour les salaires (parcours modifié)',
        description: null,
        people_declared: 6_000,
        people: 6_000,
      },
    ]);
    expect(after.footprints).toEqual([]);
    expect(after.shapes).toEqual([
      { event_id: ids.march, shape: 'route' },
      { event_id: ids.visit, shape: 'points' },
    ]);
  });

  it('keeps a flea market crossing a march below a clash: its pair weight is the theme override', async () => {
    const { pool, aggregator } = await fresh();
    const crossing = presenceRecords({
      eventId: ids.second,
      revision: 1,
      kind: 'MOVING_DEMONSTRATION',
      peopleExpected: 800,
      startAt: DAY + 9 * H,
      endAt: DAY + 10 * H,
      cells: marchCells(MARSEILLE.saintCharles, MARSEILLE.arnavaux, DAY + 9 * H, DAY + 10 * H),
    });
    await aggregator.applyBatch(inputs([...flea(1), ...crossing]));
    const expected = await expectModelOf(pool, [...flea(1), ...crossing]);
    const shared = expected.cells.filter((r) => r.eventIds.length === 2 && r.conflict > 0);
    expect(shared.length).toBeGreaterThan(0);
    // conflict = 0.1 × min intensity × overlap: at most a tenth of the smaller intensity.
    for (const row of shared)
      expect(row.conflict).toBeLessThanOrEqual(0.1 * 3 * (1 + Math.log10(9)) + 1e-9);
  });

  it('ignores what was already applied when read again from before the stored position', async () => {
    const { pool, aggregator } = await fresh();
    const batch = inputs([...march(1), ...visit(1)]);
    await aggregator.applyBatch(batch);
    const before = await aggregateChecksum(pool);
    const again = await aggregator.applyBatch(batch);
    expect(again).toMatchObject({ applied: 0, stale: 0, replayed: batch.length });
    expect(await aggregateChecksum(pool)).toEqual(before);
    expect(await aggregator.storedPositions('cortege.presence.v1')).toEqual(
      new Map([[0, String(Number(batch[batch.length - 1]?.offset) + 1)]]),
    );
  });

  it('announces each committed batch that changed something on the tension channel, never a replay', async () => {
    const { pool, aggregator } = await fresh();
    const listener = await pool.connect();
    const heard: TensionChange[] = [];
    try {
      listener.on('notification', (message) => {
        if (message.channel === TENSION_CHANNEL)
          heard.push(JSON.parse(message.payload ?? '{}') as TensionChange);
      });
      await listener.query(`LISTEN ${TENSION_CHANNEL}`);
      const batch = inputs([...march(1), ...visit(1)]);
      const first = await aggregator.applyBatch(batch);
      await waitFor('the first announcement', () => (heard.length >= 1 ? true : undefined));
      expect(heard[0]).toEqual({
        events: first.applied,
        cellRows: first.cellRows,
        zones: first.zones,
      });
      await aggregator.applyBatch(batch);
      // The replay changed nothing, so the next announcement heard is the next change's.
      await aggregator.applyBatch(inputs(visit(2)));
      await waitFor('the second announcement', () => (heard.length >= 2 ? true : undefined));
      expect(heard).toHaveLength(2);
      expect(heard[1]?.events).toBe(visit(2).length);
    } finally {
      await listener.query(`UNLISTEN *`).catch(() => undefined);
      listener.release();
    }
  });

  it('gives the same checksum whatever the order, the batch sizes and the locator clock', async () => {
    const history = [
      ...march(1),
      ...visit(1),
      ...second(1),
      ...flea(1),
      ...march(2, 6_000),
      ...second(2),
      ...cancelRecords(
        ids.flea,
        2,
        regionsOf(
          flea(1).flatMap((r) => r.cells),
          REGION_RES,
        ),
      ),
      ...march(3, 9_000),
    ];
    const shuffled = (seed: number) => {
      const copy = [...history];
      let s = seed;
      for (let i = copy.length - 1; i > 0; i -= 1) {
        s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
        const j = s % (i + 1);
        [copy[i], copy[j]] = [copy[j] as Presence, copy[i] as Presence];
      }
      return copy;
    };
    // Each run's locator stamped the records at other times (`locatedAt`, its clock).
    const locatedLater = (records: Presence[], ms: number) =>
      records.map((r) => ({ ...r, locatedAt: r.locatedAt + ms }));
    const runs = [
      { order: history, batch: history.length, bulk: false },
      { order: locatedLater([...history].reverse(), H), batch: 1, bulk: false },
      { order: locatedLater(shuffled(42), 7 * 24 * H + 1), batch: 7, bulk: false },
      // A rebuild's load: one batch into empty tables, built in memory.
      { order: shuffled(7), batch: history.length, bulk: true },
    ];
    const digests: string[] = [];
    for (const run of runs) {
      const { pool, aggregator } = await fresh();
      for (let i = 0; i < run.order.length; i += run.batch)
        await aggregator.applyBatch(inputs(run.order.slice(i, i + run.batch)), [], {
          bulk: run.bulk,
        });
      const expected = await expectModelOf(pool, [...march(3, 9_000), ...visit(1), ...second(2)]);
      // `cortege score`'s in-memory rules over the same history give the same rows.
      const ledger = new PresenceLedger();
      for (const record of run.order) ledger.apply(record);
      expect(scoreCells(ledger.events(), model)).toEqual(expected.cells);
      digests.push((await aggregateChecksum(pool)).digest);
    }
    expect(new Set(digests).size).toBe(1);
  });

  it('loads a season into empty tables in one bulk batch exactly as batches of 100 apply it', async () => {
    // 400 events over 10 days: revised, cancelled, crowded in the centre.
    const season = syntheticCityDay(400, 5, Date.UTC(2026, 4, 1), 5, 10);
    const incremental = await fresh();
    for (let i = 0; i < season.length; i += 100)
      await incremental.aggregator.applyBatch(inputs(season.slice(i, i + 100)));
    const bulk = await fresh();
    const outcome = await bulk.aggregator.applyBatch(inputs(season), [], { bulk: true });
    expect(outcome.cellRows).toBeGreaterThan(1000);
    const [a, b] = [await aggregateChecksum(incremental.pool), await aggregateChecksum(bulk.pool)];
    expect(b.tables.tension_zone!.rows).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('lets two instances on distant parts of the city commit while the other holds its batch open, and makes instances that share an area wait, with the checksum of one instance', async () => {
    const single = await fresh();
    const all = [...march(1), ...visit(1), ...flea(1), ...second(1)];
    await single.aggregator.applyBatch(inputs(all));

    const { pool } = await fresh();
    const other = new Pool({ connectionString: databases[databases.length - 1]!.url, max: 2 });
    pools.push(other);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    // Instance A holds its first batch (the centre: the march and the visit) open once locked.
    const a = new PresenceAggregator(pool, model, 'test-aggregator', {
      whileLocked: () => (held++ === 0 ? gate : Promise.resolve()),
    });
    const b = new PresenceAggregator(other, model, 'test-aggregator');
    const first = a.applyBatch(inputs([...march(1), ...visit(1)], 0));
    try {
      await waitFor('instance A to hold its batch open', () => (held > 0 ? true : undefined));
      // The flea market, kilometres north, on another partition: B commits meanwhile.
      await b.applyBatch(inputs(flea(1), 1));
      const { rows } = await other.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM event_presence WHERE event_id = $1`,
        [ids.flea],
      );
      expect(rows[0]?.n).toBeGreaterThan(0);
      // The second march starts where the first ends: B waits for A's areas.
      const overlapping = b.applyBatch(inputs(second(1), 1));
      await waitFor('instance B to wait for an area A holds', async () => {
        const { rows: waiting } = await other.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND database =
                  (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return (waiting[0]?.n ?? 0) > 0 ? true : undefined;
      });
      const { rows: before } = await other.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM event_presence WHERE event_id = $1`,
        [ids.second],
      );
      expect(before[0]?.n).toBe(0);
      release();
      await Promise.all([first, overlapping]);
    } finally {
      release();
      await first.catch(() => undefined);
    }
    expect(await aggregateChecksum(pool)).toEqual(await aggregateChecksum(single.pool));
    await expectModelOf(pool, all);
  });
});
