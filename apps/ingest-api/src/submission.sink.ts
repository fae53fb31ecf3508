import type { Submission } from '@app/contracts';

/** DI token of the `SubmissionSink`. */
export const SUBMISSION_SINK = Symbol('SUBMISSION_SINK');

/**
 * Where accepted submissions go (Kafka, through `KafkaSubmissionPublisher`). `send` resolves
 * only once every submission is durably stored (all in-sync replicas acknowledged).
 *
 * @throws IngestError Unavailable when they could not be stored now (retriable).
 */
export interface SubmissionSink {
  /** `producer` goes in each record's `cortege-producer` header. */
  send(submissions: readonly Submission[], producer: string): Promise<void>;
}
