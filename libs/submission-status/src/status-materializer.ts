import type { Consumer, Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { AvroSerde } from '@app/schema-registry';
import type { StatusRecord } from './submission-status.schema';
import { hasStatusIdentity } from './status-output';
import { recordStatuses } from './submission-status.store';

export interface StatusMaterializerOptions {
  readonly topic: string;
  readonly groupId: string;
  /**
   * Called in the transaction that records each rejection (a webhook enqueued there is
   * committed with the status, or not at all).
   */
  readonly rejected?: (client: PoolClient, record: StatusRecord) => Promise<void>;
  readonly log?: (level: 'warn' | 'info', line: string) => void;
}

/**
 * Keeps `submission_status` from the status topic: each batch of committed records (the
 * consumer reads committed only, so an aborted stage transaction's statuses never count) is
 * recorded in one PostgreSQL transaction, then its offset committed to Kafka. A crash between
 * the two replays the batch, which changes nothing (each time is kept from the first record
 * that sets it; a webhook's id is derived from its revision). A record that cannot be decoded,
 * or whose event id or revision no submission can have (a stage's older version wrote those),
 * is logged and passed over: one such record must not hold the topic back.
 */
export class StatusMaterializer {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly pool: Pool,
    private readonly serde: AvroSerde<StatusRecord>,
    private readonly options: StatusMaterializerOptions,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, readUncommitted: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!payload.isRunning() || payload.isStale()) return;
        const records: StatusRecord[] = [];
        for (const message of batch.messages) {
          if (message.value === null) continue;
          try {
            const record = await this.serde.decode(message.value);
            if (hasStatusIdentity(record)) records.push(record);
            else
              this.options.log?.(
                'warn',
                `status record ${batch.partition}/${message.offset} passed over: event ${JSON.stringify(record.eventId.slice(0, 64))} revision ${record.revision} is no submission's identity`,
              );
          } catch (error) {
            this.options.log?.(
              'warn',
              `status record ${batch.partition}/${message.offset} passed over: ${(error as Error).message}`,
            );
          }
        }
        await this.record(records);
        const last = batch.messages[batch.messages.length - 1];
        if (last !== undefined) payload.resolveOffset(last.offset);
        await payload.heartbeat();
      },
    });
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async record(records: readonly StatusRecord[]): Promise<void> {
    if (records.length === 0) return;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await recordStatuses(client, records);
      if (this.options.rejected !== undefined)
        for (const record of records)
          if (record.status === 'rejected') await this.options.rejected(client, record);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
