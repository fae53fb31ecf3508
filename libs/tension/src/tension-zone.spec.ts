import { gridDisk, latLngToCell } from 'h3-js';
import { scoreCells } from './cell-score';
import type { LocatedEvent } from './located-event';
import { tensionModel, DEFAULT_TENSION_MODEL } from './tension.model';
import { kindsById, tensionZones, zonePolygon, zoneSpan } from './tension-zone';

const MIN = 60_000;
const B0 = 1_749_999_600_000;
const B1 = B0 + 15 * MIN;

const X = latLngToCell(43.2965, 5.3698, 10);
const Y = gridDisk(X, 1)
  .filter((c) => c !== X)
  .sort()[0] as string;
/** La Rose, ~8 km from X. */
const Z = latLngToCell(43.3375, 5.4296, 10);

/** A march of 900 people: intensity 3 × (1 + log10(10)) = 6. */
const march = (eventId: string, cells: [string, number, number][]): LocatedEvent => ({
  eventId,
  kind: 'MOVING_DEMONSTRATION',
  theme: null,
  peopleExpected: 900,
  peopleDeclared: null,
  carsExpected: null,
  carsDeclared: null,
  cells: cells.map(([cell, startAt, endAt]) => ({ cell, startAt, endAt })),
});

const res10 = tensionModel({ resolutions: [10], zoneThreshold: 6 });

describe('tensionZones', () => {
  // a: X and Y for two buckets (load 6 each, alone so no conflict); b: Z in the second bucket only.
  const events = [
    march('a', [
      [X, B0, B1 + 15 * MIN],
      [Y, B0, B1 + 15 * MIN],
    ]),
    march('b', [[Z, B1, B1 + 15 * MIN]]),
  ];
  const rows = scoreCells(events, res10);

  it('finds two separate hot clusters as two zones', () => {
    const zones = tensionZones(rows, res10, kindsById(events)).filter((z) => z.bucketStart === B1);
    expect(zones).toEqual(
      [
        {
          resolution: 10,
          bucketStart: B1,
          cells: [X, Y].sort(),
          peakScore: 6,
          peakCell: [X, Y].sort()[0],
          eventIds: ['a'],
          kinds: ['MOVING_DEMONSTRATION'],
        },
        {
          resolution: 10,
          bucketStart: B1,
          cells: [Z],
          peakScore: 6,
          peakCell: Z,
          eventIds: ['b'],
          kinds: ['MOVING_DEMONSTRATION'],
        },
      ].sort((p, q) => (p.cells[0] as string).localeCompare(q.cells[0] as string)),
    );
  });

  it('finds no zone when the threshold is just above every score', () => {
    const above = tensionModel({ resolutions: [10], zoneThreshold: 6 + 1e-9 });
    expect(tensionZones(rows, above, kindsById(events))).toEqual([]);
  });

  it('makes a zone of a march meeting a visit at the default threshold', () => {
    // same cell X: load 6 × 0.5 + 2 = 5, conflict 3 × 2 × 0.5 = 3 → 8 ≥ 8; ring cells: 3 < 8
    const both = [
      march('m', [[X, B0 + 7.5 * MIN, B1]]),
      { ...march('v', [[X, B0, B1]]), kind: 'OFFICIAL_VISIT' as const, peopleExpected: null },
    ];
    const zones = tensionZones(scoreCells(both), DEFAULT_TENSION_MODEL, kindsById(both));
    expect(zones.filter((z) => z.resolution === 10)).toEqual([
      {
        resolution: 10,
        bucketStart: B0,
        cells: [X],
        peakScore: 8,
        peakCell: X,
        eventIds: ['m', 'v'],
        kinds: ['MOVING_DEMONSTRATION', 'OFFICIAL_VISIT'],
      },
    ]);
  });

  it('spans a zone over consecutive buckets', () => {
    const spans = zoneSpan(tensionZones(rows, res10, kindsById(events)), res10);
    expect(
      spans.map(({ startBucket, endBucket, cells, eventIds }) => ({
        startBucket,
        endBucket,
        cells,
        eventIds,
      })),
    ).toEqual([
      { startBucket: B0, endBucket: B1, cells: [X, Y].sort(), eventIds: ['a'] },
      { startBucket: B1, endBucket: B1, cells: [Z], eventIds: ['b'] },
    ]);
    expect(spans[0]?.zones).toHaveLength(2);
  });

  it('draws a zone as a [lon, lat] MultiPolygon', () => {
    const polygon = zonePolygon([X, Y, X]);
    expect(polygon.type).toBe('MultiPolygon');
    // two neighbours make one polygon with one closed outer ring of 10 vertices + closing point
    expect(polygon.coordinates).toHaveLength(1);
    const ring = polygon.coordinates[0]?.[0] ?? [];
    expect(ring).toHaveLength(11);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    const [lon, lat] = ring[0] as [number, number];
    expect(lon).toBeGreaterThan(5.36);
    expect(lon).toBeLessThan(5.38);
    expect(lat).toBeGreaterThan(43.29);
    expect(lat).toBeLessThan(43.3);
  });
});
