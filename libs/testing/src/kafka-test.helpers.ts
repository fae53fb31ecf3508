import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type KafkaMessage,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import type { AppConfig } from '@app/config';
import { waitForTopicsServed } from '@app/kafka';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

/**
 * A kafkajs client for tests. Silent: kafkajs logs retriable broker answers (such as
 * CONCURRENT_TRANSACTIONS right after a commit) as errors; real failures reach the test as thrown errors.
 */
export function testKafka(config: AppConfig, clientId = uniqueName('test')): Kafka {
  return new Kafka({ clientId, brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
}

/** A producer with the current default partitioner (and without kafkajs's warning about it). */
export function testProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
}

/** Creates `topic` and waits until the broker serves every partition of it (as the stages do). */
export async function createTopic(admin: Admin, topic: string, numPartitions = 1): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: false,
  });
  if (!created) throw new Error(`topic ${topic} already existed`);
  await waitForTopicsServed(admin, [topic]);
}

export interface ConsumedMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/**
 * Reads `topic` from the beginning in a fresh consumer group until `count` messages arrived
 * or `timeoutMs` (ms) passed, and returns what it read. With `readUncommitted`, records of
 * open or aborted transactions are returned too.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  {
    timeoutMs = 15_000,
    readUncommitted = false,
  }: { timeoutMs?: number; readUncommitted?: boolean } = {},
): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const received: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, message });
        return Promise.resolve();
      },
    });
    await waitFor(
      `${count} message(s) on ${topic}`,
      () => (received.length >= count ? true : undefined),
      {
        timeoutMs,
      },
    ).catch(() => undefined);
  } finally {
    await consumer.disconnect();
  }
  return received;
}
