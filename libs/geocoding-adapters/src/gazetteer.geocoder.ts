import {
  coreName,
  GeocodingError,
  GeocodingErrorCode,
  normalizeAddress,
  postcodeOfInsee,
  streetTypeOf,
  type Geocoder,
  type GeocodeResult,
  type NormalizedAddress,
} from '@app/geocoding';
import type { Pool } from 'pg';

/** What runs the gazetteer's queries: a `pg` Pool (or Client). */
export type Queryable = Pick<Pool, 'query'>;

export interface GazetteerGeocoderOptions {
  /**
   * Least pg_trgm similarity (0.3..1) of a street's or a place's name to accept it. Below 0.3
   * the trigram indexes' default threshold would cut candidates first.
   */
  readonly minSimilarity?: number;
}

/** A street of the gazetteer and how well it matches the query. */
export interface StreetCandidate {
  readonly nomVoie: string;
  readonly nomVoieNorm: string;
  readonly codePostal: string;
  readonly codeInsee: string;
  readonly addressCount: number;
  readonly lon: number;
  readonly lat: number;
  /** Similarity of the whole normalised names. */
  readonly simFull: number;
  /** Similarity of the core names (no street type, no articles), or of the query inside it. */
  readonly simCore: number;
}

/** A street type written differently (`rue Longchamp` for `boulevard Longchamp`) costs this. */
const OTHER_TYPE_FACTOR = 0.85;

/**
 * The score of a street for a query, 0..1, or `undefined` when the street's distinctive words do
 * not match well enough: `max(simFull, simCore × type factor)`.
 */
export function scoreStreet(
  query: { streetType: string | undefined },
  candidate: Pick<StreetCandidate, 'nomVoieNorm' | 'simFull' | 'simCore'>,
  minSimilarity: number,
): number | undefined {
  if (candidate.simCore < minSimilarity) return undefined;
  const sameType =
    query.streetType === undefined || streetTypeOf(candidate.nomVoieNorm) === query.streetType;
  return Math.min(
    1,
    Math.max(candidate.simFull, candidate.simCore * (sameType ? 1 : OTHER_TYPE_FACTOR)),
  );
}

const STREET_CANDIDATES = `
SELECT nom_voie, nom_voie_norm, code_postal, code_insee, address_count,
       ST_X(geom) AS lon, ST_Y(geom) AS lat,
       similarity(nom_voie_norm, $1) AS sim_full,
       greatest(similarity(nom_voie_core, $2), 0.9 * word_similarity($2, nom_voie_core)) AS sim_core
FROM gazetteer_street
WHERE (nom_voie_norm % $1 OR nom_voie_core % $2 OR $2 <% nom_voie_core)
  AND code_insee BETWEEN '13201' AND '13216'
ORDER BY sim_core DESC, sim_full DESC, address_count DESC
LIMIT 20`;

/**
 * Exact number and index first, then the same number, then the nearest number, where the other
 * side of the street (other parity) counts as 2.5 numbers away.
 */
const ADDRESS_ON_STREET = `
SELECT numero, rep, nom_voie, code_postal, code_insee, ST_X(geom) AS lon, ST_Y(geom) AS lat
FROM gazetteer_address
WHERE nom_voie_norm = $1 AND code_insee BETWEEN '13201' AND '13216'
ORDER BY (numero = $2 AND rep IS NOT DISTINCT FROM $3) DESC,
         (numero = $2) DESC,
         (code_postal = $4) DESC,
         abs(numero - $2) + CASE WHEN numero % 2 = $2 % 2 THEN 0 ELSE 2.5 END,
         rep NULLS FIRST
LIMIT 1`;

/**
 * A place's names (its name and aliases) against the query's parts: the distinctive words must
 * match (`cours mirabeau` is not `cours julien`), then the whole name, or the name inside the query.
 */
const PLACE_CANDIDATES = `
SELECT p.name, p.code_insee, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, m.sim, m.query
FROM gazetteer_place p
CROSS JOIN LATERAL (
  SELECT q.text AS query,
         CASE WHEN greatest(similarity(n.core, q.core), 0.9 * word_similarity(n.core, q.core)) >= $3
              THEN greatest(similarity(n.name, q.text), 0.9 * word_similarity(n.name, q.text))
              ELSE 0 END AS sim
  FROM unnest(p.name_norm || p.aliases_norm, p.names_core) AS n(name, core),
       unnest($1::text[], $2::text[]) AS q(text, core)
  ORDER BY 2 DESC LIMIT 1
) m
WHERE m.sim >= $3 AND p.code_insee BETWEEN '13201' AND '13216'
ORDER BY m.sim DESC, p.name
LIMIT 1`;

interface StreetMatch {
  readonly candidate: StreetCandidate;
  readonly score: number;
}

interface PlaceMatch {
  readonly name: string;
  readonly codeInsee: string;
  readonly lon: number;
  readonly lat: number;
  readonly score: number;
  /** The part of the query it matched. */
  readonly query: string;
}

/**
 * The default geocoder: the PostGIS gazetteer (`gazetteer_address`, `gazetteer_street`,
 * `gazetteer_place`), offline. A house number on a matched street comes first (the exact number
 * and index, else the nearest number on that street, preferring the given postcode); then a
 * named place or the street itself, whichever matches better — a place named in its own part of
 * the address (`Hôtel de Ville, Quai du Port`) is preferred to the street's middle. Names are
 * compared with pg_trgm after `normalizeAddress`; only Marseille (INSEE 13201–13216) is searched.
 * Positions are WGS84 `{ lon, lat }`.
 */
export class GazetteerGeocoder implements Geocoder {
  private readonly minSimilarity: number;

  constructor(
    private readonly db: Queryable,
    options: GazetteerGeocoderOptions = {},
  ) {
    this.minSimilarity = options.minSimilarity ?? 0.5;
  }

  async geocode(query: string): Promise<GeocodeResult | null> {
    const address = normalizeAddress(query);
    if (address.key === '') return null;
    try {
      return await this.resolve(address);
    } catch (error) {
      if (error instanceof GeocodingError) throw error;
      throw new GeocodingError(
        GeocodingErrorCode.StoreUnavailable,
        `the gazetteer could not be queried: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async resolve(address: NormalizedAddress): Promise<GeocodeResult | null> {
    const street = await this.bestStreet(address);
    if (street && address.houseNumber !== undefined) {
      const numbered = await this.onStreet(address, street);
      if (numbered) return numbered;
    }
    const place = await this.bestPlace(address);
    if (place && (street === undefined || this.placeWins(address, place, street))) {
      return {
        position: { lon: place.lon, lat: place.lat },
        score: round(place.score),
        label: `${place.name}, ${postcodeOfInsee(place.codeInsee) ?? ''} Marseille`,
        kind: 'place',
        source: 'gazetteer',
      };
    }
    if (street === undefined) return null;
    const c = street.candidate;
    return {
      position: { lon: c.lon, lat: c.lat },
      score: round(street.score),
      label: `${c.nomVoie} ${c.codePostal} Marseille`,
      kind: 'street',
      source: 'gazetteer',
    };
  }

  /** A place named in a part of its own beside a street, or matching better than the street. */
  private placeWins(address: NormalizedAddress, place: PlaceMatch, street: StreetMatch): boolean {
    if (address.street !== undefined && address.places.includes(place.query)) return true;
    if (place.score !== street.score) return place.score > street.score;
    return address.streetType === undefined;
  }

  private async bestStreet(address: NormalizedAddress): Promise<StreetMatch | undefined> {
    const texts = address.street !== undefined ? [address.street] : [...address.parts];
    let best: StreetMatch | undefined;
    let bestRank = -1;
    for (const text of texts) {
      const { rows } = await this.db.query<{
        nom_voie: string;
        nom_voie_norm: string;
        code_postal: string;
        code_insee: string;
        address_count: number;
        lon: number;
        lat: number;
        sim_full: number;
        sim_core: number;
      }>(STREET_CANDIDATES, [text, coreName(text)]);
      for (const row of rows) {
        const candidate: StreetCandidate = {
          nomVoie: row.nom_voie,
          nomVoieNorm: row.nom_voie_norm,
          codePostal: row.code_postal,
          codeInsee: row.code_insee,
          addressCount: row.address_count,
          lon: row.lon,
          lat: row.lat,
          simFull: row.sim_full,
          simCore: row.sim_core,
        };
        const score = scoreStreet(
          { streetType: streetTypeOf(text) },
          candidate,
          this.minSimilarity,
        );
        if (score === undefined) continue;
        const samePlace =
          (address.postcode !== undefined && candidate.codePostal === address.postcode) ||
          (address.inseeCode !== undefined && candidate.codeInsee === address.inseeCode);
        // The postcode decides between near-equal names (one street in two arrondissements).
        const rank = score + (samePlace ? 0.03 : 0);
        if (rank > bestRank) {
          best = { candidate, score };
          bestRank = rank;
        }
      }
    }
    return best;
  }

  private async onStreet(
    address: NormalizedAddress,
    street: StreetMatch,
  ): Promise<GeocodeResult | undefined> {
    const number = address.houseNumber!;
    const { rows } = await this.db.query<{
      numero: number;
      rep: string | null;
      nom_voie: string;
      code_postal: string;
      lon: number;
      lat: number;
    }>(ADDRESS_ON_STREET, [
      street.candidate.nomVoieNorm,
      number,
      address.rep ?? null,
      address.postcode ?? null,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    // Exact: the street's score; same number, other index: a little less; nearest number: less.
    const factor =
      row.numero === number ? (row.rep === (address.rep ?? null) ? 1 : 0.95) : NEAREST_FACTOR;
    return {
      position: { lon: row.lon, lat: row.lat },
      score: round(street.score * factor),
      label: `${row.numero}${row.rep ? ` ${row.rep}` : ''} ${row.nom_voie} ${row.code_postal} Marseille`,
      kind: 'housenumber',
      source: 'gazetteer',
    };
  }

  private async bestPlace(address: NormalizedAddress): Promise<PlaceMatch | undefined> {
    const texts = [...new Set([...address.places, address.name])].filter((t) => t !== '');
    const { rows } = await this.db.query<{
      name: string;
      code_insee: string;
      lon: number;
      lat: number;
      sim: number;
      query: string;
    }>(PLACE_CANDIDATES, [texts, texts.map(coreName), this.minSimilarity]);
    const row = rows[0];
    return row
      ? {
          name: row.name,
          codeInsee: row.code_insee,
          lon: row.lon,
          lat: row.lat,
          score: Math.min(1, row.sim),
          query: row.query,
        }
      : undefined;
  }
}

/** The nearest number on the street stands for the one asked: its score is lowered by this. */
const NEAREST_FACTOR = 0.8;

const round = (score: number) => Math.round(score * 1000) / 1000;
