import { carsOf, crowdOf } from './event-counts';

describe('crowdOf and carsOf', () => {
  it('count the larger of expected and declared, 0 when unknown', () => {
    expect(crowdOf({ peopleExpected: 4000, peopleDeclared: 3500 })).toBe(4000);
    expect(crowdOf({ peopleExpected: null, peopleDeclared: 120 })).toBe(120);
    expect(crowdOf({ peopleExpected: null, peopleDeclared: null })).toBe(0);
    expect(crowdOf({})).toBe(0);
    expect(carsOf({ carsExpected: 3, carsDeclared: 12 })).toBe(12);
    expect(carsOf({ carsExpected: null, carsDeclared: undefined })).toBe(0);
  });
});
