import { coreName, isMarseilleInsee, normalizeName } from '@app/geocoding';
import { headerIndex, splitCsvLine } from './csv-line.parser';
import { GazetteerError, GazetteerErrorCode } from './gazetteer.error';

/** The columns an import needs, whatever their order and whatever else the file has. */
export const BAN_REQUIRED_COLUMNS = [
  'numero',
  'rep',
  'nom_voie',
  'code_postal',
  'code_insee',
  'lon',
  'lat',
] as const;

/** One address of Marseille, ready to insert. Position in WGS84 degrees. */
export interface BanAddress {
  readonly id: string;
  readonly numero: number;
  /** `bis`, `ter`, `a`…, or `null`. */
  readonly rep: string | null;
  readonly nomVoie: string;
  /** `normalizeName(nomVoie)`. */
  readonly nomVoieNorm: string;
  /** `coreName(nomVoieNorm)`. */
  readonly nomVoieCore: string;
  readonly codePostal: string;
  readonly codeInsee: string;
  readonly lon: number;
  readonly lat: number;
}

/** A data line: an address of Marseille, or `outside` (another commune, skipped), or `blank`. */
export type BanLine =
  | { readonly kind: 'address'; readonly address: BanAddress }
  | { readonly kind: 'outside' }
  | { readonly kind: 'blank' };

/**
 * Reads the Base Adresse Nationale CSV format (`adresses-13.csv`: `;`-separated, a header line,
 * columns `id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;…;lon;lat;…`) one line at a
 * time. Keeps Marseille's arrondissements (INSEE 13201–13216) only.
 */
export class BanCsvReader {
  private readonly columns: Map<string, number>;
  private readonly width: number;

  /** @throws GazetteerError `missing_columns` naming every required column the header lacks. */
  constructor(headerLine: string) {
    this.columns = headerIndex(headerLine);
    this.width = splitCsvLine(headerLine)?.length ?? 0;
    const missing = BAN_REQUIRED_COLUMNS.filter((c) => !this.columns.has(c));
    if (missing.length > 0) {
      throw new GazetteerError(
        GazetteerErrorCode.MissingColumns,
        `line 1: the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
          `(a Base Adresse Nationale CSV needs ${BAN_REQUIRED_COLUMNS.join(', ')}, separated by ';')`,
        1,
      );
    }
  }

  /**
   * Parses one data line (`lineNumber` is 1-based, the header being line 1).
   * @throws GazetteerError `bad_row` naming the line and what is wrong with it.
   */
  parse(line: string, lineNumber: number): BanLine {
    if (line.trim() === '') return { kind: 'blank' };
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

    const codeInsee = field('code_insee');
    if (!/^(\d{5}|2[AB]\d{3})$/.test(codeInsee)) {
      throw bad(`code_insee "${codeInsee}" is not an INSEE code`);
    }
    if (!isMarseilleInsee(codeInsee)) return { kind: 'outside' };

    const numeroText = field('numero');
    if (!/^\d{1,5}$/.test(numeroText)) throw bad(`numero "${numeroText}" is not a whole number`);
    const nomVoie = field('nom_voie');
    if (nomVoie === '') throw bad('nom_voie is empty');
    const nomVoieNorm = normalizeName(nomVoie);
    if (nomVoieNorm === '') throw bad(`nom_voie "${nomVoie}" has no letters or digits`);
    const codePostal = field('code_postal');
    if (!/^\d{5}$/.test(codePostal)) throw bad(`code_postal "${codePostal}" is not a postcode`);
    const lon = coordinate(field('lon'), 180);
    const lat = coordinate(field('lat'), 90);
    if (lon === undefined) throw bad(`lon "${field('lon')}" is not a longitude in degrees`);
    if (lat === undefined) throw bad(`lat "${field('lat')}" is not a latitude in degrees`);

    const numero = Number(numeroText);
    const rep = field('rep').toLowerCase() || null;
    const id =
      field('id') || `${codeInsee}_${nomVoieNorm.replace(/ /g, '-')}_${numero}${rep ?? ''}`;
    return {
      kind: 'address',
      address: {
        id,
        numero,
        rep,
        nomVoie,
        nomVoieNorm,
        nomVoieCore: coreName(nomVoieNorm),
        codePostal,
        codeInsee,
        lon,
        lat,
      },
    };
  }
}

/** A decimal number of degrees within ±`limit`, or `undefined`. */
function coordinate(text: string, limit: number): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && Math.abs(value) <= limit ? value : undefined;
}
