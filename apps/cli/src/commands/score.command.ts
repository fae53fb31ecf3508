import type { Readable, Writable } from 'node:stream';
import { presenceProblem, PresenceLedger } from '@app/aggregation';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { bucketMsOf, kindsById, scoreCells, tensionZones, type TensionModel } from '@app/tension';
import { Type } from 'avsc';
import { readJsonLines } from '../json-lines';

export const SCORE_HELP = `cortege score < presence.jsonl > scores.jsonl

Reads presence records as JSON lines — what \`cortege locate\` writes ({"outcome":"located",
"presence":[…]}), or one presence record per line — applies them as the aggregator does (the
newest revision per event and region wins, a CANCEL removes), and writes, once the input ends,
every cell score then every zone of tension, with the model code of the aggregator:
  {"type":"cell","resolution":10,"cell":"8a39…","bucketStart":"2026-05-01T08:30:00.000Z","load":…,"conflict":…,"score":…,"eventIds":[…]}
  {"type":"zone","resolution":10,"bucketStart":"…","bucketEnd":"…","peakScore":…,"peakCell":"8a39…","cells":[…],"eventIds":[…],"kinds":[…]}
A line that is not a valid presence record is reported, in order, as
  {"type":"rejected","line":3,"message":"…"}
and what an earlier command did not pass on (not found, skipped, rejected…) goes through with
its outcome, its reasons and the stage that stopped it:
  {"type":"not_scored","line":4,"stage":"locate","outcome":"not_found","addresses":["…"]}
The model (weights, bucket, zone threshold, resolutions) comes from the TENSION_* variables.`;

const presenceType = Type.forSchema(PRESENCE_SCHEMA as never);

/** Presence records in a line: a `cortege locate` result or one bare record. */
function recordsOf(value: unknown): unknown[] {
  if (value !== null && typeof value === 'object' && 'presence' in value)
    return Array.isArray(value.presence) ? value.presence : [value.presence];
  return [value];
}

/**
 * A line of `cortege locate` (or of `cortege sanitize` passed through it) that carries no
 * presence: its outcome and reasons, the stage that stopped it; undefined for anything else.
 */
function notLocated(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || 'presence' in value) return undefined;
  const { outcome, line: _line, stage, ...rest } = value as Record<string, unknown>;
  if (typeof outcome !== 'string') return undefined;
  return { stage: typeof stage === 'string' ? stage : 'locate', outcome, ...rest };
}

/** Why `value` is not a presence record (field paths), or undefined. */
function shapeProblem(value: unknown): string | undefined {
  const wrong: string[] = [];
  presenceType.isValid(value, { errorHook: (path) => wrong.push(path.join('.') || '(root)') });
  return wrong.length > 0 ? `not a presence record: wrong ${wrong.join(', ')}` : undefined;
}

/** `cortege score`: the aggregator's model over JSON lines, without Kafka or PostgreSQL. */
export async function scoreCommand(
  input: Readable,
  output: Writable,
  model: TensionModel,
): Promise<void> {
  const ledger = new PresenceLedger();
  const write = async (row: object) => {
    if (!output.write(`${JSON.stringify(row)}\n`))
      await new Promise((resolve) => output.once('drain', resolve));
  };
  for await (const { value, line, malformed } of readJsonLines(input)) {
    if (malformed) {
      await write({ type: 'rejected', line, message: 'not a valid JSON value' });
      continue;
    }
    const upstream = notLocated(value);
    if (upstream) {
      await write({ type: 'not_scored', line, ...upstream });
      continue;
    }
    for (const candidate of recordsOf(value)) {
      const problem = shapeProblem(candidate);
      if (problem !== undefined) {
        await write({ type: 'rejected', line, message: problem });
        continue;
      }
      const record = candidate as Presence;
      const invalid = presenceProblem(record, model);
      if (invalid !== undefined) await write({ type: 'rejected', line, message: invalid.message });
      else ledger.apply(record);
    }
  }
  const events = ledger.events();
  const cells = scoreCells(events, model);
  for (const row of cells)
    await write({
      type: 'cell',
      resolution: row.resolution,
      cell: row.cell,
      bucketStart: new Date(row.bucketStart).toISOString(),
      load: row.load,
      conflict: row.conflict,
      score: row.score,
      eventIds: row.eventIds,
    });
  const bucketMs = bucketMsOf(model);
  for (const zone of tensionZones(cells, model, kindsById(events)))
    await write({
      type: 'zone',
      resolution: zone.resolution,
      bucketStart: new Date(zone.bucketStart).toISOString(),
      bucketEnd: new Date(zone.bucketStart + bucketMs).toISOString(),
      peakScore: zone.peakScore,
      peakCell: zone.peakCell,
      cells: zone.cells,
      eventIds: zone.eventIds,
      kinds: zone.kinds,
    });
}
