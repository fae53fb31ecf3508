import { LocatedEventsState } from './located-events.state';

describe('LocatedEventsState', () => {
  it('knows newer revisions only, and forgets staged ones on rollback', () => {
    const state = new LocatedEventsState();
    expect(state.isNew('e', 1)).toBe(true);
    state.stage('e', { revision: 2, regions: new Set(['r1']) });
    expect([state.isNew('e', 2), state.isNew('e', 3)]).toEqual([false, true]);
    state.rollback();
    expect(state.isNew('e', 2)).toBe(true);
    state.stage('e', { revision: 2, regions: new Set(['r1']) });
    state.commit();
    expect(state.get('e')).toEqual({ revision: 2, regions: new Set(['r1']) });
  });

  it('rebuilds the regions of the latest revision from presence records', () => {
    const state = new LocatedEventsState();
    state.remember('e', 1, 'r1', true);
    state.remember('e', 1, 'r2', true);
    state.remember('e', 2, 'r2', true);
    state.remember('e', 2, 'r1', false);
    state.remember('e', 1, 'r3', true);
    expect(state.get('e')).toEqual({ revision: 2, regions: new Set(['r2']) });
    expect(state.size).toBe(1);
  });
});
