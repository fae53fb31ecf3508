import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { StageOutput } from './stage-output';

/** Headers every dead letter carries, beside the original record's own headers. */
export const DLQ_HEADERS = {
  reason: 'cortege-dlq-reason',
  message: 'cortege-dlq-message',
  violations: 'cortege-dlq-violations',
  /** How many violations were found, when there are any (more than listed when cut). */
  violationsTotal: 'cortege-dlq-violations-total',
  /** `true` when the list of violations was cut at its bounds. */
  violationsTruncated: 'cortege-dlq-violations-truncated',
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
  /**
   * Every violation's path and code, in order; the header lists the first ones within its
   * bounds (`DLQ_MAX_VIOLATIONS`, `DLQ_MAX_VIOLATIONS_BYTES`) and says when it was cut.
   */
  readonly violations?: ReadonlyArray<{ readonly path: string; readonly code: string }>;
  /** How many violations were found, when `violations` holds only the first ones. */
  readonly violationsTotal?: number;
}

/** At most this many violations in the violations header, and at most this many bytes of JSON. */
export const DLQ_MAX_VIOLATIONS = 100;
export const DLQ_MAX_VIOLATIONS_BYTES = 16_384;
/** The message header is cut at this many characters. */
export const DLQ_MAX_MESSAGE_LENGTH = 2_048;

/**
 * The violations header's JSON: the first violations, in order, as many as fit in
 * `DLQ_MAX_VIOLATIONS` entries and `DLQ_MAX_VIOLATIONS_BYTES` bytes (paths are data: an unknown
 * field's name may be long), and how many it lists.
 */
function boundedViolations(
  violations: ReadonlyArray<{ readonly path: string; readonly code: string }>,
): { json: string; listed: number } {
  const items: string[] = [];
  let bytes = 2;
  for (const v of violations.slice(0, DLQ_MAX_VIOLATIONS)) {
    const item = JSON.stringify({ path: v.path, code: v.code });
    const size = Buffer.byteLength(item) + (items.length > 0 ? 1 : 0);
    if (bytes + size > DLQ_MAX_VIOLATIONS_BYTES) break;
    items.push(item);
    bytes += size;
  }
  return { json: `[${items.join(',')}]`, listed: items.length };
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
    [DLQ_HEADERS.message]:
      reason.message.length > DLQ_MAX_MESSAGE_LENGTH
        ? `${reason.message.slice(0, DLQ_MAX_MESSAGE_LENGTH - 1)}…`
        : reason.message,
    [DLQ_HEADERS.stage]: reason.stage,
    [DLQ_HEADERS.firstSeen]: original[DLQ_HEADERS.firstSeen] ?? now.toISOString(),
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: message.offset,
  };
  if (reason.violations && reason.violations.length > 0) {
    const total = reason.violationsTotal ?? reason.violations.length;
    const { json, listed } = boundedViolations(reason.violations);
    headers[DLQ_HEADERS.violations] = json;
    headers[DLQ_HEADERS.violationsTotal] = String(total);
    if (listed < total) headers[DLQ_HEADERS.violationsTruncated] = 'true';
  }
  return { topic: dlqTopic, key: message.key, value: message.value, headers };
}
