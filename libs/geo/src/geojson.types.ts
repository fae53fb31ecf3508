/** A GeoJSON position: `[lon, lat]` in WGS84 degrees (RFC 7946 order, not h3-js `[lat, lng]`). */
export type LonLat = [number, number];

export interface GeoJsonPoint {
  readonly type: 'Point';
  readonly coordinates: LonLat;
}

export interface GeoJsonMultiPoint {
  readonly type: 'MultiPoint';
  readonly coordinates: LonLat[];
}

export interface GeoJsonLineString {
  readonly type: 'LineString';
  readonly coordinates: LonLat[];
}

/** Outer ring then holes, each ring closed, `[lon, lat]` positions. */
export interface GeoJsonPolygon {
  readonly type: 'Polygon';
  readonly coordinates: LonLat[][];
}

export type EventGeoJsonGeometry =
  GeoJsonPoint | GeoJsonMultiPoint | GeoJsonLineString | GeoJsonPolygon;

/** What the geometry of an event stands for, in the properties of its GeoJSON feature. */
export interface EventFeatureProperties {
  /** `route`: a march's line; `footprint`: a drawn area; `points`: disks around addresses. */
  readonly shape: 'route' | 'footprint' | 'points';
  /** `drawn` by the Préfecture (route trace, footprint) or `geocoded` from addresses. */
  readonly source: 'drawn' | 'geocoded';
  /** For `points`: the radius of the disk around each point, in metres. */
  readonly radiusMetres?: number;
}

/** The geometry of an event as one GeoJSON feature (RFC 7946, WGS84, `[lon, lat]`). */
export interface EventFeature {
  readonly type: 'Feature';
  readonly geometry: EventGeoJsonGeometry;
  readonly properties: EventFeatureProperties;
}
