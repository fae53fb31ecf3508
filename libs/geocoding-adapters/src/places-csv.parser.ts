import { coreName, isMarseilleInsee, normalizeName } from '@app/geocoding';
import { headerIndex, splitCsvLine } from './csv-line.parser';
import { GazetteerError, GazetteerErrorCode } from './gazetteer.error';

/** The columns of a places file: `name;aliases;kind;code_insee;lon;lat;source` (any order). */
export const PLACES_REQUIRED_COLUMNS = ['name', 'code_insee', 'lon', 'lat'] as const;

/** A named place of Marseille. Position in WGS84 degrees. */
export interface GazetteerPlace {
  readonly id: string;
  readonly name: string;
  readonly nameNorm: string;
  readonly aliases: readonly string[];
  readonly aliasesNorm: readonly string[];
  /** `coreName` of `nameNorm`, then of each of `aliasesNorm`. */
  readonly namesCore: readonly string[];
  /** `landmark`, `station`, `square`, `quarter`… (free text, `place` when absent). */
  readonly kind: string;
  readonly codeInsee: string;
  readonly lon: number;
  readonly lat: number;
  readonly source: string | null;
}

/**
 * Reads the project's places format: `;`-separated with a header, aliases separated by `|`.
 * Only Marseille's arrondissements (INSEE 13201–13216) are accepted.
 */
export class PlacesCsvReader {
  private readonly columns: Map<string, number>;
  private readonly width: number;

  /** @throws GazetteerError `missing_columns` naming every required column the header lacks. */
  constructor(headerLine: string) {
    this.columns = headerIndex(headerLine);
    this.width = splitCsvLine(headerLine)?.length ?? 0;
    const missing = PLACES_REQUIRED_COLUMNS.filter((c) => !this.columns.has(c));
    if (missing.length > 0) {
      throw new GazetteerError(
        GazetteerErrorCode.MissingColumns,
        `line 1: the places header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        1,
      );
    }
  }

  /** @throws GazetteerError `bad_row` naming the line and what is wrong with it. */
  parse(line: string, lineNumber: number): GazetteerPlace | undefined {
    if (line.trim() === '') return undefined;
    const fields = splitCsvLine(line);
    const bad = (why: string) =>
      new GazetteerError(GazetteerErrorCode.BadRow, `line ${lineNumber}: ${why}`, lineNumber);
    if (fields === undefined) throw bad('a quoted field is not closed');
    if (fields.length !== this.width) {
      throw bad(`expected ${this.width} fields as in the header, found ${fields.length}`);
    }
    const field = (name: string) => {
      const i = this.columns.get(name);
      return i === undefined ? '' : (fields[i] ?? '').trim();
    };
    const name = field('name');
    const nameNorm = normalizeName(name);
    if (nameNorm === '') throw bad('name is empty');
    const codeInsee = field('code_insee');
    if (!isMarseilleInsee(codeInsee)) {
      throw bad(`code_insee "${codeInsee}" is not one of Marseille's (13201–13216)`);
    }
    const lon = Number(field('lon'));
    const lat = Number(field('lat'));
    if (field('lon') === '' || !Number.isFinite(lon) || Math.abs(lon) > 180) {
      throw bad(`lon "${field('lon')}" is not a longitude in degrees`);
    }
    if (field('lat') === '' || !Number.isFinite(lat) || Math.abs(lat) > 90) {
      throw bad(`lat "${field('lat')}" is not a latitude in degrees`);
    }
    const aliases = field('aliases')
      .split('|')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    const aliasesNorm = [...new Set(aliases.map(normalizeName))].filter(
      (a) => a !== '' && a !== nameNorm,
    );
    return {
      id: `${codeInsee}_${nameNorm.replace(/ /g, '-')}`,
      name,
      nameNorm,
      aliases,
      aliasesNorm,
      namesCore: [nameNorm, ...aliasesNorm].map(coreName),
      kind: field('kind') || 'place',
      codeInsee,
      lon,
      lat,
      source: field('source') || null,
    };
  }
}
