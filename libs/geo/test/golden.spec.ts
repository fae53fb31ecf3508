import type { KindedEvent, Position } from '@app/contracts';
import { locateEvent, locatorModel, regionOf, type LocatorModel } from '@app/geo';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Golden fixtures: real Marseille events in `in/*.json` → their located form in `out/*.json`
// (geometry with coordinates rounded to 6 decimals, cells and intervals). The test compares;
// `REGEN=1 npx jest --selectProjects unit --testPathPatterns libs/geo/test/golden` rewrites them
// (then formats them with the project's Prettier, so `prettier --check` stays clean).

/** The one flag this test reads from the environment (no config object for a test switch). */
const regenerating = (): boolean => process.env.REGEN === '1';

const IN = join(__dirname, 'in');
const OUT = join(__dirname, 'out');

interface Fixture {
  readonly title: string;
  readonly kind: KindedEvent['kind'];
  /** The event as in the contract, with `startAt`/`endAt` as ISO-8601 UTC strings. */
  readonly event: Record<string, unknown> & { startAt: string; endAt: string };
  readonly places: Array<Position | null>;
  readonly model?: Partial<LocatorModel>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round6 = (value: unknown): unknown =>
  typeof value === 'number'
    ? Math.round(value * 1e6) / 1e6
    : Array.isArray(value)
      ? value.map(round6)
      : value;

function located(fixture: Fixture): unknown {
  const kinded = {
    kind: fixture.kind,
    event: {
      ...fixture.event,
      startAt: Date.parse(fixture.event.startAt),
      endAt: Date.parse(fixture.event.endAt),
    },
  } as KindedEvent;
  const model = locatorModel(fixture.model);
  const result = locateEvent(kinded, fixture.places, model);
  if (result.geocodeQuality === 'none') return result;
  const { presence } = result;
  const minutes = presence.map((p) => (p.endAt - p.startAt) / 60_000);
  return {
    title: fixture.title,
    geocodeQuality: result.geocodeQuality,
    unresolved: result.unresolved,
    resolution: result.resolution,
    geometry: {
      ...result.geometry,
      geometry: {
        ...result.geometry.geometry,
        coordinates: round6(result.geometry.geometry.coordinates),
      },
    },
    summary: {
      cells: presence.length,
      regions: [...new Set(presence.map((p) => regionOf(p.cell, model.regionResolution)))].sort(),
      firstStart: iso(Math.min(...presence.map((p) => p.startAt))),
      lastEnd: iso(Math.max(...presence.map((p) => p.endAt))),
      shortestMinutes: Math.round(Math.min(...minutes) * 10) / 10,
      longestMinutes: Math.round(Math.max(...minutes) * 10) / 10,
    },
    presence: presence.map((p) => ({ cell: p.cell, startAt: iso(p.startAt), endAt: iso(p.endAt) })),
  };
}

const names = readdirSync(IN)
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('golden fixtures (test/in → test/out)', () => {
  it('has fixtures to check', () => {
    expect(names.length).toBeGreaterThanOrEqual(7);
  });

  it.each(names)('%s', (name) => {
    const fixture = JSON.parse(readFileSync(join(IN, name), 'utf8')) as Fixture;
    const actual = located(fixture);
    const outPath = join(OUT, name);
    if (regenerating()) {
      writeFileSync(outPath, `${JSON.stringify(actual, null, 2)}\n`);
      execFileSync(process.execPath, [
        require.resolve('prettier/bin/prettier.cjs'),
        '--write',
        outPath,
      ]);
    }
    const expected: unknown = JSON.parse(readFileSync(outPath, 'utf8'));
    expect(actual).toEqual(expected);
  });
});
