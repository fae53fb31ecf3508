import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** The sanitizer's Prometheus metrics, in a registry of its own. */
export class SanitizerMetrics {
  readonly registry = new Registry();
  readonly records = new Counter({
    name: 'cortege_sanitizer_records_total',
    help: 'Input records by outcome: clean, dead_lettered (by reason), duplicate, stale.',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly replacements = new Counter({
    name: 'cortege_sanitizer_pii_replacements_total',
    help: 'Personal data replaced in free text, by kind (EMAIL, PHONE, …).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
