import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { locatorModel } from '@app/geo';
import type { Geocoder } from '@app/geocoding';
import type { GeocodingPool } from '@app/geocoding-adapters';
import { retentionConfigs, scanTopic } from '@app/kafka';
import { LocatedEventsState } from '@app/location';
import { AvroSerde } from '@app/schema-registry';
import type { StageDefinition } from '@app/stage-runtime';
import { statusTopicSpec, statusWriter } from '@app/submission-status';
import { LocatorHandler, PRESENCE_HEADERS } from './locator.handler';
import type { LocatorMetrics } from './locator.metrics';

/**
 * The locator: clean events → presence records per H3 region | dead letters, exactly once.
 * On each start it relearns what it wrote from the presence topic (each event's last revision
 * and regions), so that a revision clears the regions its predecessor left. Each event's
 * outcome also goes to the submission status topic, in the same transaction. PostgreSQL is
 * among its dependencies: the gazetteer lives there.
 */
export function locatorStage(
  config: AppConfig,
  metrics: LocatorMetrics,
  geocoder: Geocoder,
  geocoding: GeocodingPool,
): StageDefinition<Submission> {
  const { locator } = config;
  const model = locatorModel(locator.modelOverrides);
  return {
    stage: 'locator',
    groupId: locator.groupId,
    instanceId: locator.instanceId,
    inputTopic: locator.inputTopic,
    inputCompacted: true,
    inputSchema: SUBMISSION_SCHEMA,
    dlqTopic: locator.dlqTopic,
    topics: [
      {
        topic: locator.inputTopic,
        numPartitions: locator.partitions,
        configs: retentionConfigs(config.retention, 'events'),
      },
      {
        topic: locator.presenceTopic,
        numPartitions: locator.partitions,
        configs: retentionConfigs(config.retention, 'presence'),
      },
      statusTopicSpec(config, locator.partitions),
    ],
    probes: { postgres: () => geocoding.ping() },
    deadLettered: (reason) => metrics.events.inc({ outcome: 'dead_lettered', reason }),
    async prepare({ kafka, registry, log }) {
      await geocoding.ready();
      const state = new LocatedEventsState();
      const scanned = await scanTopic(kafka, locator.presenceTopic, (key, headers) => {
        const revision = Number(headers[PRESENCE_HEADERS.revision]);
        const eventId = headers[PRESENCE_HEADERS.eventId];
        if (key && eventId && Number.isInteger(revision)) {
          const cells = Number(headers[PRESENCE_HEADERS.cells] ?? 0);
          state.remember(eventId, revision, key.toString(), cells > 0);
        }
      });
      log.log(
        `learnt ${state.size} located event(s) from ${scanned} record(s) of ${locator.presenceTopic}`,
      );
      return new LocatorHandler(
        locator.presenceTopic,
        await AvroSerde.register<Presence>(registry, locator.presenceTopic, PRESENCE_SCHEMA),
        geocoder,
        model,
        state,
        metrics,
        await statusWriter(registry, config, 'locator'),
      );
    },
  };
}
