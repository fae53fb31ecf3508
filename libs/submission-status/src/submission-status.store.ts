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
 * `clean_at`, `located_at` with the regions written, or `rejected_at` with the stage and its
 * rejection, each kept from the first record that sets it; a located revision whose regions the
 * aggregator has all applied already is aggregated too (see `recordAggregated`).
 */
export async function recordStatuses(db: Db, records: readonly StatusRecord[]): Promise<void> {
  for (const r of records) {
    const at = new Date(r.at);
    const located = r.status === 'located';
    await db.query(
      `INSERT INTO submission_status
              (event_id, revision, source, clean_at, located_at, rejected_at, rejected_stage,
               rejection, located_regions, aggregated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
               CASE WHEN cardinality($9::text[]) = 0 THEN $5::timestamptz END)
       ON CONFLICT (event_id, revision) DO UPDATE SET
              source = coalesce(submission_status.source, EXCLUDED.source),
              clean_at = coalesce(submission_status.clean_at, EXCLUDED.clean_at),
              located_at = coalesce(submission_status.located_at, EXCLUDED.located_at),
              located_regions = CASE WHEN submission_status.located_at IS NULL
                                     THEN EXCLUDED.located_regions
                                     ELSE submission_status.located_regions END,
              -- located after the aggregator: aggregated if every region was applied
              aggregated_at = coalesce(submission_status.aggregated_at,
                CASE WHEN submission_status.located_at IS NOT NULL OR EXCLUDED.located_at IS NULL THEN NULL
                     WHEN cardinality(EXCLUDED.located_regions) = 0 THEN EXCLUDED.located_at
                     WHEN submission_status.last_aggregated_at IS NOT NULL
                      AND (EXCLUDED.located_regions IS NULL
                           OR EXCLUDED.located_regions <@ submission_status.aggregated_regions)
                     THEN submission_status.last_aggregated_at END),
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
        located ? at : null,
        r.status === 'rejected' ? at : null,
        r.status === 'rejected' ? r.stage : null,
        r.status === 'rejected' ? JSON.stringify(r.rejection) : null,
        located ? (r.regions ?? null) : null,
      ],
    );
  }
}

/**
 * The aggregator applied these presence records (each a revision in one region), through its
 * own transaction's client, so the status commits with the aggregates. A revision is
 * `aggregated` once every region the locator wrote it to (`located_regions`) has been applied,
 * at the time of the batch that applied the last one; whichever of the locator's status and the
 * aggregator's batches comes last decides it. A status record without regions (older locators)
 * counts the first region applied as the whole. Times are kept from the first that sets them.
 */
export async function recordAggregated(
  db: Db,
  revisions: ReadonlyArray<{
    readonly eventId: string;
    readonly revision: number;
    /** The region of the presence record applied; absent, the revision counts as whole. */
    readonly region?: string;
  }>,
  at: Date,
): Promise<void> {
  if (revisions.length === 0) return;
  const byRevision = new Map<string, { id: string; rev: number; regions: string[] }>();
  for (const r of revisions) {
    const key = `${r.eventId}|${r.revision}`;
    const entry = byRevision.get(key) ?? { id: r.eventId, rev: r.revision, regions: [] };
    if (r.region !== undefined && !entry.regions.includes(r.region)) entry.regions.push(r.region);
    byRevision.set(key, entry);
  }
  // In key order, so that two batches never wait on each other's rows in opposite orders.
  const unique = [...byRevision.values()].sort((a, b) =>
    a.id === b.id ? a.rev - b.rev : a.id < b.id ? -1 : 1,
  );
  await db.query(
    `INSERT INTO submission_status (event_id, revision, aggregated_regions, last_aggregated_at)
     SELECT t.id, t.rev, t.regions, $2
       FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, rev int, regions text[])
     ON CONFLICT (event_id, revision) DO UPDATE SET
        aggregated_regions = ARRAY(SELECT DISTINCT unnest(submission_status.aggregated_regions
                                                          || EXCLUDED.aggregated_regions) ORDER BY 1),
        last_aggregated_at = EXCLUDED.last_aggregated_at,
        -- the region that completes the located ones makes it aggregated, at this batch's time
        aggregated_at = coalesce(submission_status.aggregated_at,
          CASE WHEN submission_status.located_at IS NOT NULL
                AND (submission_status.located_regions IS NULL
                     OR submission_status.located_regions
                        <@ (submission_status.aggregated_regions || EXCLUDED.aggregated_regions))
               THEN EXCLUDED.last_aggregated_at END),
        updated_at = now()`,
    [JSON.stringify(unique.map((u) => ({ ...u, regions: u.regions.sort() }))), at],
  );
}
