import {
  HotspotRefresher,
  HotspotStore,
  presenceProblem,
  PresenceAggregator,
} from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { retentionConfigs } from '@app/kafka';
import type { StageDefinition } from '@app/stage-runtime';
import { tensionModelOf } from '@app/tension';
import { Pool } from 'pg';
import { AggregatorHandler } from './aggregator.handler';
import type { AggregatorMetrics } from './aggregator.metrics';

/**
 * The aggregator: presence records → `event_presence`, `cell_tension` and `tension_zone` in
 * PostGIS, one transaction per chunk holding its effects and its positions (the positions
 * that count are PostgreSQL's; Kafka's committed offsets only show the lag). It migrates the
 * schema before consuming. A record the model could not aggregate is dead-lettered.
 */
export function aggregatorStage(
  config: AppConfig,
  metrics: AggregatorMetrics,
): StageDefinition<Presence> {
  const { aggregator: options, database } = config;
  const pool = new Pool({ connectionString: database.url, max: 2, connectionTimeoutMillis: 5_000 });
  // An idle client whose server went away (a restart) is reported here; without a listener
  // pg's 'error' event would end the process. The next query connects again, or fails.
  pool.on('error', () => undefined);
  const model = tensionModelOf(config.tension);
  const aggregator = new PresenceAggregator(pool, model, options.groupId);
  // The hotspot windows a batch touched are recomputed after it commits (README, "Hotspots").
  const hotspots = new HotspotRefresher(new HotspotStore(pool, model.bucketMinutes), {
    alpha: options.hotspots.alpha,
    delayMs: options.hotspots.refreshMs,
    recomputed: (outcome, ms) => metrics.hotspotSeconds.observe({ kind: outcome.kind }, ms / 1000),
    failed: (error) => {
      metrics.hotspotFailures.inc();
      hotspotWarn(`hotspot recomputation failed, tried again later: ${String(error)}`);
    },
    state: (busy) => metrics.hotspotBusy.set(busy ? 1 : 0),
  });
  let hotspotWarn = (line: string): void => void line;
  return {
    stage: 'aggregator',
    groupId: options.groupId,
    inputTopic: options.inputTopic,
    inputSchema: PRESENCE_SCHEMA,
    dlqTopic: options.dlqTopic,
    topics: [
      {
        topic: options.inputTopic,
        numPartitions: options.partitions,
        configs: retentionConfigs(config.retention, 'presence'),
      },
    ],
    maxRecordsPerTransaction: options.maxBatch,
    probes: { postgres: async () => void (await pool.query('SELECT 1')) },
    storedPositions: () => aggregator.storedPositions(options.inputTopic),
    check: (record) => presenceProblem(record, model),
    deadLettered: (reason) => metrics.records.inc({ outcome: 'dead_lettered', reason }),
    async prepare({ log }) {
      hotspotWarn = (line) => log.warn(line);
      const applied = await migrate(database.url);
      if (applied.length > 0) log.log(`migrations applied: ${applied.join(', ')}`);
      return new AggregatorHandler(
        aggregator,
        metrics,
        (line) => log.warn(line),
        (outcome) => hotspots.touch(outcome.hotspotDays),
      );
    },
    async close() {
      await hotspots.close();
      await pool.end();
    },
  };
}
