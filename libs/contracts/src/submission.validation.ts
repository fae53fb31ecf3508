import { types, type Type } from 'avsc';
import { ViolationCode, type Violation } from './contract.error';
import { endsAfterStart } from './time-interval';
import { describeInstant, parseDateTime } from './date-time';
import { eventOf, PAYLOAD_BRANCH } from './event-kind';
import type { Submission } from './generated/contracts.types.generated';
import { submissionType } from './submission.type';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/**
 * A producer's application id: a lower-case letter, then up to 63 lower-case letters, digits,
 * dots, hyphens or underscores (`cortege-pp13`). An identifier, never free text.
 */
export const SOURCE_IDENTIFIER = /^[a-z][a-z0-9._-]{0,63}$/;
/** A UTF-16 surrogate without its pair: not a Unicode character, not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The range of each coordinate of a `cortege.Position`, WGS84 decimal degrees. */
export const COORDINATE_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  lon: [-180, 180],
  lat: [-90, 90],
};
const TIMESTAMP_FIELDS = new Set(['submittedAt', 'startAt', 'endAt']);
const COUNT_FIELDS = ['peopleExpected', 'peopleDeclared', 'carsExpected', 'carsDeclared'] as const;

export type SubmissionResult =
  { readonly ok: true; readonly submission: Submission } | SubmissionFailure;

const join = (path: readonly string[]) => path.join('.');

/** The JavaScript type of each Avro primitive of the schema, checked before avsc sees a value. */
const PRIMITIVE_JS_TYPE: Readonly<Record<string, string>> = {
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  string: 'string',
  boolean: 'boolean',
};

const PREVIEW_LENGTH = 80;

/**
 * A short, bounded description of a value for a message: never walks deeper than a few levels
 * (a 5,000-level array costs nothing) and never throws.
 */
export function preview(value: unknown, depth = 0): string {
  const cut = (text: string) =>
    text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return cut(
      JSON.stringify(value.length > PREVIEW_LENGTH ? value.slice(0, PREVIEW_LENGTH) : value),
    );
  if (typeof value === 'number') return String(value); // Infinity and -Infinity included
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  if (depth >= 2) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, 3).map((v) => preview(v, depth + 1));
    return cut(`[${items.join(',')}${value.length > 3 ? ',…' : ''}]`);
  }
  const keys = Object.keys(value);
  const entries = keys
    .slice(0, 3)
    .map(
      (k) =>
        `${JSON.stringify(k.slice(0, 20))}:${preview((value as Record<string, unknown>)[k], depth + 1)}`,
    );
  return cut(`{${entries.join(',')}${keys.length > 3 ? ',…' : ''}}`);
}

function describe(type: Type): string {
  if (type instanceof types.EnumType) return `one of ${type.symbols.join(', ')}`;
  if (type instanceof types.WrappedUnionType) {
    const branches = type.types.map((t) =>
      t.typeName === 'null' ? 'null' : `{"${t.branchName}": {...}}`,
    );
    return `one of ${branches.join(', ')}`;
  }
  if (type instanceof types.UnwrappedUnionType) return type.types.map(describe).join(' or ');
  if (type instanceof types.ArrayType) return `an array of ${describe(type.itemsType)}`;
  if (type instanceof types.RecordType) return `an object (${type.name ?? 'record'})`;
  if (type.typeName === 'int' || type.typeName === 'long') return 'an integer';
  return `a ${type.typeName}`;
}

/**
 * Copies `value` into the schema's shape: fills omitted fields that have a default, turns
 * ISO 8601 date-times into epoch milliseconds (local time = Europe/Paris), and reports
 * undeclared fields and unreadable dates. Leaves other mismatches for the schema check.
 */
function normalise(
  type: Type,
  value: unknown,
  path: string[],
  violations: Violation[],
  field?: string,
): unknown {
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
    violations.push({
      path: join(path),
      code: ViolationCode.InvalidText,
      message: 'holds a lone UTF-16 surrogate (not a Unicode character; write the whole pair)',
    });
    return value;
  }
  if (field === 'eventId' && path.length === 1 && typeof value === 'string') {
    // One event, one key: a UUID is read in any case and written in lower case.
    return UUID.test(value) ? value.toLowerCase() : value;
  }
  if (
    field !== undefined &&
    TIMESTAMP_FIELDS.has(field) &&
    value !== undefined &&
    // A non-integer number is left to the schema check (wrong_type, as before).
    (typeof value !== 'number' || Number.isSafeInteger(value))
  ) {
    const parsed = parseDateTime(value);
    if (parsed.ok) return parsed.epochMs;
    violations.push({ path: join(path), code: ViolationCode.InvalidDate, message: parsed.reason });
    return 0;
  }
  const primitive = PRIMITIVE_JS_TYPE[type.typeName];
  if (primitive !== undefined && value !== undefined && typeof value !== primitive) {
    // avsc's own checks coerce (`val | 0` for an int): a deep array would overflow the stack.
    violations.push({
      path: join(path),
      code: ViolationCode.WrongType,
      message: `expected ${describe(type)}, got ${preview(value)}`,
    });
    return undefined;
  }
  if (type instanceof types.EnumType && value !== undefined) {
    // avsc looks a symbol up in a plain object: 'constructor' would pass its check, and an
    // array would be turned into a key (recursively: a deep one overflows the stack).
    if (typeof value === 'string' && type.symbols.includes(value)) return value;
    violations.push({
      path: join(path),
      code: typeof value === 'string' ? ViolationCode.InvalidEnum : ViolationCode.WrongType,
      message:
        typeof value === 'string'
          ? `${preview(value)} is not ${describe(type)}`
          : `expected ${describe(type)}, got ${preview(value)}`,
    });
    return undefined;
  }
  if (
    type instanceof types.RecordType &&
    value !== undefined &&
    (typeof value !== 'object' || value === null || Array.isArray(value))
  ) {
    violations.push({
      path: join(path),
      code: ViolationCode.WrongType,
      message: `expected ${describe(type)}, got ${preview(value)}`,
    });
    return value;
  }
  if (type instanceof types.RecordType && typeof value === 'object' && value !== null) {
    const input = value as Record<string, unknown>;
    const known = new Set(type.fields.map((f) => f.name));
    for (const key of Object.keys(input)) {
      if (!known.has(key)) {
        violations.push({
          path: join([...path, key]),
          code: ViolationCode.UnknownField,
          message: `unknown field (not in ${type.name ?? 'the schema'})`,
        });
      }
    }
    const output: Record<string, unknown> = {};
    for (const f of type.fields) {
      const given = Object.hasOwn(input, f.name) ? input[f.name] : undefined;
      const fallback: unknown = f.defaultValue();
      const filled = given === undefined && fallback !== undefined ? fallback : given;
      output[f.name] = normalise(f.type, filled, [...path, f.name], violations, f.name);
    }
    if (type.name === 'cortege.Position') checkCoordinates(output, path, violations);
    return output;
  }
  if (type instanceof types.ArrayType && Array.isArray(value)) {
    return value.map((item, i) =>
      normalise(type.itemsType, item, [...path, String(i)], violations),
    );
  }
  if (
    type instanceof types.WrappedUnionType &&
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value)
  ) {
    const entries = Object.entries(value);
    const branch =
      entries.length === 1 ? type.types.find((t) => t.branchName === entries[0]?.[0]) : undefined;
    if (branch && entries[0])
      return {
        [entries[0][0]]: normalise(branch, entries[0][1], [...path, entries[0][0]], violations),
      };
    // Reported here: avsc looks a branch up in a plain object, so a key such as `constructor`
    // or `__proto__` would reach Object.prototype inside its check. It never sees this value.
    violations.push({
      path: join(path),
      code: ViolationCode.WrongType,
      message: `expected ${describe(type)}, got ${preview(value)}`,
    });
    return undefined;
  }
  if (type instanceof types.UnwrappedUnionType && value !== null && value !== undefined) {
    const inner = type.types.find((t) => t.typeName !== 'null');
    return inner ? normalise(inner, value, path, violations, field) : value;
  }
  return value;
}

/** Each coordinate of a position given as a number: finite and within its range. */
function checkCoordinates(
  position: Record<string, unknown>,
  path: readonly string[],
  violations: Violation[],
): void {
  for (const [name, [min, max]] of Object.entries(COORDINATE_RANGE)) {
    const value = position[name];
    if (typeof value === 'number' && !(value >= min && value <= max))
      violations.push({
        path: join([...path, name]),
        code: ViolationCode.OutOfRange,
        message: `must be a finite number from ${min} to ${max} (WGS84 decimal degrees), got ${preview(value)}`,
      });
  }
}

/** An event id as the contract takes it: an RFC 9562 UUID (versions 1–8), in any case. */
export function isEventId(value: string): boolean {
  return UUID.test(value);
}

/** A revision as the contract takes it: an integer ≥ 1. */
export function isRevision(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

/**
 * The envelope's rules, for the contract and the sanitizer alike: an RFC 9562 UUID event id
 * (versions 1–8, any case; `parseSubmission` writes it in lower case), a revision that is an
 * integer ≥ 1, a `source` that is an identifier (`SOURCE_IDENTIFIER`), and a payload for an
 * UPSERT.
 */
export function envelopeViolations(
  s: Pick<Submission, 'eventId' | 'revision' | 'action' | 'payload' | 'source'>,
): Violation[] {
  const found: Violation[] = [];
  if (!isEventId(s.eventId))
    found.push({
      path: 'eventId',
      code: ViolationCode.InvalidUuid,
      message: `${preview(s.eventId)} is not a UUID`,
    });
  if (!SOURCE_IDENTIFIER.test(s.source))
    found.push({
      path: 'source',
      code: ViolationCode.InvalidSource,
      message: `${preview(s.source)} is not an application identifier (a lower-case letter, then at most 63 of a-z 0-9 . _ -)`,
    });
  if (!isRevision(s.revision))
    found.push({
      path: 'revision',
      code: ViolationCode.InvalidRevision,
      message: 'must be an integer ≥ 1',
    });
  if (s.action === 'UPSERT' && s.payload === null)
    found.push({
      path: 'payload',
      code: ViolationCode.MissingPayload,
      message: 'an UPSERT carries its event',
    });
  return found;
}

/**
 * The field paths already reported, so that one place gets one violation: a path is taken when
 * it or one of its ancestors was reported (nothing more inside a value already found wrong).
 * Each check walks up the path's ancestors: no scan of the violations found so far.
 */
class ReportedPaths {
  private readonly paths = new Set<string>();

  add(path: string): void {
    this.paths.add(path);
  }

  covers(path: string): boolean {
    if (this.paths.has('') || this.paths.has(path)) return true;
    for (let at = path.lastIndexOf('.'); at > 0; at = path.lastIndexOf('.', at - 1)) {
      if (this.paths.has(path.slice(0, at))) return true;
    }
    return false;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The rules the schema cannot say: the envelope's, then time order and counts. Run on the
 * value as far as it could be read, also when the schema check found violations (so that one
 * answer names every fault): a rule looks only at fields of the right type.
 */
function rules(s: Submission): Violation[] {
  const found = envelopeViolations(s);
  if (!isObject(s.payload)) return found;
  const kinded = eventOf(s);
  if (kinded === null || !isObject(kinded.event)) return found;
  const base = `payload.${PAYLOAD_BRANCH[kinded.kind]}`;
  const event = kinded.event;
  if (
    typeof event.startAt === 'number' &&
    typeof event.endAt === 'number' &&
    !endsAfterStart(event)
  ) {
    found.push({
      path: `${base}.endAt`,
      code: ViolationCode.EndBeforeStart,
      message: `must be after startAt (${describeInstant(event.startAt)})`,
    });
  }
  for (const name of COUNT_FIELDS) {
    const count = (event as Partial<Record<(typeof COUNT_FIELDS)[number], unknown>>)[name];
    if (typeof count === 'number' && count < 0)
      found.push({
        path: `${base}.${name}`,
        code: ViolationCode.NegativeCount,
        message: 'must be ≥ 0',
      });
  }
  return found;
}

/** What the contract check says of a value that breaks it. */
export interface SubmissionFailure {
  readonly ok: false;
  /** Every violation found, in the order found: the schema's, then the other rules'. */
  readonly violations: readonly Violation[];
  /**
   * The value in the schema's shape as far as it could be read (defaults filled, date-times in
   * milliseconds, wrong values left out): NOT a valid submission. For rules checked after the
   * contract, so that they can report their violations in the same answer.
   */
  readonly shaped: unknown;
}

/**
 * Checks any value against the Submission contract and returns it in the schema's exact shape,
 * or every violation with its field path (all of them, at most one per place: a submission
 * with an unknown enum, a negative count and an end before its start gets the three). Accepts
 * the JSON shape of the ingest API: omitted optional fields, and date-times as ISO 8601
 * strings or epoch milliseconds. Callers report at most `MAX_VIOLATIONS` (`reportViolations`).
 */
export function parseSubmission(value: unknown): SubmissionResult {
  const violations: Violation[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      violations: [{ path: '', code: ViolationCode.WrongType, message: 'expected a JSON object' }],
      shaped: undefined,
    };
  }
  const shaped = normalise(submissionType, value, [], violations);
  const reported = new ReportedPaths();
  for (const v of violations) reported.add(v.path);
  const add = (v: Violation) => {
    // One violation per place: nothing more at or inside a value already found wrong.
    if (reported.covers(v.path)) return;
    reported.add(v.path);
    violations.push(v);
  };
  submissionType.isValid(shaped, {
    errorHook: (path, wrong, type) => {
      const at = join(path);
      if (wrong === undefined) {
        add({ path: at, code: ViolationCode.MissingField, message: `required, ${describe(type)}` });
      } else if (type instanceof types.EnumType) {
        add({
          path: at,
          code: ViolationCode.InvalidEnum,
          message: `${preview(wrong)} is not ${describe(type)}`,
        });
      } else {
        add({
          path: at,
          code: ViolationCode.WrongType,
          message: `expected ${describe(type)}, got ${preview(wrong)}`,
        });
      }
    },
  });
  for (const v of rules(shaped as Submission)) add(v);
  return violations.length > 0
    ? { ok: false, violations, shaped }
    : { ok: true, submission: shaped as Submission };
}
