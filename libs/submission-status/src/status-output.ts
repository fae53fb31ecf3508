import type { AppConfig } from '@app/config';
import { isEventId, isRevision } from '@app/contracts';
import { DLQ_MAX_VIOLATIONS, retentionConfigs, type Rejection, type StageOutput } from '@app/kafka';
import { AvroSerde, type RegistryClient } from '@app/schema-registry';
import {
  SUBMISSION_STATUS_SCHEMA,
  type StatusRecord,
  type StatusRejection,
  type StatusStage,
} from './submission-status.schema';

/** The submission a stage decided about. */
export interface StatusSubject {
  readonly eventId: string;
  readonly revision: number;
  readonly source?: string | null;
}

/**
 * Writes the status records of a stage: what its handler returns beside its outputs (or with its
 * rejection), so that a status is committed in the stage's Kafka transaction, exactly once.
 */
export class StatusWriter {
  constructor(
    private readonly topic: string,
    private readonly serde: AvroSerde<StatusRecord>,
    private readonly stage: StatusStage,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The record saying the stage passed `subject` on (`clean` for the sanitizer, `located` for
   * the locator, with the `regions` of the presence records it wrote).
   */
  passed(subject: StatusSubject, regions?: readonly string[]): StageOutput {
    return this.output(
      subject,
      this.stage === 'sanitizer' ? 'clean' : 'located',
      null,
      regions === undefined ? null : [...new Set(regions)].sort(),
    );
  }

  /**
   * The record saying the stage rejected `subject`, and why; none when the subject has no
   * identity a status could be asked for (an event id that is not a UUID, a revision below 1):
   * its dead letter is the whole answer.
   */
  rejected(subject: StatusSubject, rejection: Rejection): StageOutput[] {
    if (!hasStatusIdentity(subject)) return [];
    return [this.output(subject, 'rejected', statusRejection(rejection))];
  }

  private output(
    subject: StatusSubject,
    status: StatusRecord['status'],
    rejection: StatusRejection | null,
    regions: readonly string[] | null = null,
  ): StageOutput {
    const record: StatusRecord = {
      eventId: subject.eventId,
      revision: subject.revision,
      source: subject.source ?? null,
      stage: this.stage,
      status,
      at: this.now(),
      rejection,
      regions,
    };
    return { topic: this.topic, key: subject.eventId, value: this.serde.encode(record) };
  }
}

/** Whether a status can be kept for `subject`: a contract event id and revision. */
export function hasStatusIdentity(subject: Pick<StatusSubject, 'eventId' | 'revision'>): boolean {
  return isEventId(subject.eventId) && isRevision(subject.revision);
}

/** A rejection as a status keeps it: its first violations (as many as a dead letter lists). */
export function statusRejection(rejection: Rejection): StatusRejection {
  const violations = rejection.violations ?? [];
  return {
    code: rejection.code,
    message: rejection.message,
    violations: violations
      .slice(0, DLQ_MAX_VIOLATIONS)
      .map((v) => ({ path: v.path, code: v.code })),
    violationsTotal: rejection.violationsTotal ?? violations.length,
  };
}

/** The status topic as a stage ensures it: compacted by eventId, deleted by age (role `status`). */
export function statusTopicSpec(
  config: AppConfig,
  numPartitions: number,
): { topic: string; numPartitions: number; configs: Readonly<Record<string, string>> } {
  return {
    topic: config.submissionStatus.topic,
    numPartitions,
    configs: retentionConfigs(config.retention, 'status'),
  };
}

/** The status writer of `stage`, its schema registered on the status topic's subject. */
export async function statusWriter(
  registry: RegistryClient,
  config: AppConfig,
  stage: StatusStage,
): Promise<StatusWriter> {
  const topic = config.submissionStatus.topic;
  // The sanitizer and the locator register this subject, often at the same moment: a first
  // attempt that lost a race in the registry is tried again (then the subject is there).
  for (let attempt = 1; ; attempt += 1) {
    try {
      return new StatusWriter(
        topic,
        await AvroSerde.register<StatusRecord>(registry, topic, SUBMISSION_STATUS_SCHEMA),
        stage,
      );
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
