import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The aggregator's Prometheus metrics, in a registry of its own. */
export class AggregatorMetrics {
  readonly registry = new Registry();
  readonly records = new Counter({
    name: 'cortege_aggregator_records_total',
    help: 'Presence records by outcome: applied, stale (not newer than stored), replayed (below the stored position), dead_lettered (by reason).',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly cellRows = new Counter({
    name: 'cortege_aggregator_cell_rows_total',
    help: 'cell_tension rows recomputed and written.',
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'cortege_aggregator_batch_seconds',
    help: 'Time of one PostgreSQL transaction of the aggregator.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly hotspotSeconds = new Histogram({
    name: 'cortege_aggregator_hotspot_window_seconds',
    help: 'Time to recompute one hotspot window (day or week) after batches touched it, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly hotspotFailures = new Counter({
    name: 'cortege_aggregator_hotspot_failures_total',
    help: 'Hotspot recomputations that failed (their windows are tried again).',
    registers: [this.registry],
  });
  readonly hotspotBusy = new Gauge({
    name: 'cortege_aggregator_hotspot_busy',
    help: '1 while hotspot windows touched by committed batches wait or are being recomputed, else 0.',
    registers: [this.registry],
  });
  readonly alertsPublished = new Counter({
    name: 'cortege_aggregator_alerts_published_total',
    help: 'Alert versions sent from the outbox to the alerts topic.',
    registers: [this.registry],
  });
  readonly alertWebhooks = new Counter({
    name: 'cortege_aggregator_alert_webhook_attempts_total',
    help: 'Attempts to deliver an alert version to a webhook, by outcome (delivered, retry, gave-up).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
