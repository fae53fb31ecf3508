import type { Readable, Writable } from 'node:stream';
import { RevisionGate } from '@app/contracts';
import { sanitize, validateSubmission, type SanitizationPolicy } from '@app/sanitization';
import { mapJsonLines } from '../json-lines';

export const SANITIZE_HELP = `cortege sanitize < submissions.jsonl > results.jsonl

Reads submissions as JSON lines (the ingest API's JSON shape) and writes, per line, the clean
event or the rejection with its reasons, with the same rules as the sanitizer stage:
  {"line":1,"outcome":"clean","event":{...},"scrubCounts":{"PHONE":1},"repairs":[]}
  {"line":2,"outcome":"rejected","violations":[{"path":"...","code":"...","message":"..."}]}
                                     every violation (contract and rules) at once, at most
                                     100, then "truncated":true,"total":N
  {"line":3,"outcome":"duplicate"}   same eventId and revision as a line already clean
  {"line":4,"outcome":"stale"}       older revision than a line already clean
The policy (maximum duration, counts, area of operation…) comes from the SANITIZER_*
variables, as for the stage.`;

/** `cortege sanitize`: the sanitizer stage over JSON lines, without Kafka. */
export function sanitizeCommand(
  input: Readable,
  output: Writable,
  policy: SanitizationPolicy,
): Promise<number> {
  const gate = new RevisionGate();
  return mapJsonLines(
    input,
    output,
    (value, line) => {
      // The contract and every rule at once, as the ingest API and the SDK check it.
      const parsed = validateSubmission(value, policy);
      if (!parsed.ok)
        return {
          line,
          outcome: 'rejected',
          violations: parsed.violations,
          ...(parsed.truncated ? { truncated: true, total: parsed.total } : {}),
        };
      const { eventId, revision } = parsed.submission;
      const verdict = gate.verdict(eventId, revision);
      if (verdict !== 'new') return { line, outcome: verdict };
      const result = sanitize(parsed.submission, policy);
      if (result.outcome === 'rejected')
        return { line, outcome: 'rejected', violations: result.violations };
      gate.stage(eventId, revision);
      gate.commit();
      return {
        line,
        outcome: 'clean',
        event: result.submission,
        scrubCounts: result.scrubCounts,
        repairs: result.repairs,
      };
    },
    (message, line) => ({
      line,
      outcome: 'rejected',
      violations: [{ path: '', code: 'malformed_json', message }],
    }),
  );
}
