import { RevisionGate } from './revision-gate';

describe('RevisionGate', () => {
  it('passes a newer revision, calls an equal one a duplicate and an older one stale', () => {
    const gate = new RevisionGate();
    expect(gate.verdict('e1', 2)).toBe('new');
    gate.stage('e1', 2);
    gate.commit();
    expect([gate.verdict('e1', 3), gate.verdict('e1', 2), gate.verdict('e1', 1)]).toEqual([
      'new',
      'duplicate',
      'stale',
    ]);
    expect(gate.verdict('e2', 1)).toBe('new');
  });

  it('sees staged revisions within a transaction and forgets them on rollback', () => {
    const gate = new RevisionGate();
    gate.remember('e1', 1);
    gate.stage('e1', 4);
    expect(gate.verdict('e1', 4)).toBe('duplicate');
    expect(gate.verdict('e1', 3)).toBe('stale');
    gate.rollback();
    expect(gate.verdict('e1', 3)).toBe('new');
    expect(gate.highest('e1')).toBe(1);
  });

  it('never lowers a revision', () => {
    const gate = new RevisionGate();
    gate.remember('e1', 5);
    gate.remember('e1', 2);
    gate.stage('e1', 3);
    gate.commit();
    expect(gate.highest('e1')).toBe(5);
    expect(gate.size).toBe(1);
  });
});
