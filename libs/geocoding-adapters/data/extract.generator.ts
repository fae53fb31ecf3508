/**
 * Writes `adresses-13-extract.csv`, the project's own small Base Adresse Nationale–format extract
 * of Marseille (see README.md in this folder for sources, licence and method).
 *
 *   npx tsx libs/geocoding-adapters/data/extract.generator.ts
 *
 * Each street is a polyline through known points, numbered from its first point: odd numbers on
 * the left, even on the right, `spacing` metres per number on each side, or pinned where a
 * point's number is known. Only some numbers are written (1, 2, then every tenth pair, the last
 * ones and the pinned ones): the geocoder falls back to the nearest number on the street.
 * Coordinates are WGS84 degrees, `[lon, lat]`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Vertex {
  readonly lon: number;
  readonly lat: number;
  /** The house number at this point when it is known or pinned; else from `spacing`. */
  readonly n?: number;
  /** Where the point comes from. */
  readonly from: string;
}

interface Street {
  readonly name: string;
  /** [first number, INSEE code] pairs: from that number on, the street is in that arrondissement. */
  readonly insee: ReadonlyArray<readonly [number, string]>;
  /** Metres along the street per number, on each side. */
  readonly spacing: number;
  readonly vertices: readonly Vertex[];
  /** Numbers written besides the regular ones. */
  readonly extra?: readonly number[];
  /** Numbers also written with a repetition index. */
  readonly reps?: ReadonlyArray<readonly [number, string]>;
}

// Points copied from OpenStreetMap-derived reference data (© OpenStreetMap contributors, ODbL):
// a street's point is the mean of one of its OSM ways; a landmark's is its OSM/Nominatim point.
const REF = {
  quaiDesBelges: { lon: 5.37428, lat: 43.29548, from: 'Quai des Belges (OSM way mean)' },
  ombriere: { lon: 5.3741365, lat: 43.2946444, from: 'Ombrière du Vieux-Port (OSM)' },
  quaiDuPort: { lon: 5.36715, lat: 43.29558, from: 'Quai du Port (OSM way mean)' },
  hotelDeVille: { lon: 5.3698419, lat: 43.2965339, from: 'Hôtel de Ville (OSM)' },
  fortSaintJean: { lon: 5.3618104, lat: 43.295454, from: 'Fort Saint-Jean (OSM)' },
  canebiere: { lon: 5.37948, lat: 43.29714, from: 'La Canebière (OSM way mean)' },
  reformes: { lon: 5.385634, lat: 43.2989267, from: 'Église des Réformés (OSM)' },
  coursSaintLouis: { lon: 5.37804, lat: 43.29602, from: 'Cours Saint-Louis (OSM way mean)' },
  placeDeRome: { lon: 5.3806, lat: 43.29136, from: 'Place de Rome (OSM)' },
  rueDeRome: { lon: 5.38196, lat: 43.28898, from: 'Rue de Rome (OSM way mean)' },
  castellane: { lon: 5.38376, lat: 43.28601, from: 'Place Castellane (OSM)' },
  longchamp: { lon: 5.3915, lat: 43.30288, from: 'Boulevard Longchamp (OSM way mean)' },
  palaisLongchamp: { lon: 5.3946063, lat: 43.304237, from: 'Palais Longchamp (OSM)' },
  belsunce: { lon: 5.37706, lat: 43.29795, from: 'Cours Belsunce (OSM way mean)' },
  alcazar: {
    lon: 5.3766901,
    lat: 43.2989721,
    from: 'Bibliothèque de l’Alcazar, 58 cours Belsunce (OSM)',
  },
  rueDAix: { lon: 5.37574, lat: 43.30009, from: 'Rue d’Aix (OSM way mean)' },
  porteDAix: { lon: 5.3747647, lat: 43.3018758, from: 'Arc de Triomphe de la Porte d’Aix (OSM)' },
  athenes: { lon: 5.3808, lat: 43.29956, from: 'Boulevard d’Athènes (OSM way mean)' },
  marseillaises: { lon: 5.38047, lat: 43.30156, from: 'Place des Marseillaises (OSM)' },
  lieutaud: { lon: 5.38412, lat: 43.28907, from: 'Cours Lieutaud (OSM way mean)' },
  prado: { lon: 5.39114, lat: 43.27291, from: 'Avenue du Prado (OSM way mean)' },
  rondPointPrado: { lon: 5.3926, lat: 43.27146, from: 'Rond-Point du Prado (OSM)' },
  republique: { lon: 5.37407, lat: 43.29624, from: 'Rue de la République (OSM way mean)' },
  sadiCarnot: { lon: 5.37134, lat: 43.29936, from: 'Place Sadi Carnot (OSM)' },
  joliette: { lon: 5.36607, lat: 43.30495, from: 'Place de la Joliette (OSM)' },
  cinqAvenues: { lon: 5.396624, lat: 43.302613, from: 'Cinq-Avenues (quartier label point)' },
  saintFerreol: { lon: 5.37681, lat: 43.29615, from: 'Rue Saint-Ferréol (OSM way mean)' },
  felixBaret: { lon: 5.37952, lat: 43.2913, from: 'Place Félix Baret (OSM)' },
  national: { lon: 5.38412, lat: 43.30545, from: 'Boulevard National (OSM way mean)' },
  paradis: { lon: 5.3774, lat: 43.29198, from: 'Rue Paradis (OSM way mean)' },
  estrangin: { lon: 5.37782, lat: 43.29029, from: 'Place Estrangin Pastré (OSM)' },
  coursJulien: { lon: 5.38337, lat: 43.29352, from: 'Cours Julien (OSM way mean)' },
} as const satisfies Record<string, Vertex>;

/** A point `fraction` of the way from `a` to `b`, or beyond it (> 1). */
function along(a: Vertex, b: Vertex, fraction: number, from: string): Vertex {
  return {
    lon: round(a.lon + (b.lon - a.lon) * fraction, 6),
    lat: round(a.lat + (b.lat - a.lat) * fraction, 6),
    from,
  };
}

// Points derived from the reference ones (the method is in each `from`).
const canebiereAtLon = (lon: number): Vertex => {
  const [a, b] =
    lon <= REF.canebiere.lon ? [REF.quaiDesBelges, REF.canebiere] : [REF.canebiere, REF.reformes];
  return along(a, b, (lon - a.lon) / (b.lon - a.lon), `La Canebière at lon ${lon} (on its line)`);
};
const quaiDuPortEast = along(
  REF.ombriere,
  REF.quaiDesBelges,
  1.7,
  'north end of Quai des Belges (its line through the Ombrière, extended)',
);
const longchampWest = along(
  REF.palaisLongchamp,
  REF.longchamp,
  1.85,
  'Réformés end of Bd Longchamp (its line through the Palais, extended)',
);
const lieutaudNorth: Vertex = {
  lon: 5.3822,
  lat: 43.2946,
  from: 'north end of Cours Lieutaud (estimated: 150 m south of the Canebière, east of Noailles)',
};

const STREETS: readonly Street[] = [
  {
    name: 'Quai du Port',
    insee: [[1, '13202']],
    spacing: 12,
    vertices: [quaiDuPortEast, REF.hotelDeVille, REF.quaiDuPort, REF.fortSaintJean],
    reps: [[12, 'bis']],
  },
  {
    name: 'Quai des Belges',
    insee: [[1, '13201']],
    spacing: 12,
    vertices: [quaiDuPortEast, REF.quaiDesBelges, REF.ombriere],
  },
  {
    name: 'La Canebière',
    insee: [[1, '13201']],
    spacing: 12,
    vertices: [REF.quaiDesBelges, REF.canebiere, REF.reformes],
  },
  {
    name: 'Rue de Rome',
    insee: [
      [1, '13201'],
      [71, '13206'],
    ],
    spacing: 12,
    vertices: [REF.coursSaintLouis, REF.placeDeRome, REF.rueDeRome, REF.castellane],
  },
  {
    name: 'Boulevard Longchamp',
    insee: [
      [1, '13201'],
      [71, '13204'],
    ],
    spacing: 12,
    vertices: [longchampWest, REF.longchamp, REF.palaisLongchamp],
  },
  {
    name: 'Cours Belsunce',
    insee: [[1, '13201']],
    spacing: 12,
    vertices: [
      canebiereAtLon(5.37735),
      REF.belsunce,
      { ...REF.alcazar, n: 58 },
      along(REF.belsunce, REF.alcazar, 1.3, 'north end of Cours Belsunce (its line, extended)'),
    ],
  },
  {
    name: "Rue d'Aix",
    insee: [
      [1, '13201'],
      [51, '13203'],
    ],
    spacing: 12,
    vertices: [
      along(REF.belsunce, REF.alcazar, 1.3, 'north end of Cours Belsunce'),
      REF.rueDAix,
      REF.porteDAix,
    ],
  },
  {
    name: "Boulevard d'Athènes",
    insee: [[1, '13201']],
    spacing: 12,
    vertices: [
      along(REF.marseillaises, REF.athenes, 1.4, 'south end of Bd d’Athènes (its line, extended)'),
      REF.athenes,
      REF.marseillaises,
    ],
  },
  {
    name: 'Boulevard Garibaldi',
    insee: [[1, '13201']],
    spacing: 12,
    vertices: [canebiereAtLon(5.3812), lieutaudNorth],
  },
  {
    name: 'Cours Lieutaud',
    insee: [[1, '13206']],
    spacing: 12,
    vertices: [
      lieutaudNorth,
      REF.lieutaud,
      along(lieutaudNorth, REF.lieutaud, 1.25, 'south end of Cours Lieutaud (its line, extended)'),
    ],
  },
  {
    name: 'Avenue du Prado',
    insee: [
      [1, '13206'],
      [82, '13208'],
    ],
    spacing: 12,
    vertices: [REF.castellane, REF.prado, REF.rondPointPrado],
  },
  {
    name: 'Rue de la République',
    insee: [[1, '13202']],
    spacing: 14,
    vertices: [REF.republique, REF.sadiCarnot, REF.joliette],
  },
  {
    name: 'Boulevard de la Libération',
    insee: [
      [1, '13201'],
      [51, '13204'],
    ],
    spacing: 12,
    vertices: [REF.reformes, REF.cinqAvenues],
  },
  {
    name: 'Rue Saint-Ferréol',
    insee: [
      [1, '13201'],
      [81, '13206'],
    ],
    spacing: 12,
    vertices: [REF.saintFerreol, REF.felixBaret],
  },
  {
    name: 'Boulevard National',
    insee: [[1, '13201']],
    spacing: 12,
    vertices: [
      along(longchampWest, REF.longchamp, 0.45, 'Bd National at Bd Longchamp (on its line)'),
      REF.national,
    ],
  },
  {
    name: 'Rue Paradis',
    insee: [
      [1, '13201'],
      [81, '13206'],
    ],
    spacing: 12,
    vertices: [canebiereAtLon(5.376), REF.paradis, REF.estrangin],
  },
  {
    name: 'Cours Julien',
    insee: [[1, '13206']],
    spacing: 12,
    vertices: [
      {
        lon: REF.coursJulien.lon,
        lat: round(REF.coursJulien.lat + 0.0007, 6),
        from: 'Cours Julien, 80 m north of its point',
      },
      {
        lon: REF.coursJulien.lon,
        lat: round(REF.coursJulien.lat - 0.0007, 6),
        from: 'Cours Julien, 80 m south of its point',
      },
    ],
  },
];

/** Squares: numbers around the square's point, on a circle of `radius` metres. */
const SQUARES: ReadonlyArray<{
  name: string;
  insee: string;
  centre: Vertex;
  radius: number;
  count: number;
}> = [
  { name: 'Place Castellane', insee: '13206', centre: REF.castellane, radius: 45, count: 12 },
  { name: 'Place Félix Baret', insee: '13206', centre: REF.felixBaret, radius: 35, count: 8 },
];

const M_PER_DEG_LAT = 111_195;
const mPerDegLon = (lat: number) => M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Metres between two points (equirectangular; exact enough over a street). */
function metres(a: Vertex, b: Vertex): number {
  const lat = (a.lat + b.lat) / 2;
  return Math.hypot((b.lon - a.lon) * mPerDegLon(lat), (b.lat - a.lat) * M_PER_DEG_LAT);
}

interface Row {
  numero: number;
  rep: string;
  nomVoie: string;
  insee: string;
  lon: number;
  lat: number;
}

function numberStreet(street: Street): Row[] {
  const v = street.vertices;
  const cumulative = [0];
  for (let i = 1; i < v.length; i++) cumulative.push(cumulative[i - 1]! + metres(v[i - 1]!, v[i]!));
  // The number at each vertex: pinned, or from the spacing since the previous vertex.
  const numberAt: number[] = [1];
  for (let i = 1; i < v.length; i++) {
    numberAt.push(
      v[i]!.n ?? numberAt[i - 1]! + (2 * (cumulative[i]! - cumulative[i - 1]!)) / street.spacing,
    );
  }
  const last = Math.floor(numberAt[numberAt.length - 1]!);
  const wanted = new Set<number>([1, 2, last - 1, last, ...(street.extra ?? [])]);
  for (let n = 1; n <= last; n++) if (n % 10 === 1 || n % 10 === 2) wanted.add(n);
  for (const vertex of v) if (vertex.n !== undefined) wanted.add(vertex.n);

  const rows: Row[] = [];
  for (const n of [...wanted].filter((n) => n >= 1 && n <= last).sort((a, b) => a - b)) {
    // Odd and even numbers face each other: n and n+1 (odd n) sit at the same distance.
    const k = n % 2 === 1 ? n : n - 1;
    let i = 1;
    while (i < v.length - 1 && numberAt[i]! < k) i++;
    const f = Math.min(1, Math.max(0, (k - numberAt[i - 1]!) / (numberAt[i]! - numberAt[i - 1]!)));
    const a = v[i - 1]!;
    const b = v[i]!;
    const lat0 = a.lat + (b.lat - a.lat) * f;
    const lon0 = a.lon + (b.lon - a.lon) * f;
    // 8 m to the left (odd) or right (even) of the direction of travel.
    const dx = (b.lon - a.lon) * mPerDegLon(lat0);
    const dy = (b.lat - a.lat) * M_PER_DEG_LAT;
    const len = Math.hypot(dx, dy) || 1;
    const side = n % 2 === 1 ? 1 : -1;
    const lon = lon0 + (side * 8 * (-dy / len)) / mPerDegLon(lat0);
    const lat = lat0 + (side * 8 * (dx / len)) / M_PER_DEG_LAT;
    const insee = [...street.insee].reverse().find(([from]) => n >= from)![1];
    const base = { numero: n, nomVoie: street.name, insee, lon: round(lon, 6), lat: round(lat, 6) };
    rows.push({ ...base, rep: '' });
    for (const [rn, rep] of street.reps ?? []) if (rn === n) rows.push({ ...base, rep });
  }
  return rows;
}

function numberSquare(square: (typeof SQUARES)[number]): Row[] {
  return Array.from({ length: square.count }, (_, i) => {
    const angle = (2 * Math.PI * i) / square.count;
    const { lon, lat } = square.centre;
    return {
      numero: i + 1,
      rep: '',
      nomVoie: square.name,
      insee: square.insee,
      lon: round(lon + (square.radius * Math.sin(angle)) / mPerDegLon(lat), 6),
      lat: round(lat + (square.radius * Math.cos(angle)) / M_PER_DEG_LAT, 6),
    };
  });
}

/** WGS84 degrees → Lambert-93 (EPSG:2154) metres, as the BAN's `x` and `y` columns. */
function lambert93(lon: number, lat: number): [number, number] {
  const e = 0.0818191910428158; // GRS80
  const n = 0.725607765053267;
  const c = 11_754_255.426096;
  const xs = 700_000;
  const ys = 12_655_612.049876;
  const phi = (lat * Math.PI) / 180;
  const latIso = Math.log(
    Math.tan(Math.PI / 4 + phi / 2) *
      ((1 - e * Math.sin(phi)) / (1 + e * Math.sin(phi))) ** (e / 2),
  );
  const gamma = n * (((lon - 3) * Math.PI) / 180);
  const r = c * Math.exp(-n * latIso);
  return [round(xs + r * Math.sin(gamma), 2), round(ys - r * Math.cos(gamma), 2)];
}

const afnor = (name: string) =>
  name.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[’']/g, ' ').toUpperCase();

const HEADER =
  'id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;' +
  'nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;' +
  'source_position;source_nom_voie;certification_commune;cad_parcelles';

function main(): void {
  const rows = [...STREETS.flatMap(numberStreet), ...SQUARES.flatMap(numberSquare)];
  const voieIds = new Map<string, number>();
  const lines = rows.map((r) => {
    if (!voieIds.has(r.nomVoie)) voieIds.set(r.nomVoie, voieIds.size + 1);
    const voie = `x${String(voieIds.get(r.nomVoie)).padStart(3, '0')}`;
    const id = `${r.insee}_${voie}_${String(r.numero).padStart(5, '0')}${r.rep ? `_${r.rep}` : ''}`;
    const [x, y] = lambert93(r.lon, r.lat);
    const postcode = `130${r.insee.slice(3)}`;
    return [
      id,
      '',
      r.numero,
      r.rep,
      r.nomVoie,
      postcode,
      r.insee,
      'Marseille',
      '',
      '',
      x,
      y,
      r.lon,
      r.lat,
      'segment',
      '',
      '',
      'MARSEILLE',
      afnor(r.nomVoie),
      'cortege-interpolation',
      'osm',
      '0',
      '',
    ].join(';');
  });
  const path = join(__dirname, 'adresses-13-extract.csv');
  writeFileSync(path, `${HEADER}\n${lines.join('\n')}\n`);
  console.error(`wrote ${lines.length} addresses on ${voieIds.size} streets to ${path}`);
}

main();
