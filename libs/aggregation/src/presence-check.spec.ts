import { DEFAULT_TENSION_MODEL } from '@app/tension';
import { areaCells, cancelRecords, MARSEILLE, presenceRecords } from '@app/testing';
import { presenceProblem } from './presence-check';

const [valid] = presenceRecords({
  eventId: '00000000-0000-4000-8000-0000000000c1',
  revision: 1,
  kind: 'OFFICIAL_VISIT',
  startAt: 0,
  endAt: 3_600_000,
  cells: areaCells(MARSEILLE.hotelDeVille, 1, 0, 3_600_000),
});
const record = valid as NonNullable<typeof valid>;
const problemOf = (changes: object) =>
  presenceProblem({ ...record, ...changes }, DEFAULT_TENSION_MODEL)?.message;

describe('presenceProblem (what the aggregator dead-letters instead of failing a batch)', () => {
  it('accepts what the locator writes, cancels included', () => {
    expect(presenceProblem(record, DEFAULT_TENSION_MODEL)).toBeUndefined();
    const [cancel] = cancelRecords(record.eventId, 2, [record.region]);
    // A region the new revision left: an UPSERT without cells nor attributes.
    expect(problemOf({ ...cancel, action: 'UPSERT' })).toBeUndefined();
    expect(
      presenceProblem(cancel as NonNullable<typeof cancel>, DEFAULT_TENSION_MODEL),
    ).toBeUndefined();
  });

  it('names every field that is wrong', () => {
    expect(problemOf({ kind: null, geometry: 'POINT(5 43)' })).toMatch(
      /kind is required for an UPSERT; geometry must be a GeoJSON geometry/,
    );
    // `event` has a typed column for each shape the locator draws, and for no other.
    expect(
      problemOf({
        geometry: JSON.stringify({
          type: 'MultiLineString',
          coordinates: [
            [
              [5.37, 43.29],
              [5.38, 43.3],
            ],
          ],
        }),
      }),
    ).toMatch(/geometry must be a GeoJSON geometry of type LineString, Polygon, Point, MultiPoint/);
    expect(problemOf({ endAt: 0 })).toMatch(
      /startAt and endAt are required for an UPSERT, end after start/,
    );
    expect(problemOf({ peopleDeclared: -3 })).toMatch(
      /peopleDeclared must be null or an integer ≥ 0/,
    );
    expect(
      problemOf({
        cells: [
          { cell: '8539686bfffffff', startAt: 0, endAt: 1 },
          { ...record.cells[0], endAt: -1 },
        ],
      }),
    ).toMatch(
      /cells\[0\]\.cell must be an H3 cell at resolution ≥ 10; cells\[1\] must end after it starts/,
    );
    expect(problemOf({ action: 'CANCEL' })).toMatch(/a CANCEL carries no cells/);
  });
});
