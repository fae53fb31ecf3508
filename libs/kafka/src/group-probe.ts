import type { Admin, Kafka } from 'kafkajs';
import { within } from '@app/observability';

/** Each probe request gives up after this long, ms: a health check must answer quickly. */
const PROBE_TIMEOUT_MS = 2_500;

/** A stage's progress on its input topic, as the health check reports it. */
export interface GroupProgress {
  /** Records not yet processed, summed over the topic's partitions. */
  readonly lag: number;
  /** Whether the coordinator lists `memberId` among the group's members. */
  readonly member: boolean;
}

/**
 * Asks Kafka, with a client of its own (no retries, short timeouts: see `probeKafka`), how
 * far a consumer group is behind on its input topic and whether a given member belongs to it.
 * The lag is the high watermark minus the next position of each partition: the group's
 * committed offset, or — for a stage that keeps its positions elsewhere, such as the
 * aggregator in PostgreSQL — the positions `storedPositions` gives. Stages commit their
 * position past the transaction markers they read (see `ConsumingStage`), so an idle
 * stage's lag is 0, not one marker per partition.
 */
export class ConsumerGroupProbe {
  private admin: Admin | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly memberId: () => string | undefined,
    private readonly storedPositions?: () => Promise<ReadonlyMap<number, string>>,
  ) {}

  /** Throws unless a broker answers a metadata request. */
  async ping(): Promise<void> {
    const admin = await this.connected();
    try {
      await within(admin.describeCluster(), PROBE_TIMEOUT_MS, 'Kafka');
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async progress(): Promise<GroupProgress> {
    const admin = await this.connected();
    try {
      const [ends, positions, groups] = await Promise.all([
        within(admin.fetchTopicOffsets(this.topic), PROBE_TIMEOUT_MS, 'Kafka offsets'),
        this.storedPositions
          ? this.storedPositions().catch((error: unknown) => {
              // Positions kept in PostgreSQL: a failure to read them is PostgreSQL's.
              throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
                dependency: 'postgres',
              });
            })
          : within(
              admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
              PROBE_TIMEOUT_MS,
              'Kafka group offsets',
            ).then(
              ([committed]) =>
                new Map((committed?.partitions ?? []).map((p) => [p.partition, p.offset])),
            ),
        within(admin.describeGroups([this.groupId]), PROBE_TIMEOUT_MS, 'Kafka group'),
      ]);
      let lag = 0n;
      for (const { partition, high, low } of ends) {
        const stored = positions.get(partition);
        const next = stored === undefined || BigInt(stored) < 0n ? BigInt(low) : BigInt(stored);
        if (BigInt(high) > next) lag += BigInt(high) - next;
      }
      const id = this.memberId();
      const member =
        id !== undefined && (groups.groups[0]?.members ?? []).some((m) => m.memberId === id);
      return { lag: Number(lag), member };
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.kafka.admin();
    try {
      await within(admin.connect(), PROBE_TIMEOUT_MS, 'Kafka');
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
    this.admin = admin;
    return admin;
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
