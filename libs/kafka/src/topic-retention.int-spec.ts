import { loadConfig } from '@app/config';
import { testKafka, uniqueName } from '@app/testing';
import { ensureTopics } from './topic-admin';
import { retainedTopics, retentionConfigs, topicConfigValues } from './topic-retention';

const config = loadConfig();
const DAY = 86_400_000;

describe('topic retention on the real broker', () => {
  const kafka = testKafka(config);
  const admin = kafka.admin();
  const created: string[] = [];
  beforeAll(() => admin.connect());
  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  const described = async (topic: string) =>
    (
      await topicConfigValues(
        admin,
        [topic],
        ['retention.ms', 'cleanup.policy', 'delete.retention.ms', 'max.message.bytes'],
      )
    ).get(topic);

  it('creates each kind of topic with its configured retention', async () => {
    const retention = config.retention;
    const names = {
      submissions: uniqueName('ret-sub'),
      events: uniqueName('ret-events'),
      presence: uniqueName('ret-presence'),
      'dead-letters': uniqueName('ret-dlq'),
    } as const;
    created.push(...Object.values(names));
    const changed = await ensureTopics(
      kafka,
      Object.entries(names).map(([role, topic]) => ({
        topic,
        numPartitions: 1,
        configs: retentionConfigs(retention, role as keyof typeof names),
      })),
    );
    expect(changed).toEqual([]);
    expect(await described(names.submissions)).toMatchObject({
      'retention.ms': String(7 * DAY),
      'cleanup.policy': 'delete',
    });
    expect(await described(names['dead-letters'])).toMatchObject({
      'retention.ms': String(7 * DAY),
      'cleanup.policy': 'delete',
    });
    expect(await described(names.presence)).toMatchObject({
      'retention.ms': String(430 * DAY),
    });
    expect(await described(names.events)).toMatchObject({
      'cleanup.policy': 'compact',
      'delete.retention.ms': String(24 * 3_600_000),
    });
  });

  it('alters an existing topic kept for ever to its configured retention, keeping its other overrides; then changes nothing', async () => {
    const topic = uniqueName('ret-old-dlq');
    created.push(topic);
    // A dead-letter topic as the stages used to create it, with another override of its own.
    await ensureTopics(kafka, [
      {
        topic,
        numPartitions: 1,
        configs: { 'retention.ms': '-1', 'max.message.bytes': '2000000' },
      },
    ]);
    expect(await described(topic)).toMatchObject({ 'retention.ms': '-1' });

    const spec = {
      topic,
      numPartitions: 1,
      configs: retentionConfigs(config.retention, 'dead-letters'),
    };
    const changed = await ensureTopics(kafka, [spec]);
    expect(changed).toEqual([
      { topic, name: 'cleanup.policy', from: null, to: 'delete' },
      { topic, name: 'retention.ms', from: '-1', to: String(7 * DAY) },
    ]);
    expect(await described(topic)).toMatchObject({
      'retention.ms': String(7 * DAY),
      'max.message.bytes': '2000000',
    });
    expect(await ensureTopics(kafka, [spec])).toEqual([]);
  });

  it('names every topic of the configuration once, with its role', () => {
    expect(retainedTopics(config).map(({ topic, role }) => [topic, role])).toEqual([
      ['cortege.submissions.v1', 'submissions'],
      ['cortege.events.v1', 'events'],
      ['cortege.presence.v1', 'presence'],
      ['cortege.submissions.dlq.v1', 'dead-letters'],
      ['cortege.alerts.v1', 'alerts'],
      ['cortege.submission-status.v1', 'status'],
    ]);
  });
});
