import { cellToBoundary } from 'h3-js';
import type { Pool } from 'pg';
import type { CollectionId, ItemsFilter } from './collections';
import type { Bbox } from './query-params';
import { SqlParams } from './sql-params';

/** One page of a collection: how many features match, and the page's features as GeoJSON text. */
export interface FeaturePage {
  readonly matched: number;
  readonly features: readonly string[];
}

/** What the API knows of a collection's extent: a CRS84 box and an interval (ISO, or null). */
export interface CollectionExtent {
  readonly bbox: Bbox | null;
  readonly interval: readonly [string | null, string | null];
}

/** Presence spreads around an event's geometry (a crowd's disk, hexagons): how far, degrees. */
const PRESENCE_MARGIN_DEGREES = 0.05;
/** A bbox query on presence filters its hexagons in Node: at most this many candidate rows. */
const MAX_PRESENCE_CANDIDATES = 200_000;

const iso = (column: string) =>
  `to_char((${column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * An event's geometry: `event` keeps it in one typed column per shape (route LineString,
 * footprint Polygon, places MultiPoint), exactly one of them set.
 */
export const EVENT_GEOM = 'coalesce(e.route_geom, e.footprint_geom, e.points_geom)';

/** Whether the event `e` meets `box`: each shape's column and its GiST index, OR-ed. */
export const eventMeets = (box: string) =>
  `(e.route_geom && ${box} OR e.footprint_geom && ${box} OR e.points_geom && ${box})`;

export const envelope = (params: SqlParams, bbox: Bbox) =>
  `ST_MakeEnvelope(${params.add(bbox[0])}, ${params.add(bbox[1])}, ${params.add(bbox[2])}, ${params.add(bbox[3])}, 4326)`;

/** The SQL of one collection: its table, its conditions for `filter`, its order, its feature. */
interface CollectionSql {
  readonly from: string;
  readonly where: string[];
  readonly order: string;
  readonly feature: string;
}

/**
 * The analysts' reads as SQL on the aggregator's tables. Every request value is a bound
 * parameter; features are written as GeoJSON by PostGIS (`ST_AsGeoJSON`, 6 decimals ≈ 0.1 m),
 * except presence, whose hexagons h3-js draws (the table holds cell ids, not polygons).
 */
export class FeaturesRepository {
  constructor(
    private readonly pool: Pool,
    private readonly bucketMinutes: number,
  ) {}

  async items(
    collection: CollectionId,
    filter: ItemsFilter,
    limit: number,
    offset: number,
  ): Promise<FeaturePage> {
    if (collection === 'presence' && filter.bbox) return this.presenceInBox(filter, limit, offset);
    const params = new SqlParams();
    const sql = this.sqlOf(collection, filter, params);
    const where = sql.where.length > 0 ? `WHERE ${sql.where.join(' AND ')}` : '';
    const countValues = [...params.values];
    const page = `SELECT ${sql.feature} AS feature FROM ${sql.from} ${where}
                   ORDER BY ${sql.order} LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`;
    const [count, rows] = await Promise.all([
      this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql.from} ${where}`, countValues),
      this.pool.query<{ feature: string }>(page, params.values),
    ]);
    const features = rows.rows.map((r) => r.feature);
    return {
      matched: Number(count.rows[0]?.n ?? 0),
      features: collection === 'presence' ? features.map(withHexagon) : features,
    };
  }

  /** One feature by its id, or `undefined`. Ids that cannot exist are `undefined`, not errors. */
  async item(collection: CollectionId, featureId: string): Promise<string | undefined> {
    const params = new SqlParams();
    const sql = this.sqlOf(collection, NO_FILTER, params);
    const condition = this.idCondition(collection, featureId, params);
    if (condition === undefined) return undefined;
    const { rows } = await this.pool.query<{ feature: string }>(
      `SELECT ${sql.feature} AS feature FROM ${sql.from} WHERE ${condition} LIMIT 1`,
      params.values,
    );
    const feature = rows[0]?.feature;
    return feature !== undefined && collection === 'presence' ? withHexagon(feature) : feature;
  }

  /**
   * The events' box and span: presence, cells and zones lie around the events and within their
   * times (cells and zones on whole buckets), and the `event` table holds only current events,
   * so this reads one small table rather than scanning the large ones.
   */
  async extent(collection: CollectionId): Promise<CollectionExtent> {
    const seconds = this.bucketMinutes * 60;
    const onBuckets = collection !== 'events' && collection !== 'presence';
    const start = onBuckets
      ? `to_timestamp(floor(extract(epoch FROM min(start_at)) / ${seconds}) * ${seconds})`
      : 'min(start_at)';
    const finish = onBuckets
      ? `to_timestamp(ceil(extract(epoch FROM max(end_at)) / ${seconds}) * ${seconds})`
      : 'max(end_at)';
    const { rows } = await this.pool.query<{
      xmin: number | null;
      ymin: number;
      xmax: number;
      ymax: number;
      start: string | null;
      end: string | null;
    }>(
      `SELECT ST_XMin(b) - $1 AS xmin, ST_YMin(b) - $1 AS ymin, ST_XMax(b) + $1 AS xmax,
              ST_YMax(b) + $1 AS ymax, s AS start, f AS end
         FROM (SELECT ST_Extent(${EVENT_GEOM})::geometry AS b, ${iso(start)} AS s, ${iso(finish)} AS f
                 FROM event e) x`,
      [collection === 'events' ? 0 : PRESENCE_MARGIN_DEGREES],
    );
    const b = rows[0];
    return {
      bbox: b && b.xmin !== null ? [b.xmin, b.ymin, b.xmax, b.ymax] : null,
      interval: [b?.start ?? null, b?.end ?? null],
    };
  }

  private sqlOf(collection: CollectionId, filter: ItemsFilter, params: SqlParams): CollectionSql {
    switch (collection) {
      case 'events':
        return this.eventsSql(filter, params);
      case 'presence':
        return this.presenceSql(filter, params);
      case 'tension-cells':
        return this.cellsSql(filter, params);
      case 'tension-days':
        return this.daysSql(filter, params);
      case 'tension-zones':
        return this.zonesSql(filter, params);
      case 'hotspots':
        return this.hotspotsSql(filter, params);
      case 'alerts':
        return this.alertsSql(filter, params);
      default: {
        const _exhaustive: never = collection;
        return _exhaustive;
      }
    }
  }

  private eventsSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const where: string[] = [];
    if (f.bbox) {
      const box = envelope(params, f.bbox);
      where.push(eventMeets(box), `ST_Intersects(${EVENT_GEOM}, ${box})`);
    }
    if (f.datetime?.start != null)
      where.push(`e.end_at > ${params.add(new Date(f.datetime.start))}`);
    if (f.datetime?.end != null)
      where.push(`e.start_at <= ${params.add(new Date(f.datetime.end))}`);
    if (f.kinds) where.push(`e.kind = ANY(${params.add(f.kinds)}::text[])`);
    if (f.organiserStatuses)
      where.push(`e.organiser_status = ANY(${params.add(f.organiserStatuses)}::text[])`);
    if (f.themes) where.push(`e.theme = ANY(${params.add(f.themes)}::text[])`);
    if (f.eventIds) where.push(`e.event_id = ANY(${params.add(f.eventIds)}::uuid[])`);
    return {
      from: 'event e',
      where,
      order: 'e.start_at, e.event_id',
      feature: `json_build_object(
        'type', 'Feature', 'id', e.event_id,
        'geometry', ST_AsGeoJSON(${EVENT_GEOM}, 6)::json,
        'properties', json_build_object(
          'kind', e.kind, 'revision', e.revision, 'subject', e.subject,
          'description', e.description,
          'startAt', ${iso('e.start_at')}, 'endAt', ${iso('e.end_at')},
          'peopleExpected', e.people_expected, 'peopleDeclared', e.people_declared,
          'carsExpected', e.cars_expected, 'carsDeclared', e.cars_declared,
          'organiserStatus', e.organiser_status, 'theme', e.theme,
          'geocodeQuality', e.geocode_quality))::text`,
    };
  }

  private presenceSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const where: string[] = [];
    if (f.datetime?.start != null)
      where.push(`p.end_at > ${params.add(new Date(f.datetime.start))}`);
    if (f.datetime?.end != null)
      where.push(`p.start_at <= ${params.add(new Date(f.datetime.end))}`);
    if (f.eventIds) where.push(`p.event_id = ANY(${params.add(f.eventIds)}::uuid[])`);
    if (f.cell) where.push(`p.cell = ${params.add(f.cell)}`);
    return {
      from: 'event_presence p',
      where,
      order: 'p.start_at, p.event_id, p.cell',
      // The geometry is added in Node: see `withHexagon`.
      feature: `json_build_object(
        'type', 'Feature',
        'id', p.event_id || '@' || p.cell || '@' || ${iso('p.start_at')},
        'properties', json_build_object(
          'eventId', p.event_id, 'cell', p.cell, 'revision', p.revision,
          'startAt', ${iso('p.start_at')}, 'endAt', ${iso('p.end_at')}))::text`,
    };
  }

  private cellsSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const bucketMs = this.bucketMinutes * 60_000;
    const where: string[] = [];
    if (f.resolution !== undefined) where.push(`c.resolution = ${params.add(f.resolution)}`);
    if (f.bbox) {
      const box = envelope(params, f.bbox);
      where.push(`c.geom && ${box}`, `ST_Intersects(c.geom, ${box})`);
    }
    // A bucket [start, start + length) meets [a, b] when start > a - length and start <= b.
    if (f.datetime?.start != null)
      where.push(`c.bucket_start > ${params.add(new Date(f.datetime.start - bucketMs))}`);
    if (f.datetime?.end != null)
      where.push(`c.bucket_start <= ${params.add(new Date(f.datetime.end))}`);
    if (f.minScore !== undefined) where.push(`c.score >= ${params.add(f.minScore)}`);
    if (f.eventIds) where.push(`c.event_ids && ${params.add(f.eventIds)}::uuid[]`);
    if (f.cell) where.push(`c.cell = ${params.add(f.cell)}`);
    return {
      from: 'cell_tension c',
      where,
      order: 'c.bucket_start, c.resolution, c.cell',
      feature: `json_build_object(
        'type', 'Feature', 'id', c.cell || '@' || ${iso('c.bucket_start')},
        'geometry', ST_AsGeoJSON(c.geom, 6)::json,
        'properties', json_build_object(
          'resolution', c.resolution, 'cell', c.cell,
          'bucketStart', ${iso('c.bucket_start')},
          'bucketEnd', ${iso(`c.bucket_start + make_interval(mins => ${this.bucketMinutes})`)},
          'load', c.load, 'conflict', c.conflict, 'score', c.score,
          'eventCount', c.event_count, 'eventIds', c.event_ids))::text`,
    };
  }

  /**
   * Per cell and local day, from `cell_tension` grouped (the expression index on the local day
   * serves it): the days met by `datetime`, in Europe/Paris.
   */
  private daysSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const day = `(c.bucket_start AT TIME ZONE 'Europe/Paris')::date`;
    const inner: string[] = [];
    if (f.resolution !== undefined) inner.push(`c.resolution = ${params.add(f.resolution)}`);
    if (f.bbox) {
      const box = envelope(params, f.bbox);
      inner.push(`c.geom && ${box}`, `ST_Intersects(c.geom, ${box})`);
    }
    const localDay = (epochMs: number) =>
      `(${params.add(new Date(epochMs))}::timestamptz AT TIME ZONE 'Europe/Paris')::date`;
    if (f.datetime?.start != null) inner.push(`${day} >= ${localDay(f.datetime.start)}`);
    if (f.datetime?.end != null) inner.push(`${day} <= ${localDay(f.datetime.end)}`);
    if (f.cell) inner.push(`c.cell = ${params.add(f.cell)}`);
    const where: string[] = [];
    if (f.minScore !== undefined) where.push(`d.peak_score >= ${params.add(f.minScore)}`);
    return {
      from: `(SELECT c.resolution, c.cell, ${day} AS day, max(c.score) AS peak_score,
                     sum(c.score) / 96 AS mean_score, max(c.event_count) AS max_events,
                     (array_agg(c.geom))[1] AS geom
                FROM cell_tension c ${inner.length > 0 ? `WHERE ${inner.join(' AND ')}` : ''}
               GROUP BY c.resolution, c.cell, ${day}) d`,
      where,
      order: 'd.day, d.resolution, d.cell',
      feature: `json_build_object(
        'type', 'Feature', 'id', d.cell || '@' || to_char(d.day, 'YYYY-MM-DD'),
        'geometry', ST_AsGeoJSON(d.geom, 6)::json,
        'properties', json_build_object(
          'resolution', d.resolution, 'cell', d.cell, 'day', to_char(d.day, 'YYYY-MM-DD'),
          'peakScore', d.peak_score, 'meanScore', d.mean_score, 'maxEvents', d.max_events))::text`,
    };
  }

  private zonesSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const where: string[] = [];
    if (f.resolution !== undefined) where.push(`z.resolution = ${params.add(f.resolution)}`);
    if (f.bbox) {
      const box = envelope(params, f.bbox);
      where.push(`z.geom && ${box}`, `ST_Intersects(z.geom, ${box})`);
    }
    // A zone spans [bucket_start, bucket_end): bucket_end is the end of its bucket.
    if (f.datetime?.start != null)
      where.push(`z.bucket_end > ${params.add(new Date(f.datetime.start))}`);
    if (f.datetime?.end != null)
      where.push(`z.bucket_start <= ${params.add(new Date(f.datetime.end))}`);
    if (f.minScore !== undefined) where.push(`z.peak_score >= ${params.add(f.minScore)}`);
    if (f.kinds) where.push(`z.kinds && ${params.add(f.kinds)}::text[]`);
    if (f.eventIds) where.push(`z.event_ids && ${params.add(f.eventIds)}::uuid[]`);
    return {
      from: 'tension_zone z',
      where,
      order: 'z.bucket_start, z.resolution, z.zone_id',
      feature: `json_build_object(
        'type', 'Feature', 'id', z.zone_id,
        'geometry', ST_AsGeoJSON(z.geom, 6)::json,
        'properties', json_build_object(
          'resolution', z.resolution, 'start', ${iso('z.bucket_start')},
          'end', ${iso('z.bucket_end')},
          'peakScore', z.peak_score, 'peakCell', z.peak_cell, 'cellCount', z.cell_count,
          'eventIds', z.event_ids, 'kinds', z.kinds))::text`,
    };
  }

  /** Hotspots per window: `datetime` selects the windows (local days) it meets. */
  private hotspotsSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const where: string[] = [];
    if (f.window !== undefined) where.push(`h.window_kind = ${params.add(f.window)}`);
    if (f.bbox) {
      const box = envelope(params, f.bbox);
      where.push(`h.geom && ${box}`, `ST_Intersects(h.geom, ${box})`);
    }
    const localDay = (epochMs: number) =>
      `(${params.add(new Date(epochMs))}::timestamptz AT TIME ZONE 'Europe/Paris')::date`;
    if (f.datetime?.start != null) where.push(`h.window_end > ${localDay(f.datetime.start)}`);
    if (f.datetime?.end != null) where.push(`h.window_start <= ${localDay(f.datetime.end)}`);
    if (f.spots) where.push(`h.spot = ANY(${params.add(f.spots)}::text[])`);
    if (f.cell) where.push(`h.cell = ${params.add(f.cell)}`);
    const day = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
    return {
      from: 'hotspot h',
      where,
      order: 'h.window_kind, h.window_start, h.cell',
      feature: `json_build_object(
        'type', 'Feature',
        'id', h.cell || '@' || h.window_kind || '@' || ${day('h.window_start')},
        'geometry', ST_AsGeoJSON(h.geom, 6)::json,
        'properties', json_build_object(
          'cell', h.cell, 'resolution', h.resolution, 'window', h.window_kind,
          'start', ${day('h.window_start')}, 'end', ${day('h.window_end')},
          'value', h.value, 'neighbours', h.neighbours, 'z', h.z, 'p', h.p, 'q', h.q,
          'spot', h.spot, 'alpha', h.alpha, 'studyArea', h.study_area))::text`,
    };
  }

  /** Conflict alerts: `datetime` selects those whose interval meets it. */
  private alertsSql(f: ItemsFilter, params: SqlParams): CollectionSql {
    const where: string[] = [];
    if (f.bbox) {
      const box = envelope(params, f.bbox);
      where.push(`a.geom && ${box}`, `ST_Intersects(a.geom, ${box})`);
    }
    if (f.datetime?.start != null)
      where.push(`a.end_at > ${params.add(new Date(f.datetime.start))}`);
    if (f.datetime?.end != null)
      where.push(`a.start_at <= ${params.add(new Date(f.datetime.end))}`);
    if (f.severities) where.push(`a.severity = ANY(${params.add(f.severities)}::text[])`);
    if (f.statuses) where.push(`a.status = ANY(${params.add(f.statuses)}::text[])`);
    if (f.eventIds) {
      const ids = params.add(f.eventIds);
      where.push(`(a.event_a = ANY(${ids}::uuid[]) OR a.event_b = ANY(${ids}::uuid[]))`);
    }
    return {
      from: 'alert a',
      where,
      order: 'a.start_at, a.event_a, a.event_b',
      feature: `json_build_object(
        'type', 'Feature', 'id', a.event_a || ':' || a.event_b,
        'geometry', ST_AsGeoJSON(a.geom, 6)::json,
        'properties', json_build_object(
          'status', a.status, 'severity', a.severity, 'rule', a.rule, 'version', a.version,
          'eventA', json_build_object('eventId', a.event_a, 'kind', a.kind_a,
                                      'revision', a.revision_a),
          'eventB', json_build_object('eventId', a.event_b, 'kind', a.kind_b,
                                      'revision', a.revision_b),
          'start', ${iso('a.start_at')}, 'end', ${iso('a.end_at')},
          'cells', a.cells, 'point', json_build_array(ST_X(a.point), ST_Y(a.point)),
          'arrondissement', a.arrondissement, 'changedAt', ${iso('a.changed_at')}))::text`,
    };
  }

  /** The SQL condition selecting `featureId`, or `undefined` when no feature can have it. */
  private idCondition(
    collection: CollectionId,
    featureId: string,
    params: SqlParams,
  ): string | undefined {
    const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    const CELL = '[0-9a-f]{15}';
    const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
    const at = (text: string) => {
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? undefined : date;
    };
    switch (collection) {
      case 'events':
        return new RegExp(`^${UUID}$`).test(featureId)
          ? `e.event_id = ${params.add(featureId)}`
          : undefined;
      case 'tension-zones':
        return `z.zone_id = ${params.add(featureId)}`;
      case 'tension-days': {
        const match = new RegExp(`^(${CELL})@(\\d{4}-\\d{2}-\\d{2})$`).exec(featureId);
        const day = match ? at(`${match[2]}T00:00:00Z`) : undefined;
        return match && day
          ? `d.cell = ${params.add(match[1])} AND d.day = ${params.add(match[2])}::date`
          : undefined;
      }
      case 'tension-cells': {
        const match = new RegExp(`^(${CELL})@(${ISO})$`).exec(featureId);
        const start = match ? at(match[2] as string) : undefined;
        return match && start
          ? `c.cell = ${params.add(match[1])} AND c.bucket_start = ${params.add(start)}`
          : undefined;
      }
      case 'hotspots': {
        const match = new RegExp(`^(${CELL})@(day|week)@(\\d{4}-\\d{2}-\\d{2})$`).exec(featureId);
        const day = match ? at(`${match[3]}T00:00:00Z`) : undefined;
        return match && day
          ? `h.cell = ${params.add(match[1])} AND h.window_kind = ${params.add(match[2])} AND h.window_start = ${params.add(match[3])}::date`
          : undefined;
      }
      case 'alerts': {
        const match = new RegExp(`^(${UUID}):(${UUID})$`).exec(featureId);
        return match
          ? `a.event_a = ${params.add(match[1])} AND a.event_b = ${params.add(match[2])}`
          : undefined;
      }
      case 'presence': {
        const match = new RegExp(`^(${UUID})@(${CELL})@(${ISO})$`).exec(featureId);
        const start = match ? at(match[3] as string) : undefined;
        return match && start
          ? `p.event_id = ${params.add(match[1])} AND p.cell = ${params.add(match[2])} AND p.start_at = ${params.add(start)}`
          : undefined;
      }
      default: {
        const _exhaustive: never = collection;
        return _exhaustive;
      }
    }
  }

  /**
   * Presence in a box: the candidate rows are those of events near the box (SQL), then each
   * hexagon is kept if its outline's box meets the query's (Node), then paged.
   */
  private async presenceInBox(
    filter: ItemsFilter,
    limit: number,
    offset: number,
  ): Promise<FeaturePage> {
    const bbox = filter.bbox as Bbox;
    const params = new SqlParams();
    const sql = this.presenceSql(filter, params);
    const near = `p.event_id IN (SELECT e.event_id FROM event e WHERE ${eventMeets(`ST_Expand(${envelope(params, bbox)}, ${params.add(PRESENCE_MARGIN_DEGREES)})`)})`;
    const { rows } = await this.pool.query<{ cell: string; feature: string }>(
      `SELECT p.cell, ${sql.feature} AS feature FROM ${sql.from}
        WHERE ${[...sql.where, near].join(' AND ')}
        ORDER BY ${sql.order} LIMIT ${params.add(MAX_PRESENCE_CANDIDATES + 1)}`,
      params.values,
    );
    if (rows.length > MAX_PRESENCE_CANDIDATES)
      throw new PresenceQueryTooWide(MAX_PRESENCE_CANDIDATES);
    const inBox = rows.filter((row) => hexagonMeetsBox(row.cell, bbox));
    return {
      matched: inBox.length,
      features: inBox.slice(offset, offset + limit).map((row) => withHexagon(row.feature)),
    };
  }
}

/** A presence query in a box that would read too many rows: narrow it by time or event. */
export class PresenceQueryTooWide extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} presence rows lie near this box: narrow it with datetime or eventId`);
  }
}

const NO_FILTER: ItemsFilter = {
  bbox: undefined,
  datetime: undefined,
  kinds: undefined,
  organiserStatuses: undefined,
  themes: undefined,
  eventIds: undefined,
  cell: undefined,
  resolution: undefined,
  minScore: undefined,
  window: undefined,
  spots: undefined,
  severities: undefined,
  statuses: undefined,
};

/** The hexagon of `cell` as a GeoJSON polygon (`[lon, lat]`, closed ring). */
export function hexagonOf(cell: string): { type: 'Polygon'; coordinates: number[][][] } {
  const ring = cellToBoundary(cell, true);
  return { type: 'Polygon', coordinates: [ring] };
}

/** Whether the box of `cell`'s outline meets `bbox` (CRS84). */
function hexagonMeetsBox(cell: string, bbox: Bbox): boolean {
  const ring = cellToBoundary(cell, true);
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  return (
    Math.min(...lons) <= bbox[2] &&
    Math.max(...lons) >= bbox[0] &&
    Math.min(...lats) <= bbox[3] &&
    Math.max(...lats) >= bbox[1]
  );
}

/** A presence feature's text with its hexagon as geometry (presence rows hold no polygon). */
export function withHexagon(feature: string): string {
  const parsed = JSON.parse(feature) as { properties: { cell: string } };
  return JSON.stringify({ ...parsed, geometry: hexagonOf(parsed.properties.cell) });
}
