import type { Pool } from 'pg';
import {
  alertOptionsOf,
  AggregateRebuild,
  HotspotStore,
  RebuildError,
  presenceProblem,
  type PresenceInput,
  type PresenceSource,
} from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { kafkaFromConfig, readRange, type ConsumedPosition } from '@app/kafka';
import { AvroSerde, RegistryClient, SerdeError } from '@app/schema-registry';
import { tensionModelOf } from '@app/tension';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import { startProgress } from '../progress';
import { missingSchemaMessage } from './with-database';

export const REBUILD_HELP = `usage: cortege rebuild [--json]

Recomputes every aggregate (event, event_region, event_presence, cell_tension, tension_zone)
from the presence topic, with the tension model of the configuration, into shadow tables, then
swaps them in one transaction: analysts see the old tables until then and the new ones after,
never a half-built state. The live aggregator may keep running: it waits during the swap,
then goes on from the rebuilt positions. Use it after a change of the tension model (the
TENSION_* variables), or to prove the tables right. Prints the new tables' checksum (as
cortege checksum does): two rebuilds of the same topic give the same one, and a rebuild of a
settled pipeline gives the live tables' own. In the swap, recomputes the conflict alerts of
every event against the live ones (only what changed is written, and published by the
aggregator). Then recomputes the hotspots of every window from the new tables (as cortege
hotspots recompute does, at HOTSPOT_ALPHA).

Exit codes: 0 done, 1 failed (the schema missing, the registry or Kafka away), 2 bad usage.`;

/** `cortege rebuild`: `argv` is what follows `rebuild`. Returns the exit code. */
export async function rebuildCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage } = argumentRefusals('rebuild', REBUILD_HELP, io);
  const parsed = commandArgs(argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usage(`unexpected ${positionals.join(', ')}`);
  const json = values.json === true;
  const { inputTopic: topic, groupId } = config.aggregator;
  const model = tensionModelOf(config.tension);
  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
  const serde = AvroSerde.forDecoding<Presence>(
    new RegistryClient(config.registry.url),
    topic,
    PRESENCE_SCHEMA,
  );

  const source: PresenceSource = {
    async read(from, chunk) {
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
      const total = ends.reduce(
        (n, e) => n + Number(BigInt(e.high) - BigInt(from.get(e.partition) ?? e.low)),
        0,
      );
      const progress = startProgress(`reading ${topic}`, total, io.stderr);
      try {
        await readRange(kafka, topic, {
          from,
          onBatch: async (partition, messages) => {
            const inputs: PresenceInput[] = [];
            const skipped: ConsumedPosition[] = [];
            for (const message of messages) {
              const position = { topic, partition, offset: message.offset };
              try {
                const record = await serde.decode(message.value);
                if (presenceProblem(record, model) === undefined)
                  inputs.push({ ...position, record });
                else skipped.push(position);
              } catch (error) {
                // What the aggregator dead-letters, the rebuild leaves out the same way.
                if (!(error instanceof SerdeError) || error.retriable) throw error;
                skipped.push(position);
              }
            }
            await chunk(inputs, skipped);
            progress.add(messages.length);
          },
        });
      } finally {
        progress.stop();
      }
      return new Map(ends.map((e) => [e.partition, e.high]));
    },
  };

  const started = Date.now();
  const rebuild = new AggregateRebuild(
    config.database.url,
    model,
    groupId,
    topic,
    alertOptionsOf(config.aggregator.alerts),
  );
  let outcome: Awaited<ReturnType<AggregateRebuild['run']>>;
  try {
    outcome = await rebuild.run(source, (phase) => {
      if (!json) io.stderr.write(`rebuild: ${phase}\n`);
    });
  } catch (error) {
    const message = error instanceof RebuildError ? error.message : missingSchemaMessage(error);
    if (message === undefined) throw error;
    io.stderr.write(`cortege rebuild: ${message}\n`);
    return 1;
  }
  const pool = openPool();
  let hotspots: { windows: number; hot: number; cold: number; ms: number };
  try {
    // The hotspots from the tables just swapped in (the live aggregator refreshes only the
    // windows its own batches touch).
    const hotspotsStarted = Date.now();
    const windows = await new HotspotStore(pool, model.bucketMinutes).recomputeAll(
      config.aggregator.hotspots.alpha,
    );
    hotspots = {
      windows: windows.length,
      hot: windows.reduce((n, w) => n + w.hot, 0),
      cold: windows.reduce((n, w) => n + w.cold, 0),
      ms: Date.now() - hotspotsStarted,
    };
    await recordOperation(pool, {
      command: 'cortege rebuild',
      params: { topic, group: groupId, model: config.tension, digest: outcome.checksum.digest },
      status: 0,
      rows: outcome.records,
      startedAt: started,
    });
  } finally {
    await pool.end();
  }
  if (json) {
    await writeLine(io.stdout, JSON.stringify({ ...outcome, hotspots }));
    return 0;
  }
  await writeLine(
    io.stdout,
    `rebuilt from ${outcome.records} presence record(s) (${outcome.skipped} left out as invalid) in ` +
      `${(outcome.buildMs / 1000).toFixed(1)} s; swapped in ${(outcome.swapMs / 1000).toFixed(1)} s` +
      (outcome.catchUps > 0 ? ` after catching up ${outcome.catchUps} time(s)` : ''),
  );
  for (const [table, sum] of Object.entries(outcome.checksum.tables))
    await writeLine(io.stdout, `  ${table.padEnd(15)} ${String(sum.rows).padStart(9)} rows`);
  await writeLine(io.stdout, `checksum ${outcome.checksum.digest}`);
  await writeLine(
    io.stdout,
    `hotspots recomputed: ${hotspots.windows} window(s), ${hotspots.hot} hot and ${hotspots.cold} cold cell(s) in ${(hotspots.ms / 1000).toFixed(1)} s`,
  );
  await writeLine(
    io.stdout,
    `alerts recomputed: ${outcome.alerts.raised} raised or changed, ${outcome.alerts.retracted} retracted (the aggregator publishes them)`,
  );
  return 0;
}
