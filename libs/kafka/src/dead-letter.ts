import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { StageOutput } from './consuming-stage';

/** Headers every dead letter carries, beside the original record's own headers. */
export const DLQ_HEADERS = {
  reason: 'cortege-dlq-reason',
  message: 'cortege-dlq-message',
  violations: 'cortege-dlq-violations',
  stage: 'cortege-dlq-stage',
  firstSeen: 'cortege-dlq-first-seen',
  sourceTopic: 'cortege-dlq-source-topic',
  sourcePartition: 'cortege-dlq-source-partition',
  sourceOffset: 'cortege-dlq-source-offset',
} as const;

export interface DeadLetterReason {
  /** Machine-readable: a serde or violation code such as `bad_magic_byte`, `end_before_start`. */
  readonly code: string;
  /** For people, with field paths; never the record's own text (it may hold personal data). */
  readonly message: string;
  readonly stage: string;
  /** Every violation's path and code, when there are several. */
  readonly violations?: ReadonlyArray<{ readonly path: string; readonly code: string }>;
}

/**
 * The dead letter of `message`: its original key, value bytes and headers, unchanged, plus the
 * reason headers. A record dead-lettered before (then redriven) keeps its first-seen time.
 */
export function deadLetter(
  dlqTopic: string,
  message: KafkaMessage,
  source: { readonly topic: string; readonly partition: number },
  reason: DeadLetterReason,
  now: Date = new Date(),
): StageOutput {
  const original: IHeaders = { ...(message.headers ?? {}) };
  const headers: IHeaders = {
    ...original,
    [DLQ_HEADERS.reason]: reason.code,
    [DLQ_HEADERS.message]: reason.message,
    [DLQ_HEADERS.stage]: reason.stage,
    [DLQ_HEADERS.firstSeen]: original[DLQ_HEADERS.firstSeen] ?? now.toISOString(),
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: message.offset,
  };
  if (reason.violations && reason.violations.length > 0) {
    headers[DLQ_HEADERS.violations] = JSON.stringify(reason.violations);
  }
  return { topic: dlqTopic, key: message.key, value: message.value, headers };
}
