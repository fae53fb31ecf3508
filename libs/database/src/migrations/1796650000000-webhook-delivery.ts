import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of outgoing webhooks (libs/webhooks): a row per delivery, written in the
 * transaction of whatever decided to notify, then sent by a dispatcher that claims due rows
 * with `FOR UPDATE SKIP LOCKED` and a lease, so a crash loses nothing (the lease lapses and the
 * row is claimed again) and several dispatchers share the work. `payload` is the JSON text
 * exactly as sent, so every attempt signs and sends the same bytes.
 */
export class WebhookDelivery1796650000000 implements MigrationInterface {
  name = 'WebhookDelivery1796650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE webhook_delivery (
         id uuid PRIMARY KEY,
         target text NOT NULL CHECK (target <> ''),
         payload text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         attempts int NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL DEFAULT now(),
         last_attempt_at timestamptz,
         last_status int,
         last_error text,
         delivered_at timestamptz,
         given_up_at timestamptz
       )`,
    );
    // The dispatcher's scan: the pending rows, by when they are due.
    await q.query(
      `CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at)
        WHERE delivered_at IS NULL AND given_up_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery`);
  }
}
