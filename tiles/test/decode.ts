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

/** The zone's rings of a decoded tile as a GeoJSON MultiPolygon in tile units (rings classed as MVT says). */
export function tileShape(bytes: Uint8Array, layerName: string, id: number): string | null {
  const layer = new VectorTile(new Pbf(bytes)).layers[layerName];
  if (!layer) return null;
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    if (f.id !== id) continue;
    const polygons: number[][][][] = [];
    let exteriorSign = 0;
    for (const ring of f.loadGeometry()) {
      let area = 0;
      for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) {
        const p = ring[k] as { x: number; y: number };
        const q = ring[j] as { x: number; y: number };
        area += (q.x - p.x) * (p.y + q.y);
      }
      if (area === 0) continue;
      if (exteriorSign === 0) exteriorSign = Math.sign(area);
      const coords = ring.map((p) => [p.x, p.y]);
      if (Math.sign(area) === exteriorSign) polygons.push([coords]);
      else polygons[polygons.length - 1]?.push(coords);
    }
    return JSON.stringify({ type: "MultiPolygon", coordinates: polygons });
  }
  return null;
}
