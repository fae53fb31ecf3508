import { BanCsvReader } from './ban-csv.parser';
import { splitCsvLine } from './csv-line.parser';
import { GazetteerError, GazetteerErrorCode } from './gazetteer.error';
import { PlacesCsvReader } from './places-csv.parser';

const BAN_HEADER =
  'id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;' +
  'nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;' +
  'source_position;source_nom_voie;certification_commune;cad_parcelles';

/** A BAN line with the given fields changed. */
function banLine(patch: Record<string, string> = {}): string {
  const row: Record<string, string> = {
    id: '13201_x006_00058',
    id_fantoir: '',
    numero: '58',
    rep: '',
    nom_voie: 'Cours Belsunce',
    code_postal: '13001',
    code_insee: '13201',
    nom_commune: 'Marseille',
    code_insee_ancienne_commune: '',
    nom_ancienne_commune: '',
    x: '892984.1',
    y: '6247378.55',
    lon: '5.37669',
    lat: '43.298972',
    type_position: 'entrée',
    alias: '',
    nom_ld: '',
    libelle_acheminement: 'MARSEILLE',
    nom_afnor: 'COURS BELSUNCE',
    source_position: 'commune',
    source_nom_voie: 'commune',
    certification_commune: '1',
    cad_parcelles: '201801A0123',
    ...patch,
  };
  return BAN_HEADER.split(';')
    .map((c) => row[c] ?? '')
    .join(';');
}

/** The GazetteerError `run` throws. */
function errorOf(run: () => unknown): GazetteerError {
  try {
    run();
  } catch (error) {
    if (error instanceof GazetteerError) return error;
    throw error;
  }
  throw new Error('expected a GazetteerError');
}

describe('BanCsvReader', () => {
  it('reads an address of Marseille, with its names normalised for matching', () => {
    const reader = new BanCsvReader(BAN_HEADER);
    expect(reader.parse(banLine(), 2)).toEqual({
      kind: 'address',
      address: {
        id: '13201_x006_00058',
        numero: 58,
        rep: null,
        nomVoie: 'Cours Belsunce',
        nomVoieNorm: 'cours belsunce',
        nomVoieCore: 'belsunce',
        codePostal: '13001',
        codeInsee: '13201',
        lon: 5.37669,
        lat: 43.298972,
      },
    });
  });

  it('keeps the repetition index in lower case', () => {
    const reader = new BanCsvReader(BAN_HEADER);
    const line = reader.parse(banLine({ numero: '12', rep: 'BIS', nom_voie: 'Bd Longchamp' }), 9);
    expect(line).toMatchObject({
      kind: 'address',
      address: { numero: 12, rep: 'bis', nomVoieNorm: 'boulevard longchamp' },
    });
  });

  it('accepts the columns in any order, the minimum only, and a UTF-8 BOM', () => {
    const reader = new BanCsvReader('\uFEFFlat;lon;code_insee;code_postal;nom_voie;rep;numero');
    expect(reader.parse('43.2955;5.3671;13202;13002;Quai du Port;;12', 2)).toMatchObject({
      kind: 'address',
      address: {
        id: '13202_quai-du-port_12',
        numero: 12,
        nomVoie: 'Quai du Port',
        lon: 5.3671,
        lat: 43.2955,
      },
    });
  });

  it('skips other communes and blank lines', () => {
    const reader = new BanCsvReader(BAN_HEADER);
    expect(reader.parse(banLine({ code_insee: '13055' }), 2)).toEqual({ kind: 'outside' });
    expect(reader.parse(banLine({ code_insee: '13001', code_postal: '13090' }), 3)).toEqual({
      kind: 'outside',
    });
    expect(reader.parse(banLine({ code_insee: '2A004' }), 4)).toEqual({ kind: 'outside' });
    expect(reader.parse('   ', 5)).toEqual({ kind: 'blank' });
  });

  it('names every missing required column', () => {
    const error = errorOf(() => new BanCsvReader('id;numero;nom_voie;code_postal;x;y'));
    expect(error.code).toBe(GazetteerErrorCode.MissingColumns);
    expect(error.line).toBe(1);
    expect(error.message).toContain('the header lacks the columns rep, code_insee, lon, lat');
    expect(error.retriable).toBe(false);
  });

  it('takes a comma-separated header for one column and says which columns are missing', () => {
    const error = errorOf(
      () => new BanCsvReader('numero,rep,nom_voie,code_postal,code_insee,lon,lat'),
    );
    expect(error.message).toContain(
      'lacks the columns numero, rep, nom_voie, code_postal, code_insee, lon, lat',
    );
  });

  it.each([
    [{ numero: 'douze' }, 'line 7: numero "douze" is not a whole number'],
    [{ numero: '' }, 'line 7: numero "" is not a whole number'],
    [{ nom_voie: '' }, 'line 7: nom_voie is empty'],
    [{ nom_voie: '--' }, 'line 7: nom_voie "--" has no letters or digits'],
    [{ code_postal: '1300' }, 'line 7: code_postal "1300" is not a postcode'],
    [{ code_insee: 'Marseille' }, 'line 7: code_insee "Marseille" is not an INSEE code'],
    [{ lon: '5,3767' }, 'line 7: lon "5,3767" is not a longitude in degrees'],
    [{ lon: '' }, 'line 7: lon "" is not a longitude in degrees'],
    [{ lat: '143.29' }, 'line 7: lat "143.29" is not a latitude in degrees'],
  ])('refuses a bad row %j and says which line and why', (patch, message) => {
    const reader = new BanCsvReader(BAN_HEADER);
    const error = errorOf(() => reader.parse(banLine(patch), 7));
    expect(error.code).toBe(GazetteerErrorCode.BadRow);
    expect(error.line).toBe(7);
    expect(error.message).toBe(message);
  });

  it('refuses a row with the wrong number of fields', () => {
    const reader = new BanCsvReader(BAN_HEADER);
    const error = errorOf(() => reader.parse('13201_x;;58;;Cours Belsunce;13001;13201', 3));
    expect(error.message).toBe('line 3: expected 23 fields as in the header, found 7');
  });

  it('refuses an unclosed quote', () => {
    const reader = new BanCsvReader(BAN_HEADER);
    const error = errorOf(() => reader.parse(banLine({ nom_voie: '"Cours Belsunce' }), 4));
    expect(error.message).toBe('line 4: a quoted field is not closed');
  });
});

describe('splitCsvLine', () => {
  it('splits on semicolons and reads quoted fields with doubled quotes', () => {
    expect(splitCsvLine('a;b;;d')).toEqual(['a', 'b', '', 'd']);
    expect(splitCsvLine('"Église ""Les Réformés""";"a;b";c')).toEqual([
      'Église "Les Réformés"',
      'a;b',
      'c',
    ]);
    expect(splitCsvLine('"open;b')).toBeUndefined();
  });
});

describe('PlacesCsvReader', () => {
  const header = 'name;aliases;kind;code_insee;lon;lat;source';

  it('reads a place with its aliases, normalised', () => {
    const reader = new PlacesCsvReader(header);
    expect(
      reader.parse(
        "Porte d'Aix;Arc de Triomphe de la Porte d'Aix|Place Jules Guesde| ;landmark;13203;5.3747647;43.3018758;osm",
        2,
      ),
    ).toEqual({
      id: '13203_porte-d-aix',
      name: "Porte d'Aix",
      nameNorm: 'porte d aix',
      aliases: ["Arc de Triomphe de la Porte d'Aix", 'Place Jules Guesde'],
      aliasesNorm: ['arc de triomphe de la porte d aix', 'place jules guesde'],
      namesCore: ['porte aix', 'arc triomphe porte aix', 'jules guesde'],
      kind: 'landmark',
      codeInsee: '13203',
      lon: 5.3747647,
      lat: 43.3018758,
      source: 'osm',
    });
  });

  it('needs name, code_insee, lon and lat; refuses places outside Marseille', () => {
    expect(errorOf(() => new PlacesCsvReader('name;aliases;lon')).message).toBe(
      'line 1: the places header lacks the columns code_insee, lat',
    );
    const reader = new PlacesCsvReader('name;code_insee;lon;lat');
    expect(errorOf(() => reader.parse('Aix;13001;5.44;43.53', 5)).message).toBe(
      'line 5: code_insee "13001" is not one of Marseille\'s (13201–13216)',
    );
    expect(errorOf(() => reader.parse('Noailles;13201;;43.29', 6)).message).toBe(
      'line 6: lon "" is not a longitude in degrees',
    );
    expect(reader.parse('Noailles;13201;5.3797;43.295', 7)).toMatchObject({
      kind: 'place',
      aliases: [],
      source: null,
    });
  });
});
