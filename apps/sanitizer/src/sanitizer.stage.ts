import { Pool } from 'pg';
import { RevisionGate, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { migrate } from '@app/database';
import { retentionConfigs, scanTopic } from '@app/kafka';
import { readPlaceNames } from '@app/geocoding-adapters';
import { PlaceNames, sanitizationPolicy } from '@app/sanitization';
import { AvroSerde, SchemaApprovals, SerdeErrorCode } from '@app/schema-registry';
import type { StageDefinition } from '@app/stage-runtime';
import { statusTopicSpec, statusWriter } from '@app/submission-status';
import { EVENT_HEADERS, SanitizerHandler } from './sanitizer.handler';
import type { SanitizerMetrics } from './sanitizer.metrics';

/**
 * The sanitizer: submissions → clean events (scrubbed, repaired) | dead letters, exactly once.
 * On each start it learns the revisions already passed from the events topic, so that a
 * duplicate or an older revision is dropped, not passed twice. Each submission's outcome also
 * goes to the submission status topic, in the same transaction. A submission written with a
 * schema that was never approved (`cortege schema approve`, the approvals in PostgreSQL) is
 * dead-lettered as `unapproved_schema` before anything else.
 */
export function sanitizerStage(
  config: AppConfig,
  metrics: SanitizerMetrics,
): StageDefinition<Submission> {
  const { sanitizer } = config;
  const pool = new Pool({
    connectionString: config.database.url,
    max: 2,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection is an 'error' event, fatal unheard.
  pool.on('error', () => undefined);
  let approvals: SchemaApprovals | undefined;
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
      statusTopicSpec(config, sanitizer.partitions),
    ],
    deadLettered: (reason) => metrics.records.inc({ outcome: 'dead_lettered', reason }),
    probes: {
      postgres: async () => {
        await pool.query('SELECT 1');
      },
    },
    async admitWriter(schemaId) {
      if (approvals === undefined) throw new Error('the schema approvals are not read yet');
      if ((await approvals.judge(schemaId)) !== 'unapproved') return undefined;
      return {
        code: SerdeErrorCode.UnapprovedSchema,
        message: `schema ${schemaId} was never approved for a contract (cortege schema propose, then cortege schema approve)`,
      };
    },
    async prepare({ kafka, registry, log }) {
      await migrate(config.database.url);
      approvals = new SchemaApprovals(pool, registry);
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
        await statusWriter(registry, config, 'sanitizer'),
      );
    },
    close: () => pool.end(),
  };
}
