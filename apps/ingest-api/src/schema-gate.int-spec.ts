import { RegistryClient, valueSubject } from '@app/schema-registry';
import { sampleSubmissions } from '@app/testing';
import { startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';

describe('the ingest API and the schema-change gate (the real registry)', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    // The harness approves the repository's contract for the API's own topic, then starts it.
    api = await startIngestApi();
  });
  afterAll(async () => api?.close());

  it('registers nothing and sets no compatibility when it connects and publishes', async () => {
    const registry = new RegistryClient(api.config.registry.url);
    const subject = valueSubject(api.topic);
    const before = await registry.versions(subject);
    expect(before.map((v) => v.version)).toEqual([1]);
    const level = await registry.compatibilityOf(subject);

    const { moving, visit } = sampleSubmissions();
    const response = await api.submit([moving, visit]);
    expect(response.status).toBe(202);
    expect(await api.recordCount()).toBe(2);

    expect(await registry.versions(subject)).toEqual(before);
    expect(await registry.compatibilityOf(subject)).toBe(level);
  });
});
