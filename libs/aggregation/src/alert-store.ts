import { createHash } from 'node:crypto';
import type { AlertConfig } from '@app/config';
import type { Alert, AlertSeverity, EventKind, OperationTheme } from '@app/contracts';
import {
  alertRulesOf,
  conflictsOf,
  pairKeyOf,
  pairOverlaps,
  type AlertRule,
  type AlertSubject,
  type Conflict,
  type ConflictPresence,
} from '@app/tension';
import { enqueueWebhook } from '@app/webhooks';
import { cellsToMultiPolygon, gridDisk } from 'h3-js';
import type { Pool, PoolClient } from 'pg';

/** What one synchronisation of alerts changed. */
export interface AlertOutcome {
  /** Alerts raised or changed (a new version, active). */
  readonly raised: number;
  /** Alerts retracted. */
  readonly retracted: number;
  /** The versions written, as published (one row each in `alert_outbox`). */
  readonly records: readonly Alert[];
}

export const NO_ALERTS: AlertOutcome = { raised: 0, retracted: 0, records: [] };

/** How alerts are kept: the pair rules, and the webhook targets each version goes to. */
export interface AlertOptions {
  readonly alertRules: readonly AlertRule[];
  readonly alertWebhooks: readonly string[];
}

/** The name of an alert webhook's deliveries in `webhook_delivery`. */
export const alertWebhookTarget = (name: string): string => `alert-${name}`;

/** The alert options of the configuration (ALERT_RULES over the defaults, ALERT_WEBHOOKS). */
export const alertOptionsOf = (alerts: AlertConfig): AlertOptions => ({
  alertRules: alertRulesOf(alerts.rules),
  alertWebhooks: alerts.webhooks.map((w) => alertWebhookTarget(w.name)),
});

interface StoredAlert {
  event_a: string;
  event_b: string;
  status: Alert['status'];
  kind_a: EventKind;
  kind_b: EventKind;
  revision_a: number;
  revision_b: number;
  rule: string;
  severity: AlertSeverity;
  cells: string[];
  start_at: Date;
  end_at: Date;
  version: number;
  digest: string;
  lon: number;
  lat: number;
}

/**
 * The alerts' state in PostgreSQL (`alert`, `alert_outbox`, `alert_pending`), README
 * "Conflict alerts". A batch that changes events' presence marks them (`touch`, in its
 * transaction); once left alone for the settle time they are recomputed (`settle`), so that an
 * event whose regions come in several batches is judged whole. For the events given, their
 * conflicts are computed from `event_presence` as it stands in the transaction (their rows,
 * and every other event's rows in their cells' 1-rings during their time) and compared with
 * the stored alerts of their pairs: a conflict that is new or differs (revisions, rule,
 * severity, cells, interval) is written as the pair's next version; a stored active alert
 * that no longer holds is retracted (its last place and interval kept). Each version goes to
 * `alert_outbox`, from which the publisher sends it, and to the webhooks' outbox once per
 * target (libs/webhooks: signed, retried, one target never holding up another). The same
 * presence gives the same digests, so computing again (a replay, a rebuild, a retried batch)
 * writes nothing.
 */
export class AlertStore {
  constructor(
    private readonly client: PoolClient,
    private readonly rules: readonly AlertRule[],
    /** The webhook targets (names in `webhook_delivery`) each version is delivered to. */
    private readonly webhookTargets: readonly string[] = [],
  ) {}

  /**
   * Marks `eventIds` as changed: their alerts are recomputed by `settle` once no batch has
   * touched them for the settle time. Returns how many were marked.
   */
  async touch(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const { rowCount } = await this.client.query(
      `INSERT INTO alert_pending (event_id, touched_at)
       SELECT DISTINCT unnest($1::uuid[]), clock_timestamp()
       ON CONFLICT (event_id) DO UPDATE SET touched_at = EXCLUDED.touched_at`,
      [eventIds],
    );
    return rowCount ?? 0;
  }

  /**
   * Recomputes (`sync`) the alerts of the marked events that no batch touched for `settleMs`,
   * at most `limit` of them, and unmarks them. An event touched again meanwhile waits for
   * the transaction (its mark is locked) and is marked anew after it.
   */
  async settle(settleMs: number, limit = 1_000): Promise<AlertOutcome> {
    const { rows } = await this.client.query<{ event_id: string }>(
      `SELECT event_id FROM alert_pending
        WHERE touched_at <= clock_timestamp() - $1 * interval '1 millisecond'
        ORDER BY event_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [settleMs, limit],
    );
    if (rows.length === 0) return NO_ALERTS;
    const ids = rows.map((r) => r.event_id);
    const outcome = await this.sync(ids);
    await this.client.query(`DELETE FROM alert_pending WHERE event_id = ANY($1::uuid[])`, [ids]);
    return outcome;
  }

  /** Brings the alerts of every pair with an event of `eventIds` up to date. */
  async sync(eventIds: readonly string[]): Promise<AlertOutcome> {
    const touched = [...new Set(eventIds)].sort();
    if (touched.length === 0) return NO_ALERTS;
    const conflicts = await this.conflictsOf(touched);
    const stored = await this.storedOf(touched);
    const records: Alert[] = [];
    let raised = 0;
    let retracted = 0;
    for (const conflict of conflicts) {
      const key = pairKeyOf(conflict.eventA, conflict.eventB);
      const known = stored.get(key);
      stored.delete(key);
      const digest = digestOf('ACTIVE', conflict);
      if (known?.status === 'ACTIVE' && known.digest === digest) continue;
      records.push(await this.write('ACTIVE', conflict, (known?.version ?? 0) + 1, digest));
      raised += 1;
    }
    const gone = [...stored.values()].filter((a) => a.status === 'ACTIVE');
    const revisions = await this.revisionsOf(gone.flatMap((a) => [a.event_a, a.event_b]));
    for (const alert of gone) {
      const last: Conflict = {
        eventA: alert.event_a,
        eventB: alert.event_b,
        cells: alert.cells,
        startAt: alert.start_at.getTime(),
        endAt: alert.end_at.getTime(),
        firstCell: '',
        rule: alert.rule,
        severity: alert.severity,
        kindA: alert.kind_a,
        kindB: alert.kind_b,
        revisionA: revisions.get(alert.event_a) ?? alert.revision_a,
        revisionB: revisions.get(alert.event_b) ?? alert.revision_b,
        point: [alert.lon, alert.lat],
      };
      records.push(
        await this.write('RETRACTED', last, alert.version + 1, digestOf('RETRACTED', last)),
      );
      retracted += 1;
    }
    return { raised, retracted, records };
  }

  /** The conflicts of every pair with an event of `touched`, from `event_presence` and `event`. */
  private async conflictsOf(touched: readonly string[]): Promise<Conflict[]> {
    const own = await this.presence(
      `SELECT event_id, cell, start_at, end_at FROM event_presence WHERE event_id = ANY($1::uuid[])`,
      [touched],
    );
    if (own.length === 0) return [];
    const ring = new Set<string>();
    for (const row of own) for (const cell of gridDisk(row.cell, 1)) ring.add(cell);
    const others = await this.presence(
      `SELECT event_id, cell, start_at, end_at FROM event_presence
        WHERE cell = ANY($1::text[]) AND NOT (event_id = ANY($2::uuid[]))
          AND start_at < $4 AND end_at > $3`,
      [
        [...ring],
        touched,
        new Date(own.reduce((min, r) => Math.min(min, r.startAt), Infinity)),
        new Date(own.reduce((max, r) => Math.max(max, r.endAt), -Infinity)),
      ],
    );
    const overlaps = pairOverlaps([...own, ...others], new Set(touched));
    if (overlaps.length === 0) return [];
    const { rows } = await this.client.query<{
      event_id: string;
      kind: EventKind;
      theme: OperationTheme | null;
      revision: number;
    }>(`SELECT event_id, kind, theme, revision FROM event WHERE event_id = ANY($1::uuid[])`, [
      [...new Set(overlaps.flatMap((o) => [o.eventA, o.eventB]))],
    ]);
    const events = new Map<string, AlertSubject>(
      rows.map((r) => [r.event_id, { kind: r.kind, theme: r.theme, revision: r.revision }]),
    );
    return conflictsOf(overlaps, events, this.rules);
  }

  private async presence(sql: string, values: unknown[]): Promise<ConflictPresence[]> {
    const { rows } = await this.client.query<{
      event_id: string;
      cell: string;
      start_at: Date;
      end_at: Date;
    }>(sql, values);
    return rows.map((r) => ({
      eventId: r.event_id,
      cell: r.cell,
      startAt: r.start_at.getTime(),
      endAt: r.end_at.getTime(),
    }));
  }

  /** The stored alerts of every pair with an event of `touched`, locked. */
  private async storedOf(touched: readonly string[]): Promise<Map<string, StoredAlert>> {
    const { rows } = await this.client.query<StoredAlert>(
      `SELECT event_a, event_b, status, kind_a, kind_b, revision_a, revision_b, rule, severity,
              cells, start_at, end_at, version, digest, ST_X(point) AS lon, ST_Y(point) AS lat
         FROM alert WHERE event_a = ANY($1::uuid[]) OR event_b = ANY($1::uuid[])
        ORDER BY event_a, event_b FOR UPDATE`,
      [touched],
    );
    return new Map(rows.map((r) => [pairKeyOf(r.event_a, r.event_b), r]));
  }

  /** The newest revision each event is known at: its row, else its regions' (a cancel's). */
  private async revisionsOf(eventIds: readonly string[]): Promise<Map<string, number>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.client.query<{ event_id: string; revision: number }>(
      `SELECT event_id, max(revision)::int AS revision FROM (
         SELECT event_id, revision FROM event WHERE event_id = ANY($1::uuid[])
         UNION ALL
         SELECT event_id, revision FROM event_region WHERE event_id = ANY($1::uuid[])) r
        GROUP BY event_id`,
      [[...new Set(eventIds)]],
    );
    return new Map(rows.map((r) => [r.event_id, r.revision]));
  }

  /** Writes the pair's version `version` and its outbox row; returns the record as published. */
  private async write(
    status: Alert['status'],
    c: Conflict,
    version: number,
    digest: string,
  ): Promise<Alert> {
    const outline = cellsToMultiPolygon([...c.cells], true);
    const { rows } = await this.client.query<{ arrondissement: number | null; changed_at: Date }>(
      `INSERT INTO alert AS a (event_a, event_b, status, kind_a, kind_b, revision_a, revision_b,
                               rule, severity, cells, start_at, end_at, arrondissement, version,
                               digest, changed_at, point, geom)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
              cortege_arrondissement(p.g), $13, $14, clock_timestamp(), p.g,
              ST_SetSRID(ST_GeomFromGeoJSON($17), 4326)
         FROM (SELECT ST_SetSRID(ST_MakePoint($15, $16), 4326) AS g) p
       ON CONFLICT (event_a, event_b) DO UPDATE SET
         status = EXCLUDED.status, kind_a = EXCLUDED.kind_a, kind_b = EXCLUDED.kind_b,
         revision_a = EXCLUDED.revision_a, revision_b = EXCLUDED.revision_b,
         rule = EXCLUDED.rule, severity = EXCLUDED.severity, cells = EXCLUDED.cells,
         start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
         arrondissement = EXCLUDED.arrondissement, version = EXCLUDED.version,
         digest = EXCLUDED.digest, changed_at = EXCLUDED.changed_at, point = EXCLUDED.point,
         geom = EXCLUDED.geom
       RETURNING arrondissement, changed_at`,
      [
        c.eventA,
        c.eventB,
        status,
        c.kindA,
        c.kindB,
        c.revisionA,
        c.revisionB,
        c.rule,
        c.severity,
        c.cells,
        new Date(c.startAt),
        new Date(c.endAt),
        version,
        digest,
        c.point[0],
        c.point[1],
        JSON.stringify({ type: 'MultiPolygon', coordinates: outline }),
      ],
    );
    const stored = rows[0];
    const record: Alert = {
      alertId: pairKeyOf(c.eventA, c.eventB),
      version,
      status,
      eventA: { eventId: c.eventA, kind: c.kindA, revision: c.revisionA },
      eventB: { eventId: c.eventB, kind: c.kindB, revision: c.revisionB },
      rule: c.rule,
      severity: c.severity,
      cells: [...c.cells],
      point: { lon: c.point[0], lat: c.point[1] },
      arrondissement: stored?.arrondissement ?? null,
      startAt: c.startAt,
      endAt: c.endAt,
      changedAt: stored?.changed_at.getTime() ?? Date.now(),
    };
    await this.client.query(
      `INSERT INTO alert_outbox (event_a, event_b, version, record) VALUES ($1, $2, $3, $4)`,
      [c.eventA, c.eventB, version, JSON.stringify(record)],
    );
    for (const target of this.webhookTargets)
      await enqueueWebhook(this.client, {
        id: deliveryId(record, target),
        target,
        payload: record,
      });
    return record;
  }
}

/** The delivery id of a version to a target: a UUID drawn from both, the same on every try. */
function deliveryId(alert: Alert, target: string): string {
  const hex = createHash('sha256')
    .update(`${alert.alertId}|${alert.version}|${target}`)
    .digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What makes two versions of a pair's alert the same: all but the time it was computed. */
function digestOf(status: Alert['status'], c: Conflict): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        status,
        c.revisionA,
        c.revisionB,
        c.rule,
        c.severity,
        c.startAt,
        c.endAt,
        c.cells,
      ]),
    )
    .digest('hex');
}

/**
 * Settles every marked event untouched for `settleMs` (0: all of them), in transactions of its
 * own, until none is left: what the aggregator's publisher does before sending, for the
 * command line and the tests. Returns the alert versions written.
 */
export async function settleAlerts(
  pool: Pool,
  options: AlertOptions,
  settleMs = 0,
): Promise<Alert[]> {
  const written: Alert[] = [];
  for (;;) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alert_pending`,
      );
      const outcome = await new AlertStore(
        client,
        options.alertRules,
        options.alertWebhooks,
      ).settle(settleMs);
      await client.query('COMMIT');
      written.push(...outcome.records);
      if ((rows[0]?.n ?? 0) <= 1_000) return written;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
