import { loadConfig } from '@app/config';
import { createTopics, testKafka, testProducer, uniqueName } from '@app/testing';
import { readRange, READ_STALL_MS } from './topic-reader';
import { topicExtent } from './topic-retention';

const config = loadConfig();

describe('reading a topic range on the real broker', () => {
  const kafka = testKafka(config);
  const admin = kafka.admin();
  const created: string[] = [];
  beforeAll(() => admin.connect());
  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  /** A topic of 3 partitions: its name. */
  async function topic(): Promise<string> {
    const name = uniqueName('range');
    created.push(name);
    await createTopics(kafka, [name], 3);
    return name;
  }

  const value = (partition: number, i: number) => Buffer.from(`p${partition}-${i}`);

  /** Sends `count` records to `partition` in one transaction, committed or aborted. */
  async function transaction(
    name: string,
    partition: number,
    count: number,
    outcome: 'commit' | 'abort',
    first = 0,
  ): Promise<void> {
    const producer = testProducer(kafka, {
      transactionalId: uniqueName('range-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const tx = await producer.transaction();
      await tx.send({
        topic: name,
        messages: Array.from({ length: count }, (_, i) => ({
          partition,
          value: value(partition, first + i),
        })),
      });
      await (outcome === 'commit' ? tx.commit() : tx.abort());
    } finally {
      await producer.disconnect();
    }
  }

  /** Every record `readRange` passes on, per partition, in order. */
  async function readAll(name: string, from?: ReadonlyMap<number, string>) {
    const read: Record<number, string[]> = {};
    const seen = await readRange(kafka, name, {
      from,
      onBatch: (partition, messages) => {
        (read[partition] ??= []).push(...messages.map((m) => String(m.value)));
      },
    });
    return { seen, read };
  }

  it('reads every committed record to the end, past aborted tails and markers, without waiting on silence', async () => {
    const name = await topic();
    // Partition 0: 5 committed, then an aborted transaction is its tail (records and marker
    // no consumer ever sees). Partition 1: 4 plain records. Partition 2: markers only.
    await transaction(name, 0, 5, 'commit');
    await transaction(name, 0, 3, 'abort', 5);
    const plain = testProducer(kafka);
    await plain.connect();
    try {
      await plain.send({
        topic: name,
        messages: [0, 1, 2, 3].map((i) => ({ partition: 1, value: value(1, i) })),
      });
    } finally {
      await plain.disconnect();
    }
    await transaction(name, 2, 2, 'abort');

    const started = Date.now();
    const { seen, read } = await readAll(name);
    expect(seen).toBe(9);
    expect(read).toEqual({
      0: [0, 1, 2, 3, 4].map((i) => `p0-${i}`),
      1: [0, 1, 2, 3].map((i) => `p1-${i}`),
    });
    // An aborted tail ends its partition when fetched, not after the stall limit.
    expect(Date.now() - started).toBeLessThan(READ_STALL_MS);

    // From offsets: partition 0 from its third record, partition 1 from its last.
    const from = new Map([
      [0, '2'],
      [1, '3'],
    ]);
    expect((await readAll(name, from)).read).toEqual({
      0: ['p0-2', 'p0-3', 'p0-4'],
      1: ['p1-3'],
      // Partition 2 has no `from`: from its beginning, where nothing is readable.
    });

    // The oldest readable record of each partition: partition 2 (markers only) has none.
    const extent = await topicExtent(kafka, name);
    // Offsets, markers included: 5 + marker + 3 + marker, 4, 2 + marker.
    expect(extent.offsets).toBe(10 + 4 + 3);
    expect(Date.parse(extent.oldest ?? '')).toBeGreaterThanOrEqual(started - 60_000);
    expect(Date.parse(extent.oldest ?? '')).toBeLessThanOrEqual(Date.now());
  });

  it('stops where its caller says, and reads nothing of an empty topic', async () => {
    const name = await topic();
    expect(await readAll(name)).toEqual({ seen: 0, read: {} });
    await transaction(name, 1, 50, 'commit');
    let batches = 0;
    const seen = await readRange(kafka, name, {
      onBatch: () => {
        batches += 1;
        return false;
      },
    });
    expect(batches).toBe(1);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(50);
  });

  it('passes on nothing written after it began, in a partition it reads or one it does not', async () => {
    const name = await topic();
    // 3 MB in partition 0: more than one fetch (1 MB a partition), so the read is still going
    // when the first batch's handler writes to partitions 0 and 1.
    const producer = testProducer(kafka);
    await producer.connect();
    try {
      for (let start = 0; start < 3_000; start += 500)
        await producer.send({
          topic: name,
          messages: Array.from({ length: 500 }, (_, i) => ({
            partition: 0,
            value: Buffer.alloc(1_000, String((start + i) % 10)),
          })),
        });
      const partitions = new Set<number>();
      let batches = 0;
      let written = false;
      const seen = await readRange(kafka, name, {
        onBatch: async (partition) => {
          partitions.add(partition);
          batches += 1;
          if (written) return;
          written = true;
          await producer.send({
            topic: name,
            messages: [0, 1].map((p) => ({ partition: p, value: Buffer.from('late') })),
          });
        },
      });
      expect(batches).toBeGreaterThan(1);
      expect(seen).toBe(3_000);
      expect([...partitions]).toEqual([0]);
    } finally {
      await producer.disconnect();
    }
  });
});
