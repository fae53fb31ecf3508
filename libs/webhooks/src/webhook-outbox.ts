import type { Pool, PoolClient } from 'pg';

/** A configured receiver: where deliveries of a target go, and the secret that signs them. */
export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

/** A delivery to put in the outbox. */
export interface WebhookMessage {
  /**
   * The delivery's id (a UUID), sent in `Cortege-Webhook-Id` on every attempt. Derive it from
   * what is notified so that enqueuing the same notification twice makes one delivery.
   */
  readonly id: string;
  /** The name of the target (its URL and secret are looked up when it is sent). */
  readonly target: string;
  /** The JSON body; serialised once here, sent byte for byte on every attempt. */
  readonly payload: unknown;
}

/** A delivery as stored in `webhook_delivery`. */
export interface WebhookDeliveryRow {
  readonly id: string;
  readonly target: string;
  readonly payload: string;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly nextAttemptAt: Date;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
  readonly givenUpAt: Date | null;
}

/**
 * Puts `message` in the outbox through `db`: a pool, or the client of the caller's own
 * transaction, so that the delivery is committed with what it announces, or not at all.
 * Enqueuing an id already there does nothing; returns whether a row was added.
 */
export async function enqueueWebhook(
  db: Pool | PoolClient,
  message: WebhookMessage,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO webhook_delivery (id, target, payload) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO NOTHING`,
    [message.id, message.target, JSON.stringify(message.payload)],
  );
  return rowCount === 1;
}

/** The stored delivery `id`, or undefined. */
export async function findWebhookDelivery(
  db: Pool | PoolClient,
  id: string,
): Promise<WebhookDeliveryRow | undefined> {
  const { rows } = await db.query<{
    id: string;
    target: string;
    payload: string;
    attempts: number;
    created_at: Date;
    next_attempt_at: Date;
    last_status: number | null;
    last_error: string | null;
    delivered_at: Date | null;
    given_up_at: Date | null;
  }>(`SELECT * FROM webhook_delivery WHERE id = $1`, [id]);
  const row = rows[0];
  return row === undefined
    ? undefined
    : {
        id: row.id,
        target: row.target,
        payload: row.payload,
        attempts: row.attempts,
        createdAt: row.created_at,
        nextAttemptAt: row.next_attempt_at,
        lastStatus: row.last_status,
        lastError: row.last_error,
        deliveredAt: row.delivered_at,
        givenUpAt: row.given_up_at,
      };
}
