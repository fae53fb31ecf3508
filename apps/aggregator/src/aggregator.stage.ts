import {
  alertOptionsOf,
  alertWebhookTarget,
  AlertPublisher,
  HotspotRefresher,
  HotspotStore,
  presenceProblem,
  PresenceAggregator,
} from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { ALERT_SCHEMA, PRESENCE_SCHEMA, type Alert, type Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { retentionConfigs } from '@app/kafka';
import { AvroSerde } from '@app/schema-registry';
import type { StageDefinition } from '@app/stage-runtime';
import { tensionModelOf } from '@app/tension';
import { WebhookDispatcher, type WebhookTarget } from '@app/webhooks';
import { Pool } from 'pg';
import { AggregatorHandler } from './aggregator.handler';
import type { AggregatorMetrics } from './aggregator.metrics';
import { KafkaAlertSink } from './kafka-alert-sink';

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
  const aggregator = new PresenceAggregator(pool, model, options.groupId, {
    ...alertOptionsOf(options.alerts),
    submissionStatus: true,
  });
  let alerts: { publisher: AlertPublisher; sink: KafkaAlertSink } | undefined;
  // Each alert version is also POSTed, signed, to ALERT_WEBHOOKS from the webhooks' outbox;
  // this dispatcher claims the alert targets' deliveries only.
  const webhookTargets = new Map<string, WebhookTarget>(
    options.alerts.webhooks.map((w) => [alertWebhookTarget(w.name), w]),
  );
  let webhookWarn = (line: string): void => void line;
  const webhooks = new WebhookDispatcher(pool, {
    ...config.webhooks,
    targets: (name) => webhookTargets.get(name),
    only: [...webhookTargets.keys()],
    onAttempt: (a) => {
      metrics.alertWebhooks.inc({ outcome: a.outcome });
      if (a.outcome !== 'delivered')
        webhookWarn(`alert webhook ${a.target} attempt ${a.attempt}: ${a.error ?? a.status}`);
    },
    onError: (error) => webhookWarn(`alert webhooks: ${String(error)}`),
  });
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
      {
        topic: options.alerts.topic,
        numPartitions: options.partitions,
        configs: retentionConfigs(config.retention, 'alerts'),
      },
    ],
    maxRecordsPerTransaction: options.maxBatch,
    probes: { postgres: async () => void (await pool.query('SELECT 1')) },
    storedPositions: () => aggregator.storedPositions(options.inputTopic),
    check: (record) => presenceProblem(record, model),
    deadLettered: (reason) => metrics.records.inc({ outcome: 'dead_lettered', reason }),
    async prepare({ kafka, registry, log }) {
      hotspotWarn = (line) => log.warn(line);
      const applied = await migrate(database.url);
      if (applied.length > 0) log.log(`migrations applied: ${applied.join(', ')}`);
      // The alert versions batches write are sent from the outbox after they commit (README,
      // "Conflict alerts").
      const serde = await AvroSerde.register<Alert>(registry, options.alerts.topic, ALERT_SCHEMA);
      const sink = new KafkaAlertSink(kafka, options.alerts.topic, serde);
      const publisher = new AlertPublisher(pool, sink, {
        intervalMs: options.alerts.publishMs,
        settle: { ...alertOptionsOf(options.alerts), settleMs: options.alerts.settleMs },
        sent: (count) => metrics.alertsPublished.inc(count),
        failed: (error) => log.warn(`alert publication failed, tried again: ${String(error)}`),
      });
      alerts = { publisher, sink };
      publisher.start();
      webhookWarn = (line) => log.warn(line);
      if (webhookTargets.size > 0) webhooks.start();
      return new AggregatorHandler(
        aggregator,
        metrics,
        (line) => log.warn(line),
        (outcome) => {
          hotspots.touch(outcome.hotspotDays);
          if (outcome.alerts > 0) publisher.touched();
        },
      );
    },
    async close() {
      await webhooks.close();
      await alerts?.publisher.close();
      await alerts?.sink.close();
      await hotspots.close();
      await pool.end();
    },
  };
}
