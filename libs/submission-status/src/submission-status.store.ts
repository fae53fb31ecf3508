import type { Pool, PoolClient } from 'pg';
import type { StatusRecord, StatusRejection, StatusStage } from './submission-status.schema';

/** Where a revision stands: the furthest step it reached, or `rejected`. */
export type SubmissionState = 'received' | 'clean' | 'located' | 'aggregated' | 'rejected';

/** One revision's status, as the ingest API answers it. */
export interface SubmissionStatusView {
  readonly eventId: string;
  readonly revision: number;
  readonly status: SubmissionState;
  /** When each step happened (ISO 8601, UTC); null when it has not (yet). */
  readonly times: Readonly<Record<SubmissionState, string | null>>;
  /** The stage that rejected it, and why; null unless rejected. */
  readonly rejection: (StatusRejection & { readonly stage: StatusStage }) | null;
}

type Db = Pool | PoolClient;

interface Row {
  event_id: string;
  revision: number;
  received_at: Date | null;
  clean_at: Date | null;
  located_at: Date | null;
  aggregated_at: Date | null;
  rejected_at: Date | null;
  rejected_stage: StatusStage | null;
  rejection: StatusRejection | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function viewOf(row: Row): SubmissionStatusView {
  const status: SubmissionState =
    row.rejected_at !== null
      ? 'rejected'
      : row.aggregated_at !== null
        ? 'aggregated'
        : row.located_at !== null
          ? 'located'
          : row.clean_at !== null
            ? 'clean'
            : 'received';
  return {
    eventId: row.event_id,
    revision: row.revision,
    status,
    times: {
      received: iso(row.received_at),
      clean: iso(row.clean_at),
      located: iso(row.located_at),
      aggregated: iso(row.aggregated_at),
      rejected: iso(row.rejected_at),
    },
    rejection:
      row.rejected_at !== null && row.rejection !== null && row.rejected_stage !== null
        ? { stage: row.rejected_stage, ...row.rejection }
        : null,
  };
}

/**
 * The submissions' statuses in PostgreSQL (`submission_status`, one row per event and
 * revision). Every step's time is written once, the first time (a replayed record changes
 * nothing); a row is made by whichever step comes first, since the ingest API's receipt, the
 * status topic and the aggregator's transaction race each other.
 */
export class SubmissionStatusStore {
  constructor(private readonly pool: Pool) {}

  /** The ingest API accepted these revisions (after the brokers acknowledged them). */
  async received(
    entries: ReadonlyArray<{ eventId: string; revision: number; source: string }>,
    at: Date,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.pool.query(
      `INSERT INTO submission_status (event_id, revision, source, received_at)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], array_fill($4::timestamptz, ARRAY[$5::int]))
       ON CONFLICT (event_id, revision) DO UPDATE
          SET received_at = coalesce(submission_status.received_at, EXCLUDED.received_at),
              source = coalesce(submission_status.source, EXCLUDED.source),
              updated_at = now()`,
      [
        entries.map((e) => e.eventId),
        entries.map((e) => e.revision),
        entries.map((e) => e.source),
        at,
        entries.length,
      ],
    );
  }

  /** The status of one revision, or undefined when nothing is known of it. */
  async revision(eventId: string, revision: number): Promise<SubmissionStatusView | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM submission_status WHERE event_id = $1 AND revision = $2`,
      [eventId, revision],
    );
    return rows[0] === undefined ? undefined : viewOf(rows[0]);
  }

  /** The status of every revision of an event known, newest first. */
  async revisions(eventId: string): Promise<SubmissionStatusView[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM submission_status WHERE event_id = $1 ORDER BY revision DESC`,
      [eventId],
    );
    return rows.map(viewOf);
  }
}

/**
 * Records stages' outcomes read from the status topic, through `db` (the caller's transaction):
 * `clean_at`, `located_at`, or `rejected_at` with the stage and its rejection, each kept from the
 * first record that sets it.
 */
export async function recordStatuses(db: Db, records: readonly StatusRecord[]): Promise<void> {
  for (const r of records) {
    const at = new Date(r.at);
    await db.query(
      `INSERT INTO submission_status
              (event_id, revision, source, clean_at, located_at, rejected_at, rejected_stage, rejection)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (event_id, revision) DO UPDATE SET
              source = coalesce(submission_status.source, EXCLUDED.source),
              clean_at = coalesce(submission_status.clean_at, EXCLUDED.clean_at),
              located_at = coalesce(submission_status.located_at, EXCLUDED.located_at),
              rejected_stage = CASE WHEN submission_status.rejected_at IS NULL
                                    THEN EXCLUDED.rejected_stage ELSE submission_status.rejected_stage END,
              rejection = CASE WHEN submission_status.rejected_at IS NULL
                               THEN EXCLUDED.rejection ELSE submission_status.rejection END,
              rejected_at = coalesce(submission_status.rejected_at, EXCLUDED.rejected_at),
              updated_at = now()`,
      [
        r.eventId,
        r.revision,
        r.source,
        r.status === 'clean' ? at : null,
        r.status === 'located' ? at : null,
        r.status === 'rejected' ? at : null,
        r.status === 'rejected' ? r.stage : null,
        r.status === 'rejected' ? JSON.stringify(r.rejection) : null,
      ],
    );
  }
}

/**
 * The aggregator applied these revisions: `aggregated_at` = `at`, through its own transaction's
 * client, so the status commits with the aggregates (first time kept).
 */
export async function recordAggregated(
  db: Db,
  revisions: ReadonlyArray<{ readonly eventId: string; readonly revision: number }>,
  at: Date,
): Promise<void> {
  if (revisions.length === 0) return;
  const unique = [...new Map(revisions.map((r) => [`${r.eventId}|${r.revision}`, r])).values()];
  // In key order, so that two batches never wait on each other's rows in opposite orders.
  unique.sort((a, b) =>
    a.eventId === b.eventId ? a.revision - b.revision : a.eventId < b.eventId ? -1 : 1,
  );
  await db.query(
    `INSERT INTO submission_status (event_id, revision, aggregated_at)
     SELECT id, rev, $3 FROM unnest($1::uuid[], $2::int[]) AS t(id, rev)
     ON CONFLICT (event_id, revision) DO UPDATE
        SET aggregated_at = coalesce(submission_status.aggregated_at, EXCLUDED.aggregated_at),
            updated_at = now()`,
    [unique.map((r) => r.eventId), unique.map((r) => r.revision), at],
  );
}
