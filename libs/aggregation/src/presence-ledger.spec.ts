import { cancelRecords, presenceRecords } from '@app/testing';
import { PresenceLedger } from './presence-ledger';

const A = '00000000-0000-4000-8000-00000000000a';
const CELL = '8a3969a40067fff';
const OTHER_REGION_CELL = '8a3969a6a2d7fff';

const upsert = (revision: number, peopleDeclared: number, cells = [CELL]) =>
  presenceRecords({
    eventId: A,
    revision,
    kind: 'STATIC_DEMONSTRATION',
    peopleDeclared,
    startAt: 0,
    endAt: 3_600_000,
    cells: cells.map((cell) => ({ cell, startAt: 0, endAt: 3_600_000 })),
    regionResolution: 6,
  });

describe('PresenceLedger', () => {
  it('keeps the newest revision per region and ignores a late older one', () => {
    const ledger = new PresenceLedger();
    expect(upsert(2, 500).map((r) => ledger.apply(r))).toEqual([true]);
    expect(upsert(1, 100).map((r) => ledger.apply(r))).toEqual([false]);
    expect(ledger.events()).toMatchObject([{ eventId: A, peopleDeclared: 500 }]);
  });

  it('takes the attributes of the newest revision across regions', () => {
    const ledger = new PresenceLedger();
    const [inFirst, inSecond] = upsert(1, 100, [CELL, OTHER_REGION_CELL]);
    ledger.apply(inFirst!);
    ledger.apply(inSecond!);
    const [moved] = upsert(2, 900, [OTHER_REGION_CELL]);
    ledger.apply(moved!);
    const [event] = ledger.events();
    expect(event?.peopleDeclared).toBe(900);
    expect(event?.cells.map((c) => c.cell).sort()).toEqual([CELL, OTHER_REGION_CELL].sort());
  });

  it('forgets a cancelled event', () => {
    const ledger = new PresenceLedger();
    for (const r of upsert(1, 100)) ledger.apply(r);
    for (const r of cancelRecords(
      A,
      2,
      upsert(1, 100).map((r) => r.region),
    ))
      ledger.apply(r);
    expect(ledger.events()).toEqual([]);
  });
});
