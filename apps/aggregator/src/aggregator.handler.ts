import type { BatchOutcome, PresenceAggregator, PresenceInput } from '@app/aggregation';
import type { Presence } from '@app/contracts';
import type { ConsumedPosition, Rejection, SinkWork, StageRecord } from '@app/kafka';
import type { AggregatorMetrics } from './aggregator.metrics';

/**
 * Applies each chunk of presence records in one PostgreSQL transaction, with its positions.
 * When PostgreSQL refuses its data (a class 22 or 23 error: a geometry it cannot read, a value
 * out of range), the records are applied one transaction each, so that only the ones
 * PostgreSQL refuses go to the dead letters, with its message, and nothing else is lost. Other
 * errors (connection, lock) throw, and the host retries the chunk in place.
 */
export class AggregatorHandler implements SinkWork<Presence> {
  readonly kind = 'sink';

  constructor(
    private readonly aggregator: PresenceAggregator,
    private readonly metrics: AggregatorMetrics,
    private readonly warn: (message: string) => void,
    /** Each batch that committed (the hotspot refresher hears of the days it touched). */
    private readonly committed: (outcome: BatchOutcome) => void = () => undefined,
  ) {}

  storedPositions(topic: string): Promise<ReadonlyMap<number, string>> {
    return this.aggregator.storedPositions(topic);
  }

  async apply(
    records: readonly StageRecord<Presence>[],
    passed: readonly ConsumedPosition[],
    deadLetter: (record: StageRecord<Presence>, rejection: Rejection) => Promise<void>,
  ): Promise<void> {
    const inputs = records.map((r) => ({ ...positionOf(r), record: r.value }));
    const timer = this.metrics.batchSeconds.startTimer();
    try {
      this.count(await this.aggregator.applyBatch(inputs, passed));
      timer();
      return;
    } catch (error) {
      if (!isDataError(error)) throw error;
      this.warn(`PostgreSQL refused a chunk (${String(error)}); applying its records one by one`);
    }
    for (const [i, input] of inputs.entries()) await this.applyAlone(input, records[i], deadLetter);
    this.count(await this.aggregator.applyBatch([], passed));
  }

  private async applyAlone(
    input: PresenceInput,
    record: StageRecord<Presence> | undefined,
    deadLetter: (record: StageRecord<Presence>, rejection: Rejection) => Promise<void>,
  ): Promise<void> {
    try {
      this.count(await this.aggregator.applyBatch([input]));
      return;
    } catch (error) {
      if (!isDataError(error) || record === undefined) throw error;
      await deadLetter(record, {
        code: 'aggregation_refused',
        message: `PostgreSQL refused the presence of event ${input.record.eventId} in region ${input.record.region}: ${(error as Error).message}`,
      });
    }
    this.count(await this.aggregator.applyBatch([], [positionOf(input)]));
  }

  private count(outcome: BatchOutcome): void {
    this.committed(outcome);
    const { records, cellRows } = this.metrics;
    records.inc({ outcome: 'applied', reason: '' }, outcome.applied);
    records.inc({ outcome: 'stale', reason: '' }, outcome.stale);
    records.inc({ outcome: 'replayed', reason: '' }, outcome.replayed);
    cellRows.inc(outcome.cellRows);
  }
}

function positionOf({ topic, partition, offset }: ConsumedPosition): ConsumedPosition {
  return { topic, partition, offset };
}

/** PostgreSQL refused the data itself (SQLSTATE class 22 data exception, 23 integrity, XX000 internal as PostGIS raises): retrying cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === 'XX000')
  );
}
