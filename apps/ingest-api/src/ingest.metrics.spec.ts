import { IngestError, IngestErrorCode } from './ingest.error';
import { IngestMetrics } from './ingest.metrics';

const counted = async (metrics: IngestMetrics): Promise<Record<string, number>> => {
  const text = await metrics.render();
  return Object.fromEntries(
    [...text.matchAll(/^cortege_ingest_submissions_total\{outcome="(\w+)"\} (\d+)$/gm)].map(
      (m): [string, number] => [m[1] ?? '', Number(m[2])],
    ),
  );
};

describe('IngestMetrics', () => {
  it('counts submissions by outcome, from zero', async () => {
    const metrics = new IngestMetrics();
    expect(await counted(metrics)).toEqual({
      accepted: 0,
      duplicate: 0,
      rejected: 0,
      conflict: 0,
      unavailable: 0,
    });

    metrics.countAccepted([
      { eventId: 'a', revision: 1, duplicate: false },
      { eventId: 'b', revision: 1, duplicate: true },
      { eventId: 'c', revision: 1, duplicate: false },
    ]);
    metrics.countRefused(new IngestError(IngestErrorCode.InvalidSubmission, 'x', {}, 4));
    metrics.countRefused(new IngestError(IngestErrorCode.RevisionConflict, 'x', {}, 2));
    metrics.countRefused(new IngestError(IngestErrorCode.Unavailable, 'x'));
    metrics.countRefused(new IngestError(IngestErrorCode.InvalidToken, 'x'));
    metrics.countRefused(new Error('not ours'));

    expect(await counted(metrics)).toEqual({
      accepted: 2,
      duplicate: 1,
      rejected: 4,
      conflict: 2,
      unavailable: 1,
    });
  });

  it('exposes the default process metrics', async () => {
    expect(await new IngestMetrics().render()).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
