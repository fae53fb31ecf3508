/**
 * The hotspots' Gi* (`giStar`, `cellHotspots` of @app/tension) against PySAL's esda
 * (`G_Local(y, w, transform='B', star=True)`) on the same cells, weights and values: z-scores
 * equal within 1e-9. esda and libpysal are installed on first use into their own virtual
 * environment under the stack folder (infra/hotspots/requirements.txt). Without python3 the
 * test says so on the console and checks nothing else; a failed install fails it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { gridDisk, latLngToCell } from 'h3-js';
import { loadConfig } from '@app/config';
import { cellHotspots, giStar, HOTSPOT_RESOLUTION } from '@app/tension';
import { ensurePythonEnv } from '../local/src/python-client';
import { StackError, StackErrorCode } from '../local/src/stack.error';

interface Fixture {
  readonly name: string;
  readonly values: readonly number[];
  readonly neighbours: readonly (readonly number[])[];
}

interface EsdaAnswer {
  readonly name: string;
  readonly z: readonly (number | null)[];
  readonly p_norm: readonly (number | null)[];
  readonly diagonal: readonly number[];
}

/** Cells of one window as `cellHotspots` lays them out: index order, 1-ring adjacency. */
function h3Fixture(name: string, values: ReadonlyMap<string, number>): Fixture {
  const analysis = cellHotspots(values);
  const cells = analysis.cells.map((c) => c.cell);
  const index = new Map(cells.map((c, i) => [c, i]));
  return {
    name,
    values: analysis.cells.map((c) => c.value),
    // The 1-ring including the cell itself, as the hotspots weigh it.
    neighbours: cells.map((c) =>
      gridDisk(c, 1)
        .map((d) => index.get(d))
        .filter((j): j is number => j !== undefined)
        .sort((a, b) => a - b),
    ),
  };
}

const centre = latLngToCell(43.2965, 5.3698, HOTSPOT_RESOLUTION); // the Vieux-Port
const far = latLngToCell(43.3409, 5.4369, HOTSPOT_RESOLUTION); // Les Arnavaux, kilometres away

/** A city day: a cluster over an uneven background, with an isolated valued cell far away. */
const cityDay = (() => {
  const values = new Map<string, number>();
  gridDisk(centre, 5).forEach((c, i) => values.set(c, ((i * 37) % 11) / 4));
  for (const c of gridDisk(centre, 1)) values.set(c, 30 + (c.charCodeAt(14) % 5));
  values.set(far, 12.5);
  return h3Fixture('city day (H3, edge cells, a far cell with its ring)', values);
})();

const FIXTURES: Fixture[] = [
  cityDay,
  {
    // Unit 0 on the edge (one neighbour), unit 5 isolated (no neighbour but itself).
    name: 'line with an edge unit and an isolated unit',
    values: [9, 4, 1, 0, 2, 7],
    neighbours: [[1], [0, 2], [1, 3], [2, 4], [3], []],
  },
  {
    name: 'isolated units only',
    values: [3, 1, 4, 1, 5],
    neighbours: [[], [], [], [], []],
  },
  {
    name: 'constant input',
    values: [2, 2, 2, 2, 2],
    neighbours: [[1], [0, 2], [1, 3], [2, 4], [3]],
  },
];

/** Runs esda on `fixtures`; one answer per fixture, in order. */
async function esda(python: string, fixtures: readonly Fixture[]): Promise<EsdaAnswer[]> {
  const child = spawn(python, [join(__dirname, 'esda_gi_star.py')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  for (const f of fixtures) child.stdin.write(`${JSON.stringify(f)}\n`);
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`esda_gi_star.py exited with ${String(code)}:\n${err}`);
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EsdaAnswer);
}

describe("the hotspots' Gi* against PySAL's esda", () => {
  it('gives esda’s z-scores within 1e-9 (edge, isolated, H3 rings) and, for a constant input, 0 where esda gives NaN', async () => {
    let python: string;
    try {
      python = ensurePythonEnv(
        loadConfig().stack,
        'python-esda',
        join(__dirname, 'requirements.txt'),
        "PySAL's esda (the hotspots' cross-check)",
      );
    } catch (error) {
      if (error instanceof StackError && error.code === StackErrorCode.MissingTool) {
        console.warn(
          `NOT CHECKED: the hotspots' cross-check against esda needs python3 (${error.message})`,
        );
        return;
      }
      throw error;
    }
    expect(cityDay.values.length).toBeGreaterThan(90);
    const answers = await esda(python, FIXTURES);
    expect(answers.map((a) => a.name)).toEqual(FIXTURES.map((f) => f.name));

    let largest = 0;
    let compared = 0;
    for (const [k, fixture] of FIXTURES.entries()) {
      const answer = answers[k] as EsdaAnswer;
      const ours = giStar(fixture.values, fixture.neighbours);
      // esda's weights: binary, and the diagonal set to 1 (star=True), as ours.
      expect(answer.diagonal).toEqual(fixture.values.map(() => 1));
      if (fixture.name === 'constant input') {
        // esda: 0/0 → NaN (written null); ours: 0, p = 1, no cell stands out.
        expect(answer.z.every((z) => z === null)).toBe(true);
        expect(ours.map((r) => [r.z, r.p])).toEqual(fixture.values.map(() => [0, 1]));
        continue;
      }
      ours.forEach((r, i) => {
        const theirs = answer.z[i];
        if (theirs === null || theirs === undefined) {
          // Only where the neighbourhood is the whole study area (0/0).
          expect([fixture.name, i, r.neighbours, r.z]).toEqual([
            fixture.name,
            i,
            fixture.values.length,
            0,
          ]);
          return;
        }
        expect(Math.abs(r.z - theirs)).toBeLessThanOrEqual(1e-9);
        largest = Math.max(largest, Math.abs(r.z - theirs));
        compared += 1;
        // esda's p_norm is one-sided, 1 − Φ(|z|): ours is two-sided.
        expect(Math.abs(r.p / 2 - (answer.p_norm[i] as number))).toBeLessThanOrEqual(1e-9);
      });
      // Not all zero: the comparison would otherwise prove little.
      expect(ours.some((r) => Math.abs(r.z) > 1)).toBe(true);
    }
    console.log(`Gi* vs esda: ${compared} z-scores compared, largest difference ${largest}`);
    // The isolated units and the edge unit were compared (esda gave numbers there).
    const line = answers[1] as EsdaAnswer;
    expect(line.z[0]).not.toBeNull();
    expect(line.z[5]).not.toBeNull();
  });
});
