/**
 * The Avro schema of a record of the submission status topic (`cortege.submission-status.v1`,
 * keyed by eventId): one stage's outcome for one revision of an event, written by the sanitizer
 * and the locator in the Kafka transaction of that outcome. Violations are field paths and
 * reason codes, never the submitted text.
 */
export const SUBMISSION_STATUS_SCHEMA = {
  type: 'record',
  name: 'SubmissionStatus',
  namespace: 'cortege.status',
  doc: "One stage's outcome for one revision of an event.",
  fields: [
    { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'revision', type: 'int' },
    { name: 'source', type: ['null', 'string'], default: null, doc: "The submission's source." },
    { name: 'stage', type: 'string', doc: 'sanitizer or locator.' },
    { name: 'status', type: 'string', doc: 'clean, located or rejected.' },
    { name: 'at', type: 'long', doc: 'When the stage decided, ms since the epoch (UTC).' },
    {
      name: 'rejection',
      type: [
        'null',
        {
          type: 'record',
          name: 'StatusRejection',
          fields: [
            { name: 'code', type: 'string' },
            { name: 'message', type: 'string' },
            {
              name: 'violations',
              type: {
                type: 'array',
                items: {
                  type: 'record',
                  name: 'StatusViolation',
                  fields: [
                    { name: 'path', type: 'string' },
                    { name: 'code', type: 'string' },
                  ],
                },
              },
            },
            { name: 'violationsTotal', type: 'int' },
          ],
        },
      ],
      default: null,
    },
    {
      name: 'regions',
      type: ['null', { type: 'array', items: 'string' }],
      default: null,
      doc: 'For located: the regions of the presence records the locator wrote for the revision; the aggregator must apply each before the revision is aggregated.',
    },
  ],
} as const;

/** The stages that write a status record. */
export type StatusStage = 'sanitizer' | 'locator';

/** A violation as a status names it: its field path and reason code. */
export interface StatusViolation {
  readonly path: string;
  readonly code: string;
}

/** Why a stage rejected a revision: the dead letter's reason, its violations (bounded). */
export interface StatusRejection {
  readonly code: string;
  readonly message: string;
  readonly violations: readonly StatusViolation[];
  /** How many violations were found (more than listed when cut). */
  readonly violationsTotal: number;
}

/** A record of the status topic. */
export interface StatusRecord {
  readonly eventId: string;
  readonly revision: number;
  readonly source: string | null;
  readonly stage: StatusStage;
  readonly status: 'clean' | 'located' | 'rejected';
  /** ms since the epoch. */
  readonly at: number;
  readonly rejection: StatusRejection | null;
  /** For `located`: the regions of the presence records written; null in older records. */
  readonly regions?: readonly string[] | null;
}
