import { ALERT_HEADERS, type AlertSink } from '@app/aggregation';
import type { Alert } from '@app/contracts';
import { scanTopic } from '@app/kafka';
import type { AvroSerde } from '@app/schema-registry';
import type { Kafka, Producer } from 'kafkajs';

/**
 * The alerts topic as the publisher's sink: an idempotent producer with one request in flight
 * (so a pair's versions keep their order through retries), key = `alertId`, the value in Avro
 * through the registry, the pair and version in headers so that a restart can tell what the
 * topic holds without decoding it.
 */
export class KafkaAlertSink implements AlertSink {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly serde: AvroSerde<Alert>,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  async send(alerts: readonly Alert[]): Promise<void> {
    this.connected ??= this.producer.connect();
    await this.connected;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: alerts.map((alert) => ({
        key: alert.alertId,
        value: this.serde.encode(alert),
        headers: {
          [ALERT_HEADERS.alertId]: alert.alertId,
          [ALERT_HEADERS.version]: String(alert.version),
        },
      })),
    });
  }

  async published(): Promise<ReadonlySet<string>> {
    const seen = new Set<string>();
    await scanTopic(this.kafka, this.topic, (_key, headers) => {
      const id = headers[ALERT_HEADERS.alertId];
      const version = headers[ALERT_HEADERS.version];
      if (id !== undefined && version !== undefined) seen.add(`${id}|${version}`);
    });
    return seen;
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.producer.disconnect();
  }
}
