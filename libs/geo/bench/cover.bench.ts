// Micro-benchmark of the locator's geometry: `npx tsx libs/geo/bench/cover.bench.ts`.
// routeCover on the golden routes beside plain h3-js `latLngToCell` on the same half-edge samples
// (what a sample-only cover would cost), and locateEvent over every golden fixture.
import type { KindedEvent, Position } from '@app/contracts';
import { getHexagonEdgeLengthAvg, latLngToCell, UNITS } from 'h3-js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EARTH_RADIUS_METRES, locateEvent, routeCover } from '../src';

interface Fixture {
  kind: KindedEvent['kind'];
  event: Record<string, unknown> & { startAt: string; endAt: string };
  places: Array<Position | null>;
}

const dir = join(__dirname, '..', 'test', 'in');
const fixtures = readdirSync(dir)
  .filter((n) => n.endsWith('.json'))
  .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as Fixture);
const events = fixtures.map(
  (f) =>
    ({
      kind: f.kind,
      event: { ...f.event, startAt: Date.parse(f.event.startAt), endAt: Date.parse(f.event.endAt) },
    }) as KindedEvent,
);
const routes = fixtures
  .map((f) => (f.event.route as { coordinates: Position[] } | null)?.coordinates)
  .filter((r): r is Position[] => Array.isArray(r));

/** Points at most half an edge apart along each segment (linear in degrees: fine for a baseline). */
function halfEdgeSamples(line: readonly Position[], res: number): Position[] {
  const step = getHexagonEdgeLengthAvg(res, UNITS.m) / 2;
  const out: Position[] = [line[0]!];
  for (let i = 1; i < line.length; i++) {
    const [a, b] = [line[i - 1]!, line[i]!];
    const dLat = ((b.lat - a.lat) * Math.PI) / 180;
    const dLon = (((b.lon - a.lon) * Math.PI) / 180) * Math.cos((a.lat * Math.PI) / 180);
    const n = Math.max(1, Math.ceil((Math.hypot(dLat, dLon) * EARTH_RADIUS_METRES) / step));
    for (let k = 1; k <= n; k++)
      out.push({ lon: a.lon + ((b.lon - a.lon) * k) / n, lat: a.lat + ((b.lat - a.lat) * k) / n });
  }
  return out;
}

/** Runs `body` for about `ms` milliseconds after a warm-up; returns calls per second. */
function rate(body: () => void, ms = 1500): number {
  for (let i = 0; i < 50; i++) body();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    body();
    calls++;
  }
  return (calls * 1000) / (performance.now() - start);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
for (const res of [9, 10, 11]) {
  const cellsPerPass = routes.reduce((sum, r) => sum + routeCover(r, res).cells.length, 0);
  const samples = routes.map((r) => halfEdgeSamples(r, res));
  const samplesPerPass = samples.reduce((sum, s) => sum + s.length, 0);
  const sampledCells = samples.reduce(
    (sum, s) => sum + new Set(s.map((p) => latLngToCell(p.lat, p.lon, res))).size,
    0,
  );
  const cover = rate(() => routes.forEach((r) => routeCover(r, res)));
  const plain = rate(() =>
    samples.forEach((s) => s.forEach((p) => latLngToCell(p.lat, p.lon, res))),
  );
  console.log(
    `res ${res}: routeCover ${fmt(cover * cellsPerPass)} cells/s (${cellsPerPass} cells per pass of ` +
      `${routes.length} routes, ${fmt(cover * routes.length)} routes/s) | latLngToCell on the ` +
      `${samplesPerPass} half-edge samples ${fmt(plain * samplesPerPass)} points/s, ` +
      `${fmt(plain * sampledCells)} cells/s (${sampledCells} distinct cells, a corridor with gaps)`,
  );
}
const located = rate(() => events.forEach((e, i) => locateEvent(e, fixtures[i]!.places)));
console.log(
  `locateEvent over the ${events.length} golden events: ${fmt(located * events.length)} events/s`,
);
