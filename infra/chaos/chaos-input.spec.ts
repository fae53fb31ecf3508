import { parseSubmission } from '@app/contracts';
import { sanitize } from '@app/sanitization';
import { chaosInput, loadVocabulary } from './chaos-input';

describe('chaosInput (the chaos run’s valid submissions)', () => {
  const input = chaosInput({ submissions: 3_000, seed: 7 });

  it('is deterministic for a seed and another seed gives other submissions', () => {
    expect(chaosInput({ submissions: 3_000, seed: 7 })).toEqual(input);
    expect(chaosInput({ submissions: 3_000, seed: 8 }).submissions[0]).not.toEqual(
      input.submissions[0],
    );
  });

  it('sends exactly the number asked, of the four kinds, with revisions, cancels, swaps and re-sends', () => {
    const { stats } = input;
    expect(input.submissions).toHaveLength(3_000);
    expect(Object.values(stats.byKind).every((n) => n > 100)).toBe(true);
    expect(stats.revisions).toBeGreaterThan(300);
    expect(stats.cancels).toBeGreaterThan(50);
    expect(stats.outOfOrder).toBeGreaterThan(20);
    expect(stats.resent).toBe(60);
    expect(stats.events).toBe(input.events.length);
  });

  it('expects each event at its highest revision, cancelled when that one is a CANCEL', () => {
    const highest = new Map<string, { revision: number; cancel: boolean }>();
    for (const s of input.submissions) {
      const known = highest.get(s.eventId);
      if (!known || s.revision > known.revision)
        highest.set(s.eventId, { revision: s.revision, cancel: s.action === 'CANCEL' });
    }
    expect(highest.size).toBe(input.events.length);
    for (const e of input.events)
      expect(highest.get(e.eventId)).toEqual({ revision: e.latestRevision, cancel: e.cancelled });
  });

  it('has some revisions arrive after a higher one of the same event', () => {
    const seen = new Map<string, number>();
    let late = 0;
    for (const s of input.submissions) {
      if ((seen.get(s.eventId) ?? 0) > s.revision) late += 1;
      seen.set(s.eventId, Math.max(seen.get(s.eventId) ?? 0, s.revision));
    }
    expect(late).toBeGreaterThanOrEqual(input.stats.outOfOrder);
  });

  it('gives the same content to every copy of an (eventId, revision), or the API would answer 409', () => {
    const byPair = new Map<string, string>();
    for (const s of input.submissions) {
      const pair = `${s.eventId}/${s.revision}`;
      const json = JSON.stringify(s);
      expect(byPair.get(pair) ?? json).toBe(json);
      byPair.set(pair, json);
    }
  });

  it('passes the contract (what the ingest API checks) and every rule of the sanitizer', () => {
    for (const s of input.submissions) {
      const parsed = parseSubmission(JSON.parse(JSON.stringify(s)));
      expect(parsed.ok ? [] : parsed.violations).toEqual([]);
      const result = sanitize(s);
      expect(result.outcome === 'rejected' ? result.violations : []).toEqual([]);
    }
  });

  it('draws routes from streets of at least three points of the extract', () => {
    const vocabulary = loadVocabulary();
    expect(vocabulary.streets.length).toBeGreaterThan(10);
    expect(vocabulary.places.length).toBe(50);
    expect(vocabulary.addresses.length).toBe(461);
  });
});
