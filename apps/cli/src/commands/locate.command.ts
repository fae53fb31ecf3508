import type { Readable, Writable } from 'node:stream';
import { parseSubmission } from '@app/contracts';
import type { LocatorModel } from '@app/geo';
import type { Geocoder } from '@app/geocoding';
import { LocatedEventsState, locateSubmission } from '@app/location';
import { mapJsonLines } from '../json-lines';

export const LOCATE_HELP = `cortege locate < events.jsonl > presence.jsonl

Reads clean events as JSON lines (what \`cortege sanitize\` writes as "event", or the Avro JSON
shape) and writes, per line, the event's presence records per H3 region, with the same code
as the locator stage:
  {"line":1,"outcome":"located","presence":[{"region":"85396…","cells":[{"cell":"8a39…","startAt":…,"endAt":…}],…}]}
  {"line":2,"outcome":"not_found","addresses":["…"]}      no place resolved (geocode_not_found)
  {"line":3,"outcome":"skipped"}                           a revision already located above
  {"line":4,"outcome":"rejected","violations":[…]}         not a valid event
  {"line":5,"outcome":"rejected","stage":"sanitize",…}     passed through: what \`cortege sanitize\`
                                                           did not clean (rejected, duplicate,
                                                           stale) keeps its outcome and reasons
Addresses are geocoded with the PostGIS gazetteer (DATABASE_URL; import it with
\`cortege gazetteer import\`). The model (H3 resolution, walking speed…) comes from the
LOCATOR_* variables, as for the stage.`;

/**
 * A line of `cortege sanitize` that is not a clean event (rejected, duplicate, stale), without
 * its line number; undefined for anything else.
 */
function notCleaned(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || 'event' in value) return undefined;
  const { outcome, line: _line, ...rest } = value as Record<string, unknown>;
  return outcome === 'rejected' || outcome === 'duplicate' || outcome === 'stale'
    ? { outcome, ...rest }
    : undefined;
}

/** `cortege locate`: the locator stage over JSON lines, without Kafka. */
export function locateCommand(
  input: Readable,
  output: Writable,
  geocoder: Geocoder,
  model: LocatorModel,
  now: () => number = Date.now,
): Promise<number> {
  const state = new LocatedEventsState();
  return mapJsonLines(
    input,
    output,
    async (value, line) => {
      const upstream = notCleaned(value);
      if (upstream) return { ...upstream, line, stage: 'sanitize' };
      const event =
        value !== null && typeof value === 'object' && 'event' in value ? value.event : value;
      const parsed = parseSubmission(event);
      if (!parsed.ok) return { line, outcome: 'rejected', violations: parsed.violations };
      const { eventId } = parsed.submission;
      const outcome = await locateSubmission(
        parsed.submission,
        state.get(eventId),
        geocoder,
        model,
        now(),
      );
      switch (outcome.kind) {
        case 'skipped':
          return { line, outcome: 'skipped' };
        case 'not_found':
          return { line, outcome: 'not_found', addresses: outcome.addresses };
        case 'located':
          state.stage(eventId, outcome.record);
          state.commit();
          return {
            line,
            outcome: 'located',
            unresolved: outcome.unresolved,
            presence: outcome.presence,
          };
        default: {
          const _exhaustive: never = outcome;
          return _exhaustive;
        }
      }
    },
    (_message, line) => ({
      line,
      outcome: 'rejected',
      violations: [{ path: '', code: 'malformed_json', message: 'not a valid JSON value' }],
    }),
  );
}
