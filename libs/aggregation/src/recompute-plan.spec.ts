import { DEFAULT_TENSION_MODEL, bucketMsOf } from '@app/tension';
import { cellToParent, gridDisk, latLngToCell } from 'h3-js';
import { RecomputePlan } from './recompute-plan';

const model = DEFAULT_TENSION_MODEL;
const bucketMs = bucketMsOf(model);
const cell = latLngToCell(43.2965, 5.3698, Math.max(...model.resolutions));
const day = Date.UTC(2026, 4, 1);

describe('RecomputePlan', () => {
  it('marks the 1-ring of each scored ancestor, for the buckets the span meets, as runs', () => {
    const plan = new RecomputePlan(model);
    plan.touch({ cell, startAt: day, endAt: day + 2 * bucketMs });
    plan.touch({ cell, startAt: day + 10 * bucketMs, endAt: day + 10 * bucketMs + 1 });
    const rows = plan.rows();
    const finest = Math.max(...model.resolutions);
    expect(new Set(rows.filter((r) => r.resolution === finest).map((r) => r.cell))).toEqual(
      new Set(gridDisk(cell, 1)),
    );
    const own = rows.filter((r) => r.cell === cell).map((r) => [r.from, r.to]);
    expect(own).toEqual([
      [day, day + 2 * bucketMs],
      [day + 10 * bucketMs, day + 11 * bucketMs],
    ]);
    for (const r of model.resolutions)
      expect(rows.some((row) => row.resolution === r && row.cell === cellToParent(cell, r))).toBe(
        true,
      );
  });

  it('reads the 1-ring of every stale cell, for that cell’s buckets only', () => {
    const plan = new RecomputePlan(model);
    plan.touch({ cell, startAt: day, endAt: day + bucketMs });
    const far = latLngToCell(43.35, 5.45, Math.max(...model.resolutions));
    plan.touch({ cell: far, startAt: day + 40 * bucketMs, endAt: day + 41 * bucketMs });
    const reads = plan.reads();
    const twoAway = gridDisk(cell, 2).filter((c) => !gridDisk(cell, 1).includes(c));
    const near = reads.filter((r) => twoAway.includes(r.cell));
    expect(near.length).toBeGreaterThan(0);
    // The far change's hours are not read around the first one.
    expect(near.every((r) => r.from === day && r.to === day + bucketMs)).toBe(true);
  });

  it('gives the areas holding its stale rows at a coarser resolution', () => {
    const plan = new RecomputePlan(model);
    plan.touch({ cell, startAt: day, endAt: day + bucketMs });
    const lockRes = Math.min(...model.resolutions) - 1;
    const areas = plan.areas(lockRes);
    expect(areas.has(cellToParent(cell, lockRes))).toBe(true);
    for (const row of plan.rows()) expect(areas.has(cellToParent(row.cell, lockRes))).toBe(true);
  });
});
