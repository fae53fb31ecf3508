import { suppressSmallGroups, type StatsGroup } from './stats';

const group = (day: string, organiserStatus: string | null, events: number): StatsGroup => ({
  day,
  organiserStatus,
  events,
  people: events * 100,
});

describe('suppressSmallGroups', () => {
  it('returns breakdowns not by organiser status whole, however small', () => {
    const groups = [{ day: '2026-05-01', events: 1, people: 10 }];
    expect(suppressSmallGroups(groups, ['day'], 5)).toEqual({ groups, suppressed: 0 });
  });

  it('suppresses groups under k, and one more where a lone suppressed group could be subtracted', () => {
    const groups = [
      group('2026-05-01', 'UNION', 12),
      group('2026-05-01', 'POLITICAL_PARTY', 2),
      group('2026-05-01', 'ASSOCIATION', 7),
      group('2026-05-02', 'UNION', 3),
      group('2026-05-02', 'OTHER', 4),
      group('2026-05-03', 'UNION', 9),
    ];
    const { groups: out, suppressed } = suppressSmallGroups(groups, ['day', 'organiserStatus'], 5);
    expect(out).toEqual([
      group('2026-05-01', 'UNION', 12),
      { day: '2026-05-01', organiserStatus: 'POLITICAL_PARTY', suppressed: true },
      // The smallest visible group of the day goes too: day total − UNION would give it.
      { day: '2026-05-01', organiserStatus: 'ASSOCIATION', suppressed: true },
      { day: '2026-05-02', organiserStatus: 'UNION', suppressed: true },
      { day: '2026-05-02', organiserStatus: 'OTHER', suppressed: true },
      group('2026-05-03', 'UNION', 9),
    ]);
    expect(suppressed).toBe(4);
    // No suppressed group keeps a count.
    for (const g of out.filter((g) => g.suppressed))
      expect(Object.keys(g).sort()).toEqual(['day', 'organiserStatus', 'suppressed']);
  });

  it('keeps a group of exactly k', () => {
    const { suppressed } = suppressSmallGroups(
      [group('d', 'UNION', 5), group('d', 'OTHER', 6)],
      ['day', 'organiserStatus'],
      5,
    );
    expect(suppressed).toBe(0);
  });
});
