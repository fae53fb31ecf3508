import { cellToParent, getResolution, latLngToCell } from 'h3-js';
import { march, rally, visit } from '../test/kinded-events';
import { GeoErrorCode } from './geo.error';
import { locateEvent, regionOf } from './locate-event';
import { locatorModel } from './locator.model';
import { geoErrorOf } from '../test/geo-error-of';

describe('locateEvent', () => {
  it('places a drawn march and times its cells within its interval', () => {
    const kinded = march();
    const located = locateEvent(kinded, []);
    if (located.geocodeQuality === 'none') throw new Error('placed');
    expect(located.geocodeQuality).toBe('exact');
    expect(located.resolution).toBe(10);
    expect(located.geometry.geometry.type).toBe('LineString');
    // ≈ 1.4 km of the Vieux-Port, the Canebière and the Réformés: about a dozen res-10 cells.
    expect(located.presence.length).toBeGreaterThanOrEqual(10);
    expect(located.presence.length).toBeLessThanOrEqual(25);
    for (const p of located.presence) {
      expect(p.startAt).toBeGreaterThanOrEqual(kinded.event.startAt);
      expect(p.endAt).toBeLessThanOrEqual(kinded.event.endAt);
      expect(p.startAt).toBeLessThan(p.endAt);
    }
  });

  it('places a visit at the model’s radius and resolution', () => {
    const located = locateEvent(
      visit(),
      [{ lon: 5.3698419, lat: 43.2965339 }],
      locatorModel({ resolution: 9, visitRadiusMetres: 50 }),
    );
    if (located.geocodeQuality === 'none') throw new Error('placed');
    expect(located.resolution).toBe(9);
    expect(located.geometry.properties.radiusMetres).toBe(50);
    expect(located.presence.map((p) => getResolution(p.cell))).toEqual(
      located.presence.map(() => 9),
    );
    expect(located.presence.map((p) => p.cell)).toContain(latLngToCell(43.2965339, 5.3698419, 9));
  });

  it('returns `none` with the addresses when nothing resolves', () => {
    expect(locateEvent(rally({ footprint: null }), [null])).toEqual({
      geocodeQuality: 'none',
      unresolved: ['Place Félix Baret, 13006 Marseille'],
    });
  });
});

describe('regionOf', () => {
  const cell = latLngToCell(43.2965339, 5.3698419, 10);

  it('is the res-7 parent by default, or the one asked for', () => {
    expect(regionOf(cell)).toBe(cellToParent(cell, 7));
    expect(regionOf(cell)).toBe('873968152ffffff');
    expect(regionOf(cell, 5)).toBe('85396817fffffff');
    expect(regionOf(cell, 10)).toBe(cell);
  });

  it('throws GeoError on a finer region, a bad resolution or a bad cell', () => {
    expect(geoErrorOf(() => regionOf(cell, 11))).toMatchObject({
      code: GeoErrorCode.InvalidResolution,
    });
    expect(geoErrorOf(() => regionOf(cell, -1))).toMatchObject({
      code: GeoErrorCode.InvalidResolution,
    });
    expect(geoErrorOf(() => regionOf('not-a-cell'))).toMatchObject({
      code: GeoErrorCode.InvalidCell,
    });
  });
});
