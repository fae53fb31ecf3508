import { VectorTile } from '@mapbox/vector-tile';
import Protobuf from 'pbf';

/**
 * The tile layers and the PostGIS function that makes each (migrations `TileFunctions` and
 * `BaseMapTiles`); `base` is the map's base layer from the gazetteer, with no time.
 */
export const TILE_LAYERS = {
  base: 'cortege_tile_base',
  'tension-cells': 'cortege_tile_cells',
  'tension-zones': 'cortege_tile_zones',
  events: 'cortege_tile_events',
} as const;
export type TileLayer = keyof typeof TILE_LAYERS;

export const MAX_ZOOM = 24;

/** The H3 resolution drawn at zoom `z`: 8 up to 11, 9 up to 13, 10 beyond, among those scored. */
export function resolutionForZoom(z: number, scored: readonly number[]): number {
  const wanted = z <= 11 ? 8 : z <= 13 ? 9 : 10;
  return (
    [...scored].sort((a, b) => Math.abs(a - wanted) - Math.abs(b - wanted) || a - b)[0] ?? wanted
  );
}

/** How many features a tile holds, all layers together (the audit's row count). */
export function featureCount(tile: Buffer): number {
  const layers = new VectorTile(new Protobuf(tile)).layers;
  return Object.values(layers).reduce((n, layer) => n + layer.length, 0);
}
