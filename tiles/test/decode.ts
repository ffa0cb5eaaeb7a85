// Decode an MVT response with @mapbox/vector-tile (the reference decoder maplibre uses).
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader as Pbf } from "pbf";

export interface DecodedFeature {
  id: number | undefined;
  properties: Record<string, unknown>;
  rings: number;
  extent: number;
}

export function decodeLayer(bytes: ArrayBuffer | Uint8Array, layerName: string): DecodedFeature[] | undefined {
  const tile = new VectorTile(new Pbf(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
  const layer = tile.layers[layerName];
  if (!layer) return undefined;
  const out: DecodedFeature[] = [];
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    out.push({ id: f.id, properties: f.properties, rings: f.loadGeometry().length, extent: layer.extent });
  }
  return out;
}

export function layerNames(bytes: ArrayBuffer): string[] {
  return Object.keys(new VectorTile(new Pbf(new Uint8Array(bytes))).layers);
}
