import { endsAfterStart, eventKindValues, type Presence } from '@app/contracts';
import type { TensionModel } from '@app/tension';
import { getResolution, isValidCell } from 'h3-js';

/** Why a presence record cannot be aggregated: a machine code and a message naming the fields. */
export interface PresenceProblem {
  readonly code: 'invalid_presence';
  readonly message: string;
}

const isCount = (v: unknown): boolean =>
  v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

/**
 * The problems that would make the model reject the record (it then goes to the dead-letter
 * topic instead of failing its whole batch forever): an UPSERT with cells but without kind,
 * times or geometry,
 * a negative count, a cell that is not H3 or coarser than the finest scored resolution, an
 * interval that does not end after it starts. `undefined` when the record can be aggregated.
 */
export function presenceProblem(
  record: Presence,
  model: TensionModel,
): PresenceProblem | undefined {
  const problems: string[] = [];
  if (!Number.isInteger(record.revision) || record.revision < 1)
    problems.push(`revision must be an integer ≥ 1, got ${String(record.revision)}`);
  // An UPSERT without cells only empties its region (the event left it): like a CANCEL, it
  // needs nothing but the envelope.
  if (record.action === 'UPSERT' && record.cells.length > 0) {
    if (!(eventKindValues as readonly string[]).includes(record.kind ?? ''))
      problems.push('kind is required for an UPSERT');
    if (!endsAfterStart(record))
      problems.push('startAt and endAt are required for an UPSERT, end after start');
    if (record.geometry === null) problems.push('geometry is required for an UPSERT');
    else if (!isGeoJsonGeometry(record.geometry))
      problems.push(
        `geometry must be a GeoJSON geometry of type ${GEOMETRY_TYPES.join(', ')}, with coordinates`,
      );
    if (record.geocodeQuality === null) problems.push('geocodeQuality is required for an UPSERT');
    for (const name of [
      'peopleExpected',
      'peopleDeclared',
      'carsExpected',
      'carsDeclared',
    ] as const)
      if (!isCount(record[name])) problems.push(`${name} must be null or an integer ≥ 0`);
  } else if (record.cells.length > 0) problems.push('a CANCEL carries no cells');
  const finest = Math.max(...model.resolutions);
  record.cells.forEach((presence, i) => {
    if (!isValidCell(presence.cell) || getResolution(presence.cell) < finest)
      problems.push(`cells[${i}].cell must be an H3 cell at resolution ≥ ${finest}`);
    if (!endsAfterStart(presence)) problems.push(`cells[${i}] must end after it starts`);
  });
  if (problems.length === 0) return undefined;
  return {
    code: 'invalid_presence',
    message: `presence of event ${record.eventId} in region ${record.region}: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`,
  };
}

/** The shapes the locator draws; `event` has one typed geometry column for each. */
const GEOMETRY_TYPES = ['LineString', 'Polygon', 'Point', 'MultiPoint'];

/** A GeoJSON geometry in text: one of those types and an array of coordinates. */
function isGeoJsonGeometry(text: string): boolean {
  try {
    const value = JSON.parse(text) as { type?: unknown; coordinates?: unknown };
    return GEOMETRY_TYPES.includes(String(value.type)) && Array.isArray(value.coordinates);
  } catch {
    return false;
  }
}
