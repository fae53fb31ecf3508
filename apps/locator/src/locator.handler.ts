import type { Presence, Submission } from '@app/contracts';
import type { LocatorModel } from '@app/geo';
import type { Geocoder } from '@app/geocoding';
import type { Rejected, StageOutput, StageRecord, TopicWork } from '@app/kafka';
import { locateSubmission, type LocatedEventsState } from '@app/location';
import type { AvroSerde } from '@app/schema-registry';
import type { StatusWriter } from '@app/submission-status';
import type { LocatorMetrics } from './locator.metrics';

/** Headers of a presence record, so the locator can relearn what it wrote at start-up. */
export const PRESENCE_HEADERS = {
  eventId: 'cortege-event-id',
  revision: 'cortege-revision',
  cells: 'cortege-cells',
} as const;

/**
 * One clean event in; its presence records out, one per H3 region (keyed by the region), or a
 * rejection `geocode_not_found`, which the host dead-letters; either way its status (`located`
 * or `rejected`) goes to the status topic in the same transaction. Replayed revisions write nothing. A geocoder that cannot
 * answer throws: the transaction aborts and the batch runs again.
 */
export class LocatorHandler implements TopicWork<Submission> {
  readonly kind = 'topics';
  private pending: Array<{ outcome: string; reason: string; cells: number }> = [];

  constructor(
    private readonly presenceTopic: string,
    private readonly output: AvroSerde<Presence>,
    private readonly geocoder: Geocoder,
    private readonly model: LocatorModel,
    readonly state: LocatedEventsState,
    private readonly metrics: LocatorMetrics,
    private readonly status: StatusWriter,
  ) {}

  async handle({ value: submission }: StageRecord<Submission>): Promise<StageOutput[] | Rejected> {
    const outcome = await locateSubmission(
      submission,
      this.state.get(submission.eventId),
      this.geocoder,
      this.model,
      Date.now(),
    );
    switch (outcome.kind) {
      case 'skipped':
        this.pending.push({ outcome: 'skipped', reason: '', cells: 0 });
        return [];
      case 'not_found': {
        const rejected = {
          code: 'geocode_not_found',
          message: `none of the event's ${outcome.addresses.length} address(es) resolved`,
          violations: outcome.addresses.map((address) => ({
            path: address,
            code: 'geocode_not_found',
          })),
        };
        return { rejected, with: this.status.rejected(submission, rejected) };
      }
      case 'located': {
        this.state.stage(submission.eventId, outcome.record);
        const cells = outcome.presence.reduce((n, p) => n + p.cells.length, 0);
        const quality = outcome.presence[0]?.geocodeQuality ?? 'NONE';
        this.pending.push({
          outcome: submission.action === 'CANCEL' ? 'cancelled' : 'located',
          reason: quality,
          cells,
        });
        return [
          ...outcome.presence.map((presence) => ({
            topic: this.presenceTopic,
            key: presence.region,
            value: this.output.encode(presence),
            headers: {
              [PRESENCE_HEADERS.eventId]: presence.eventId,
              [PRESENCE_HEADERS.revision]: String(presence.revision),
              [PRESENCE_HEADERS.cells]: String(presence.cells.length),
            },
          })),
          this.status.passed(
            submission,
            outcome.presence.map((p) => p.region),
          ),
        ];
      }
      default: {
        const _exhaustive: never = outcome;
        return _exhaustive;
      }
    }
  }

  committed(): void {
    this.state.commit();
    for (const { outcome, reason, cells } of this.pending) {
      this.metrics.events.inc({ outcome, reason });
      this.metrics.cells.inc(cells);
    }
    this.pending = [];
  }

  aborted(): void {
    this.state.rollback();
    this.pending = [];
  }
}
