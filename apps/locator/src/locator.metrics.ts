import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** The locator's Prometheus metrics, in a registry of its own. */
export class LocatorMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'cortege_locator_events_total',
    help: 'Clean events by outcome: located (by geocode quality), cancelled, skipped (replayed revision), dead_lettered (by reason).',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly cells = new Counter({
    name: 'cortege_locator_cells_total',
    help: 'Presence cells written.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
