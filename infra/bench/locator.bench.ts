/**
 * Locator throughput, pure compute (geocodes served from memory, as the cache serves them):
 * `locateSubmission` (geometry, conservative H3 cover, march timing, split by region) beside
 * h3-js alone doing the bare cover of the same geometries (vertex cells, polygon cells, disks),
 * in one run, alternating rounds.
 */
import { gridDisk, latLngToCell, polygonToCells } from 'h3-js';
import { eventOf, type Submission } from '@app/contracts';
import { DEFAULT_LOCATOR_MODEL } from '@app/geo';
import type { GeocodeResult, Geocoder } from '@app/geocoding';
import { locateSubmission } from '@app/location';
import { median, rate, realisticSubmissions } from './bench.util';

const COUNT = 2_000;
const ROUNDS = 3;
const RES = DEFAULT_LOCATOR_MODEL.resolution;

/** Every address at a point near the Vieux-Port, varied by its text: geocodes from memory. */
const memory: Geocoder = {
  geocode: (query: string): Promise<GeocodeResult> => {
    let h = 0;
    for (const c of query) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    const position = { lon: 5.36 + (h % 1000) / 40_000, lat: 43.29 + ((h >>> 10) % 1000) / 40_000 };
    return Promise.resolve({
      position,
      score: 1,
      label: query,
      kind: 'place',
      source: 'gazetteer',
    });
  },
};

function bareCover(submission: Submission): number {
  const kinded = eventOf(submission);
  if (!kinded) return 0;
  const e = kinded.event;
  if ('route' in e && e.route)
    return new Set(e.route.coordinates.map((p) => latLngToCell(p.lat, p.lon, RES))).size;
  if ('footprint' in e && e.footprint) {
    return polygonToCells(
      e.footprint.rings.map((ring) => ring.map((p) => [p.lon, p.lat])),
      RES,
      true,
    ).length;
  }
  return gridDisk(latLngToCell(43.2965, 5.3698, RES), 2).length;
}

export async function locatorBench(): Promise<Record<string, number>> {
  const events = realisticSubmissions(COUNT).filter((s) => s.action === 'UPSERT');
  const results = {
    stage: [] as number[],
    h3: [] as number[],
    stageCells: [] as number[],
    h3Cells: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    let cells = 0;
    results.stage.push(
      await rate(events.length, async () => {
        for (const s of events) {
          const outcome = await locateSubmission(s, undefined, memory, DEFAULT_LOCATOR_MODEL, 0);
          if (outcome.kind === 'located') for (const p of outcome.presence) cells += p.cells.length;
        }
      }),
    );
    results.stageCells.push(cells);
    let bare = 0;
    results.h3.push(
      await rate(events.length, () => {
        for (const s of events) bare += bareCover(s);
        return Promise.resolve();
      }),
    );
    results.h3Cells.push(bare);
  }
  const stage = median(results.stage);
  const h3 = median(results.h3);
  const cellsPerEvent = (results.stageCells[0] ?? 0) / events.length;
  const bareCellsPerEvent = (results.h3Cells[0] ?? 0) / events.length;
  return {
    'locator.stage_events_per_s': Math.round(stage),
    'locator.stage_cells_per_s': Math.round(stage * cellsPerEvent),
    'locator.h3_alone_events_per_s': Math.round(h3),
    'locator.h3_alone_cells_per_s': Math.round(h3 * bareCellsPerEvent),
    'locator.stage_over_h3_events': Number((stage / h3).toFixed(2)),
  };
}
