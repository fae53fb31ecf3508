import type { KafkaMessage } from 'kafkajs';
import { RevisionGate, type Submission } from '@app/contracts';
import { deadLetter, type StageHandler, type StageOutput } from '@app/kafka';
import { sanitize, type SanitizationPolicy } from '@app/sanitization';
import { SerdeError, type AvroSerde } from '@app/schema-registry';
import type { SanitizerMetrics } from './sanitizer.metrics';

export const STAGE = 'sanitizer';

/** Headers of a clean event: what the sanitizer replaced and repaired, never the text itself. */
export const EVENT_HEADERS = {
  revision: 'cortege-revision',
  scrubCounts: 'cortege-scrub-counts',
  repairs: 'cortege-repairs',
} as const;

interface Pending {
  readonly outcome: string;
  readonly reason: string;
  readonly scrubCounts: Readonly<Record<string, number | undefined>>;
}

/**
 * One submission record in, exactly one record out — the clean event, or the dead letter
 * with its reason — except duplicates and stale revisions, which are counted and dropped.
 * Retriable failures (registry down) throw, so the transaction aborts and runs again.
 */
export class SanitizerHandler implements StageHandler {
  private pending: Pending[] = [];

  constructor(
    private readonly input: AvroSerde<Submission>,
    private readonly output: AvroSerde<Submission>,
    private readonly topics: { readonly events: string; readonly dlq: string },
    private readonly policy: SanitizationPolicy,
    readonly gate: RevisionGate,
    private readonly metrics: SanitizerMetrics,
  ) {}

  async handle(
    message: KafkaMessage,
    source: { topic: string; partition: number },
  ): Promise<StageOutput[]> {
    let submission: Submission;
    try {
      submission = await this.input.decode(message.value);
    } catch (error) {
      if (!(error instanceof SerdeError) || error.retriable) throw error;
      this.pending.push({ outcome: 'dead_lettered', reason: error.code, scrubCounts: {} });
      return [
        deadLetter(this.topics.dlq, message, source, {
          code: error.code,
          message: error.message,
          stage: STAGE,
        }),
      ];
    }

    const verdict = this.gate.verdict(submission.eventId, submission.revision);
    if (verdict !== 'new') {
      this.pending.push({ outcome: verdict, reason: '', scrubCounts: {} });
      return [];
    }

    // Decoded Avro already has the contract's shape; `sanitize` checks ids, revision, payload
    // and time order itself.
    const result = sanitize(submission, this.policy);
    if (result.outcome === 'rejected') {
      const first = result.violations[0];
      const reason = first?.code ?? 'invalid_submission';
      this.pending.push({ outcome: 'dead_lettered', reason, scrubCounts: {} });
      return [
        deadLetter(this.topics.dlq, message, source, {
          code: reason,
          message: result.violations.map((v) => `${v.path || '(root)'}: ${v.code}`).join('; '),
          stage: STAGE,
          violations: result.violations.map((v) => ({ path: v.path, code: v.code })),
        }),
      ];
    }

    this.gate.stage(submission.eventId, submission.revision);
    this.pending.push({ outcome: 'clean', reason: '', scrubCounts: result.scrubCounts });
    return [
      {
        topic: this.topics.events,
        key: submission.eventId,
        value: this.output.encode(result.submission),
        headers: {
          [EVENT_HEADERS.revision]: String(submission.revision),
          [EVENT_HEADERS.scrubCounts]: JSON.stringify(result.scrubCounts),
          [EVENT_HEADERS.repairs]: JSON.stringify(result.repairs),
        },
      },
    ];
  }

  committed(): void {
    this.gate.commit();
    for (const { outcome, reason, scrubCounts } of this.pending) {
      this.metrics.records.inc({ outcome, reason });
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
