import type { Position } from '@app/contracts';
import { areNeighborCells } from 'h3-js';
import { march, operation, rally } from '../test/kinded-events';
import { diskCover } from './disk-cover';
import { footprintCover } from './footprint-cover';
import { GeoErrorCode } from './geo.error';
import { locatorModel } from './locator.model';
import { presenceIntervals } from './presence';
import { routeCover } from './route-cover';
import { geoErrorOf } from '../test/geo-error-of';

const at = (lon: number, lat: number): Position => ({ lon, lat });
const MINUTE = 60_000;
const START = Date.parse('2026-05-01T08:30:00Z');
/** The Canebière from the Vieux-Port to the Réformés, ≈ 1.0 km. */
const LINE = [at(5.37428, 43.29548), at(5.3745, 43.2958), at(5.3795, 43.2972), at(5.3856, 43.2989)];

describe('presenceIntervals', () => {
  it('walks a march at 2 km/h when the schedule would need more, and drops what it cannot reach', () => {
    // ≈ 1 km in 20 min would need 3 km/h: the head walks at 2 km/h (33.3 m/min) and is ≈ 667 m
    // up the Canebière at the declared end. Column: 3,000 ÷ (2 × 15) = 100 m.
    const kinded = march({
      startAt: START,
      endAt: START + 20 * MINUTE,
      peopleExpected: 3000,
      peopleDeclared: null,
    });
    const presence = presenceIntervals(kinded, { type: 'route', line: LINE, source: 'drawn' });
    const cover = routeCover(LINE, 10);
    const msAt = (metres: number) => (metres / 2000) * 60 * MINUTE;
    const reached = cover.cells.filter((s) => msAt(s.enterMetres) < 20 * MINUTE);
    expect(reached.length).toBeLessThan(cover.cells.length);
    expect(presence.map((p) => p.cell)).toEqual(reached.map((s) => s.cell));
    expect(presence[0]).toEqual({
      cell: cover.cells[0]!.cell,
      startAt: START,
      endAt: START + Math.ceil(msAt(cover.cells[0]!.exitMetres + 100)),
    });
    const last = reached[reached.length - 1]!;
    expect(presence[presence.length - 1]).toEqual({
      cell: last.cell,
      startAt: START + Math.floor(msAt(last.enterMetres)),
      endAt: START + 20 * MINUTE,
    });
  });

  it('slows a march to length ÷ duration when the schedule asks it', () => {
    // ≈ 1 km in 2 h 30: 0.4 km/h, the head reaches the Réformés at the declared end.
    const kinded = march({
      startAt: START,
      endAt: START + 150 * MINUTE,
      peopleExpected: 0,
      peopleDeclared: 0,
    });
    const presence = presenceIntervals(kinded, { type: 'route', line: LINE, source: 'drawn' });
    const cover = routeCover(LINE, 10);
    const last = cover.cells[cover.cells.length - 1]!;
    const speed = cover.lengthMetres / (150 * MINUTE);
    expect(presence[presence.length - 1]).toEqual({
      cell: last.cell,
      startAt: START + Math.floor(last.enterMetres / speed),
      endAt: START + 150 * MINUTE,
    });
  });

  it('keeps a rally, an operation and every cell of theirs for the whole interval', () => {
    const kinded = rally();
    const { startAt, endAt } = kinded.event;
    const polygon = kinded.event.footprint!;
    const presence = presenceIntervals(kinded, { type: 'footprint', polygon, source: 'drawn' });
    expect(presence).toEqual(footprintCover(polygon, 10).map((cell) => ({ cell, startAt, endAt })));

    const op = operation();
    const points = [at(5.3804935, 43.3027624), at(5.3808, 43.29956)];
    const opPresence = presenceIntervals(op, {
      type: 'points',
      points,
      radiusMetres: 150,
      source: 'geocoded',
    });
    const union = new Set([...diskCover(points[0]!, 150), ...diskCover(points[1]!, 150)]);
    expect(opPresence.map((p) => p.cell)).toEqual([...union].sort());
    expect(
      opPresence.every((p) => p.startAt === op.event.startAt && p.endAt === op.event.endAt),
    ).toBe(true);
  });

  it('covers at the model’s resolution', () => {
    const kinded = march({ startAt: START, endAt: START + 60 * MINUTE });
    const coarse = presenceIntervals(
      kinded,
      { type: 'route', line: LINE, source: 'drawn' },
      locatorModel({ resolution: 8, regionResolution: 5 }),
    );
    expect(coarse.map((p) => p.cell)).toEqual(routeCover(LINE, 8).cells.map((s) => s.cell));
    for (let i = 1; i < coarse.length; i++)
      expect(areNeighborCells(coarse[i - 1]!.cell, coarse[i]!.cell)).toBe(true);
  });

  it('throws GeoError(invalid_interval) for an event that does not end after it starts', () => {
    expect(
      geoErrorOf(() =>
        presenceIntervals(march({ startAt: START, endAt: START }), {
          type: 'route',
          line: LINE,
          source: 'drawn',
        }),
      ),
    ).toMatchObject({ code: GeoErrorCode.InvalidInterval });
  });
});
