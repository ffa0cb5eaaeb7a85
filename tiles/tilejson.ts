// TileJSON 3.0.0 for a layer of the served version. The tile URL carries `?v=<version>` so those URLs can be
// cached as immutable: a publish changes the TileJSON, hence the URLs, never the bytes behind a URL.
// The tileset's description (name, attribution, vector_layers) is also an exported archive's metadata (export.ts).
import type { TileLayer } from "./layers.ts";
import { LABEL_LAYER_DESCRIPTION, labelFields, layerFields } from "./layers.ts";

export interface TileJsonInput {
  baseUrl: string;
  layer: TileLayer;
  version: number;
  bounds: [number, number, number, number] | null;
  maxZoom: number;
  languages: string[];
}

export const ATTRIBUTION = '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>';

export function tilesetName(layer: TileLayer): string {
  return layer.compat ? "cosmogony" : "cosmo zones";
}

/** TileJSON `vector_layers`: the layer's MVT layers (zones, and their label points) and the properties the SQL writes. */
export function vectorLayers(layer: TileLayer, minZoom: number, maxZoom: number, languages: string[]) {
  const zones = {
    id: layer.layer,
    description: layer.description,
    minzoom: minZoom,
    maxzoom: maxZoom,
    fields: layerFields(layer, layer.compat ? [] : languages),
  };
  if (!layer.labelLayer) return [zones];
  const labels = {
    id: layer.labelLayer,
    description: LABEL_LAYER_DESCRIPTION,
    minzoom: minZoom,
    maxzoom: maxZoom,
    fields: labelFields(languages),
  };
  return [zones, labels];
}

export function tileJson(input: TileJsonInput): Record<string, unknown> {
  const { baseUrl, layer, version, maxZoom } = input;
  const bounds = input.bounds ?? [-180, -85.0511, 180, 85.0511];
  const center = [round((bounds[0] + bounds[2]) / 2), round((bounds[1] + bounds[3]) / 2), Math.min(maxZoom, 6)];
  return {
    tilejson: "3.0.0",
    name: tilesetName(layer),
    description: layer.description,
    version: "1.0.0",
    attribution: ATTRIBUTION,
    scheme: "xyz",
    tiles: [`${baseUrl}/tiles/${layer.urlName}/{z}/{x}/{y}.pbf?v=${version}`],
    minzoom: 0,
    maxzoom: maxZoom,
    bounds: bounds.map(round),
    center,
    vector_layers: vectorLayers(layer, 0, maxZoom, input.languages),
    dataset_version: version,
  };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
