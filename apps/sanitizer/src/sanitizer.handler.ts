import { reportViolations, RevisionGate, type Submission } from '@app/contracts';
import type { Rejected, StageOutput, StageRecord, TopicWork } from '@app/kafka';
import { sanitize, type SanitizationPolicy } from '@app/sanitization';
import type { AvroSerde } from '@app/schema-registry';
import type { StatusWriter } from '@app/submission-status';
import type { SanitizerMetrics } from './sanitizer.metrics';

/** Headers of a clean event: what the sanitizer replaced and repaired, never the text itself. */
export const EVENT_HEADERS = {
  revision: 'cortege-revision',
  scrubCounts: 'cortege-scrub-counts',
  repairs: 'cortege-repairs',
} as const;

/** The violations named in a dead letter's message header; all are in its violations header. */
const MESSAGE_VIOLATIONS = 10;

interface Pending {
  readonly outcome: string;
  readonly scrubCounts: Readonly<Record<string, number | undefined>>;
}

/**
 * One submission in, one clean event out — or a rejection with every violation, which the
 * host dead-letters — except duplicates and stale revisions, which are counted and dropped.
 * Either way its status (`clean`, or `rejected` with the violations) goes to the status topic
 * in the same transaction.
 */
export class SanitizerHandler implements TopicWork<Submission> {
  readonly kind = 'topics';
  private pending: Pending[] = [];

  constructor(
    private readonly eventsTopic: string,
    private readonly output: AvroSerde<Submission>,
    private readonly policy: SanitizationPolicy,
    readonly gate: RevisionGate,
    private readonly metrics: SanitizerMetrics,
    private readonly status: StatusWriter,
  ) {}

  handle({ value }: StageRecord<Submission>): Promise<StageOutput[] | Rejected> {
    // One event, one key: the ingest API and the SDK write an eventId in lower case, a producer
    // writing straight to the topic may not; `0B6F…` and `0b6f…` are one event.
    const submission = { ...value, eventId: value.eventId.toLowerCase() };
    const verdict = this.gate.verdict(submission.eventId, submission.revision);
    if (verdict !== 'new') {
      this.pending.push({ outcome: verdict, scrubCounts: {} });
      return Promise.resolve([]);
    }

    // Decoded Avro already has the contract's shape; `sanitize` checks ids, revision, payload
    // and time order itself.
    const result = sanitize(submission, this.policy);
    if (result.outcome === 'rejected') {
      // Every violation, in the order found; the dead letter's headers list the first ones
      // within their bounds and say how many there were.
      const { violations, total } = reportViolations(result.violations);
      const listed = violations.slice(0, MESSAGE_VIOLATIONS);
      const rejected = {
        code: violations[0]?.code ?? 'invalid_submission',
        message:
          listed.map((v) => `${v.path || '(root)'}: ${v.code}`).join('; ') +
          (total > listed.length ? `; and ${total - listed.length} more` : ''),
        violations: violations.map((v) => ({ path: v.path, code: v.code })),
        violationsTotal: total,
      };
      return Promise.resolve({ rejected, with: this.status.rejected(submission, rejected) });
    }

    this.gate.stage(submission.eventId, submission.revision);
    this.pending.push({ outcome: 'clean', scrubCounts: result.scrubCounts });
    return Promise.resolve([
      {
        topic: this.eventsTopic,
        key: submission.eventId,
        value: this.output.encode(result.submission),
        headers: {
          [EVENT_HEADERS.revision]: String(submission.revision),
          [EVENT_HEADERS.scrubCounts]: JSON.stringify(result.scrubCounts),
          [EVENT_HEADERS.repairs]: JSON.stringify(result.repairs),
        },
      },
      this.status.passed(submission),
    ]);
  }

  committed(): void {
    this.gate.commit();
    for (const { outcome, scrubCounts } of this.pending) {
      this.metrics.records.inc({ outcome, reason: '' });
      for (const [kind, count] of Object.entries(scrubCounts)) {
        if (count) this.metrics.replacements.inc({ kind }, count);
      }
    }
    this.pending = [];
  }

  aborted(): void {
    this.gate.rollback();
    this.pending = [];
  }
}
