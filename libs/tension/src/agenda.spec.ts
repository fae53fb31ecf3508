import fc from 'fast-check';
import {
  agendaDays,
  ARRONDISSEMENTS,
  buildAgenda,
  isAgendaDay,
  tensionLevel,
  type AgendaObservation,
} from './agenda';
import { TensionError } from './tension.error';

describe('tensionLevel', () => {
  it('is 1 without tension, 6 at the reference, 10 only above 8 times it', () => {
    expect(tensionLevel(0, 8)).toBe(1);
    expect(tensionLevel(1e-9, 8)).toBe(2);
    expect(tensionLevel(8, 8)).toBe(6);
    expect(tensionLevel(64, 8)).toBe(9);
    expect(tensionLevel(64.001, 8)).toBe(10);
    expect(tensionLevel(1e12, 8)).toBe(10);
  });

  it('follows the published formula on the README example (a march and a visit, 15.7)', () => {
    // 1 + ⌈9 × 15.7 / 23.7⌉ = 1 + ⌈5.96⌉ = 7
    expect(tensionLevel(15.7, 8)).toBe(7);
  });

  it('never falls as the peak rises, and stays within 1–10', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0.01, max: 1e3, noNaN: true }),
        (a, b, reference) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const l = tensionLevel(low, reference);
          const h = tensionLevel(high, reference);
          return l >= 1 && h <= 10 && l <= h && Number.isInteger(l);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses a negative or non-finite peak and a reference ≤ 0, naming the value', () => {
    expect(() => tensionLevel(-1, 8)).toThrow(/peak score.*-1/);
    expect(() => tensionLevel(Number.NaN, 8)).toThrow(TensionError);
    expect(() => tensionLevel(1, 0)).toThrow(/reference.*0/);
  });
});

describe('agendaDays', () => {
  it('counts calendar days across a month, a year and a daylight-saving change', () => {
    expect(agendaDays('2026-10-24', 3)).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
    expect(agendaDays('2026-12-30', 4)).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
    expect(agendaDays('2028-02-28', 2)).toEqual(['2028-02-28', '2028-02-29']);
  });

  it('refuses a day that does not exist and a span out of 1–366', () => {
    expect(isAgendaDay('2026-02-30')).toBe(false);
    expect(() => agendaDays('2026-02-30', 3)).toThrow(/2026-02-30/);
    expect(() => agendaDays('07/12/2026', 3)).toThrow(/YYYY-MM-DD/);
    expect(() => agendaDays('2026-12-07', 0)).toThrow(/1 to 366 days, not 0/);
    expect(() => agendaDays('2026-12-07', 1.5)).toThrow(/1\.5/);
  });
});

describe('buildAgenda', () => {
  const march = { eventId: 'b0000000-0000-4000-8000-000000000002', kind: 'MOVING_DEMONSTRATION' };
  const visit = { eventId: 'a0000000-0000-4000-8000-000000000001', kind: 'OFFICIAL_VISIT' };
  const observations: AgendaObservation[] = [
    {
      day: '2026-12-08',
      arrondissement: 1,
      peakScore: 15.7,
      peakConflict: 6,
      events: [
        { ...march, inConflict: true },
        { ...visit, inConflict: true },
      ] as AgendaObservation['events'],
    },
    {
      day: '2026-12-07',
      arrondissement: 6,
      peakScore: 2,
      peakConflict: 0,
      events: [{ ...visit, inConflict: false }] as AgendaObservation['events'],
    },
    // outside the days asked, and no arrondissement of Marseille: left out
    { day: '2026-12-20', arrondissement: 3, peakScore: 50, peakConflict: 0, events: [] },
    { day: '2026-12-07', arrondissement: 17, peakScore: 50, peakConflict: 0, events: [] },
  ];

  it('has every day and arrondissement, in order, level 1 where nothing is declared', () => {
    const agenda = buildAgenda(observations, { from: '2026-12-07', days: 2, reference: 8 });
    expect(agenda).toHaveLength(2 * 16);
    expect(agenda.map((e) => `${e.day}/${e.arrondissement}`).slice(0, 3)).toEqual([
      '2026-12-07/1',
      '2026-12-07/2',
      '2026-12-07/3',
    ]);
    expect(
      agenda.filter((e) => e.level > 1).map((e) => [e.day, e.arrondissement, e.level]),
    ).toEqual([
      ['2026-12-07', 6, 3],
      ['2026-12-08', 1, 7],
    ]);
    const tense = agenda.find((e) => e.day === '2026-12-08' && e.arrondissement === 1);
    expect(tense).toMatchObject({ conflict: true, peakConflict: 6 });
    // events by id, whatever order they came in
    expect(tense?.events.map((e) => e.eventId)).toEqual([visit.eventId, march.eventId]);
    expect(ARRONDISSEMENTS).toHaveLength(16);
  });

  it('places each alert on its day and arrondissement, by id', () => {
    const alert = (alertId: string, day: string, arrondissement: number) => ({
      alertId,
      day,
      arrondissement,
      severity: 'HIGH' as const,
      rule: 'MOVING_DEMONSTRATION:OFFICIAL_VISIT',
    });
    const agenda = buildAgenda(observations, { from: '2026-12-07', days: 2, reference: 8 }, [
      alert('b:c', '2026-12-08', 1),
      alert('a:b', '2026-12-08', 1),
      alert('a:c', '2026-12-09', 1),
    ]);
    const tense = agenda.find((e) => e.day === '2026-12-08' && e.arrondissement === 1);
    expect(tense?.alerts.map((a) => a.alertId)).toEqual(['a:b', 'b:c']);
    expect(tense?.alerts[0]).toEqual({
      alertId: 'a:b',
      severity: 'HIGH',
      rule: 'MOVING_DEMONSTRATION:OFFICIAL_VISIT',
    });
    expect(agenda.filter((e) => e.alerts.length > 0)).toHaveLength(1);
  });

  it('gives the same agenda for the same observations in any order', () => {
    const once = buildAgenda(observations, { from: '2026-12-07', days: 30, reference: 8 });
    const again = buildAgenda([...observations].reverse(), {
      from: '2026-12-07',
      days: 30,
      reference: 8,
    });
    expect(again).toEqual(once);
  });
});
