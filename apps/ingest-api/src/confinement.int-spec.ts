import { sampleSubmissions, testIssuer, type TestIssuer } from '@app/testing';
import { PRODUCER_HEADER } from '@app/producer-sdk';
import { startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';

/** A string matcher, typed for an object literal. */
const containing = (text: string): string => expect.stringContaining(text) as string;

/** Issue #17: each producer confined to its sources and to the events it created. */
describe('producers confined to their own sources and events', () => {
  const env = { INGEST_PRODUCERS: 'pp13-app=cortege-pp13;mairie-app=mairie13|cortege-pp13' };
  let issuer: TestIssuer;
  let api: RunningIngestApi | undefined;
  let tokenA: string;
  let tokenB: string;
  beforeAll(async () => {
    issuer = await testIssuer();
    // A as Keycloak's client credentials give it (the client in azp), B by its subject only.
    tokenA = await issuer.token({ roles: ['producer'], azp: 'pp13-app' }, { subject: 'f4b1-sa' });
    tokenB = await issuer.token({ roles: ['producer'] }, { subject: 'mairie-app' });
    api = await startIngestApi(env, { issuer });
  });
  afterAll(async () => api?.close());

  it("refuses B's revision and cancel of A's event (nothing published), takes A's own revision, and names A in a header", async () => {
    const running = api as RunningIngestApi;
    const { moving, cancel } = sampleSubmissions();
    const created = await running.submit(moving, { token: tokenA });
    expect(created.status).toBe(202);
    const before = await running.recordCount();

    const revisedByB = { ...moving, revision: 2 };
    const cancelByB = { ...cancel, eventId: moving.eventId, revision: 3 };
    for (const body of [revisedByB, cancelByB, [{ ...revisedByB, revision: 4 }]]) {
      const refused = await running.submit(body, { token: tokenB });
      expect(refused.status).toBe(403);
      expect(refused.json()).toEqual({
        error: 'event_of_another_producer',
        message: containing(`event ${moving.eventId} was created by another producer`),
        index: 0,
        eventId: moving.eventId,
        revision: expect.any(Number) as number,
      });
    }
    expect(await running.recordCount()).toBe(before);

    const revisedByA = await running.submit({ ...moving, revision: 2 }, { token: tokenA });
    expect(revisedByA.status).toBe(202);
    const records = (await running.records()).filter((r) => r.key === moving.eventId);
    expect(records.map((r) => [r.value.revision, r.headers[PRODUCER_HEADER]])).toEqual([
      [1, 'pp13-app'],
      [2, 'pp13-app'],
    ]);
  });

  it('refuses a source outside the producer’s list, naming it; a token of no listed producer writes nothing', async () => {
    const running = api as RunningIngestApi;
    const { visit, operation } = sampleSubmissions();
    const before = await running.recordCount();

    const refused = await running.submit([visit, { ...operation, source: 'mairie13' }], {
      token: tokenA,
    });
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({
      error: 'source_not_allowed',
      message: containing("producer 'pp13-app' may not write source 'mairie13'"),
      index: 1,
      source: 'mairie13',
      producer: 'pp13-app',
    });
    const stranger = await issuer.token({ roles: ['producer'] }, { subject: 'stranger' });
    expect((await running.submit(visit, { token: stranger })).status).toBe(403);
    expect(await running.recordCount()).toBe(before);
    // B may write both its sources; the event is then B's.
    expect(
      (await running.submit({ ...operation, source: 'mairie13' }, { token: tokenB })).status,
    ).toBe(202);
  });

  it('keeps the binding across a restart of the API', async () => {
    const { visit } = sampleSubmissions();
    expect((await (api as RunningIngestApi).submit(visit, { token: tokenA })).status).toBe(202);
    await api?.close();
    api = undefined;

    api = await startIngestApi(env, { issuer });
    const refused = await api.submit({ ...visit, revision: 2 }, { token: tokenB });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'event_of_another_producer' });
    expect(await api.recordCount()).toBe(0);
    expect((await api.submit({ ...visit, revision: 2 }, { token: tokenA })).status).toBe(202);
  });
});
