import fc from 'fast-check';
import { sampleSubmissions } from '@app/testing';
import { request, type HttpResponse } from '../test/http-client';
import { CapturingLogger, startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';

/**
 * A property-based fuzz test of `POST /v1/submissions` (issue #17): thousands of generated
 * malformed bodies — valid submissions mutated (wrong types, huge and non-finite numbers, odd
 * Unicode, lone surrogates, keys named like Object.prototype members, deep nesting, missing and
 * unknown fields), batches holding them, random JSON, broken JSON and bytes that are not UTF-8.
 * Whatever the body: no 5xx, no stack trace in any answer, every refusal a JSON error with its
 * code, no error logged, and nothing published but what a 202 says was newly accepted (the
 * topic's end offsets before and after).
 *
 * Deterministic: the seed is fixed; a failure prints it with fast-check's counterexample path.
 */
const SEED = 1717;
const RUNS = { mutated: 3000, text: 1500 };

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Text written into the body as is: what JSON.stringify cannot write (1e309, lone surrogates…). */
class Raw {
  constructor(readonly text: string) {}
}
type Hostile = JsonValue | Raw;

/** JSON text of a value that may hold `Raw` parts (keys are strings, as JSON.parse gives). */
function write(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
];

const deepArray = (depth: number) => new Raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
const deepObject = (depth: number) => new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** Values a hostile client puts where a field is expected. */
const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  // Numbers: non-finite as JSON.parse reads them, beyond a Date, beyond safe integers, odd.
  fc.constantFrom(
    ...[
      '1e309',
      '-1e309',
      '9e15',
      '-8.7e15',
      '8640000000000001',
      '9007199254740993',
      '123456789012345678901234567890',
      '-0',
      '1e-400',
      '4.5',
      '-1',
      '2147483648',
      '181',
      '-90.0000001',
    ].map((n) => new Raw(n)),
  ),
  fc.double(),
  fc.integer(),
  // Text: lone surrogates, controls, bidi, huge, dates that are not.
  fc.constantFrom(
    ...[
      '"\\ud800"',
      '"abc\\udfff"',
      '"\\udc00\\ud800"',
      '"\\u0000"',
      '"\\u202e\\u200b"',
      '"𝕏🎺é"',
      '""',
      '"2026-05-01T10:30+99:99"',
      '"2026-05-01T10:30+14:01"',
      '"+275760-09-13T00:00:00.001Z"',
      '"-271821-04-19T23:59:59.999Z"',
      '"2026-03-29T02:30"',
      '"UNION"',
      '"UPSERT"',
      '"3F6C1A52-8E0B-4C57-9A41-2B7D0E9F6A10"',
    ].map((s) => new Raw(s)),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0xd700, max: 0xe000 }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  // Structures: deep, prototype-named, empty, random JSON.
  fc.constantFrom(100, 1000, 5000, 20_000).map(deepArray),
  fc.constantFrom(1000, 5000).map(deepObject),
  fc.constantFrom(...PROTOTYPE_NAMES).map((k) => new Raw(`{${JSON.stringify(k)}:{"subject":"x"}}`)),
  fc.constantFrom<JsonValue>(null, true, false, [], {}, [null], { lon: 5.37 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
);

/** One change to a submission: `pick` chooses the place among all of its places. */
type Mutation =
  | { kind: 'replace'; pick: number; value: Hostile }
  | { kind: 'delete'; pick: number }
  | { kind: 'add'; pick: number; key: string; value: Hostile }
  | { kind: 'renameKind'; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      pick: fc.nat(),
      value: hostileValue,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 })),
      value: hostileValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('renameKind' as const),
      key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 })),
    }),
  },
);

type Container = Record<string, unknown> | unknown[];

/** Sets an own property, even one named `__proto__` (an assignment would change the prototype). */
const put = (target: object, key: string, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

/** Every place of a value: each container with one of its keys, depth first. */
function places(
  value: unknown,
  found: Array<[Container, string]> = [],
): Array<[Container, string]> {
  if (value instanceof Raw || typeof value !== 'object' || value === null) return found;
  const container = value as Container;
  for (const key of Object.keys(container)) {
    found.push([container, key]);
    places((container as Record<string, unknown>)[key], found);
  }
  return found;
}

function mutate(submission: Record<string, unknown>, mutations: readonly Mutation[]): unknown {
  for (const m of mutations) {
    if (m.kind === 'renameKind') {
      const payload = submission.payload;
      if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
        const inner: unknown = Object.values(payload as Record<string, unknown>)[0];
        submission.payload = put({}, m.key, inner);
      }
      continue;
    }
    const all = places(submission);
    if (all.length === 0) continue;
    const [container, key] = all[m.pick % all.length]!;
    if (m.kind === 'replace') put(container, key, m.value);
    else if (m.kind === 'delete') {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
    } else {
      const target = (container as Record<string, unknown>)[key];
      if (
        typeof target === 'object' &&
        target !== null &&
        !Array.isArray(target) &&
        !(target instanceof Raw)
      )
        put(target, m.key, m.value);
      else put(container, key, m.value);
    }
  }
  return submission;
}

const samples = Object.values(sampleSubmissions());
const sampleJson = (i: number) =>
  JSON.parse(JSON.stringify(samples[i % samples.length])) as Record<string, unknown>;

/** A body: a mutated submission alone, or in a batch beside valid and mutated ones. */
const mutatedBody: fc.Arbitrary<string> = fc
  .record({
    sample: fc.nat(),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    batch: fc.option(fc.tuple(fc.nat({ max: 3 }), fc.array(mutation, { maxLength: 2 })), {
      freq: 4,
    }),
  })
  .map(({ sample, mutations, batch }) => {
    const one = mutate(sampleJson(sample), mutations);
    if (batch === null) return write(one);
    const [valid, more] = batch;
    const items = [
      ...Array.from({ length: valid }, (_, i) => sampleJson(sample + i + 1)),
      one,
      mutate(sampleJson(sample + 2), more),
    ];
    return write(items);
  });

/** A body broken as text: cut, a byte changed, bytes that are not UTF-8, or random JSON. */
const textBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.record({ sample: fc.nat(), at: fc.nat() }).map(({ sample, at }) => {
    const text = JSON.stringify(sampleJson(sample));
    return text.slice(0, at % text.length);
  }),
  fc
    .record({
      sample: fc.nat(),
      at: fc.nat(),
      char: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
    })
    .map(({ sample, at, char }) => {
      const text = JSON.stringify(sampleJson(sample));
      const i = at % text.length;
      return `${text.slice(0, i)}${char}${text.slice(i + 1)}`;
    }),
  fc
    .record({ sample: fc.nat(), at: fc.nat(), byte: fc.integer({ min: 0x80, max: 0xff }) })
    .map(({ sample, at, byte }) => {
      const bytes = Buffer.from(JSON.stringify(sampleJson(sample)));
      bytes[at % bytes.length] = byte;
      return bytes;
    }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    '',
    ' ',
    '[]',
    '[[]]',
    '{}',
    'null',
    '"x"',
    '1e309',
    '[1e309]',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  ),
);

/** A body as fast-check prints it in a counterexample: cut to its first 2,000 characters. */
interface Body {
  readonly bytes: string | Buffer;
  readonly [fc.toStringMethod]: () => string;
}
const asBody = (bytes: string | Buffer): Body => ({
  bytes,
  [fc.toStringMethod]: () => {
    const text = bytes.toString();
    return `${JSON.stringify(text.slice(0, 2000))}${text.length > 2000 ? ` … (${text.length} characters)` : ''}`;
  },
});

const STACK_TRACE = /\n\s*at |\bat \S+ \(|\.(?:ts|js):\d+:\d+/;

describe('POST /v1/submissions under fuzzing (fast-check)', () => {
  let api: RunningIngestApi;
  let token: string;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    api = await startIngestApi({}, { logger });
    token = await api.issuer.token();
  });
  afterAll(async () => api?.close());

  /** The published count a 202 announces: its submissions not marked duplicate. */
  let announced = 0;
  let answered = 0;
  const statuses = new Map<number, number>();

  const post = (body: string | Buffer): Promise<HttpResponse> =>
    request(`${api.url}/v1/submissions`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    });

  /** The property every answer keeps, whatever the body. */
  const check = async ({ bytes }: Body): Promise<void> => {
    const response = await post(bytes);
    answered += 1;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status >= 500) {
      const logged = logger.lines.filter((l) => l.level === 'error').at(-1)?.text ?? '(nothing)';
      throw new Error(
        `${response.status}: ${response.text.slice(0, 300)}; logged: ${logged.slice(0, 600)}`,
      );
    }
    if (STACK_TRACE.test(response.text))
      throw new Error(`a stack trace in the answer: ${response.text.slice(0, 300)}`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const answer = response.json<{ error?: unknown; accepted?: Array<{ duplicate: boolean }> }>();
    if (response.status === 202)
      announced += (answer.accepted ?? []).filter((a) => !a.duplicate).length;
    else expect(typeof answer.error).toBe('string');
  };

  const run = async (arbitrary: fc.Arbitrary<string | Buffer>, numRuns: number) => {
    logger.lines.length = 0;
    try {
      await fc.assert(fc.asyncProperty(arbitrary.map(asBody), check), {
        seed: SEED,
        numRuns,
        endOnFailure: true,
      });
    } catch (error) {
      throw new Error(
        `the fuzz test failed with seed ${SEED} (set SEED in ${__filename} to replay)\n${(error as Error).message}\nCause: ${String((error as Error).cause)}`,
      );
    }
  };

  it(`answers ${RUNS.mutated} mutated submissions and batches without a 5xx, a stack trace, or a publication it did not announce`, async () => {
    const before = await api.recordCount();
    await run(mutatedBody, RUNS.mutated);
    expect(answered).toBe(RUNS.mutated);
    expect(await api.recordCount()).toBe(before + announced);
    // The run explored refusals, not only one kind of answer.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS.mutated / 2);
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect(logger.lines.filter((l) => STACK_TRACE.test(l.text))).toEqual([]);
  });

  it(`answers ${RUNS.text} bodies broken as text or bytes with 4xx, publishing nothing`, async () => {
    const before = await api.recordCount();
    announced = 0;
    statuses.clear();
    await run(textBody, RUNS.text);
    expect(await api.recordCount()).toBe(before + announced);
    expect([...statuses.keys()].every((s) => s === 202 || (s >= 400 && s < 500))).toBe(true);
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });
});
