import { RevisionGate, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { retentionConfigs, scanTopic } from '@app/kafka';
import { readPlaceNames } from '@app/geocoding-adapters';
import { PlaceNames, sanitizationPolicy } from '@app/sanitization';
import { AvroSerde } from '@app/schema-registry';
import type { StageDefinition } from '@app/stage-runtime';
import { EVENT_HEADERS, SanitizerHandler } from './sanitizer.handler';
import type { SanitizerMetrics } from './sanitizer.metrics';

/**
 * The sanitizer: submissions → clean events (scrubbed, repaired) | dead letters, exactly once.
 * On each start it learns the revisions already passed from the events topic, so that a
 * duplicate or an older revision is dropped, not passed twice.
 */
export function sanitizerStage(
  config: AppConfig,
  metrics: SanitizerMetrics,
): StageDefinition<Submission> {
  const { sanitizer } = config;
  return {
    stage: 'sanitizer',
    groupId: sanitizer.groupId,
    instanceId: sanitizer.instanceId,
    inputTopic: sanitizer.inputTopic,
    inputSchema: SUBMISSION_SCHEMA,
    dlqTopic: sanitizer.dlqTopic,
    topics: [
      {
        topic: sanitizer.inputTopic,
        numPartitions: sanitizer.partitions,
        configs: retentionConfigs(config.retention, 'submissions'),
      },
      // Compacted by eventId: the latest revision of each event stays, for rebuilds, until
      // `cortege retention apply` tombstones it.
      {
        topic: sanitizer.eventsTopic,
        numPartitions: sanitizer.partitions,
        configs: retentionConfigs(config.retention, 'events'),
      },
    ],
    deadLettered: (reason) => metrics.records.inc({ outcome: 'dead_lettered', reason }),
    async prepare({ kafka, registry, log }) {
      const gate = new RevisionGate();
      const scanned = await scanTopic(kafka, sanitizer.eventsTopic, (key, headers) => {
        const revision = Number(headers[EVENT_HEADERS.revision]);
        if (key && Number.isInteger(revision)) gate.remember(key.toString(), revision);
      });
      log.log(
        `learnt ${gate.size} event revision(s) from ${scanned} record(s) of ${sanitizer.eventsTopic}`,
      );
      const placeNames = new PlaceNames(await readPlaceNames(sanitizer.placesFile ?? undefined));
      log.log(`addresses keep ${placeNames.size} place name(s) of the gazetteer`);
      const policy = sanitizationPolicy({ ...sanitizer.policyOverrides, placeNames });
      return new SanitizerHandler(
        sanitizer.eventsTopic,
        await AvroSerde.register<Submission>(registry, sanitizer.eventsTopic, SUBMISSION_SCHEMA),
        policy,
        gate,
        metrics,
      );
    },
  };
}
