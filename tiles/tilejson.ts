// TileJSON 3.0.0 for a layer of the served version. The tile URL carries `?v=<version>` so those URLs can be
// cached as immutable: a publish changes the TileJSON, hence the URLs, never the bytes behind a URL.
import type { TileLayer } from "./layers.ts";
import { layerFields } from "./layers.ts";

export interface TileJsonInput {
  baseUrl: string;
  layer: TileLayer;
  version: number;
  bounds: [number, number, number, number] | null;
  maxZoom: number;
  languages: string[];
}

export function tileJson(input: TileJsonInput): Record<string, unknown> {
  const { baseUrl, layer, version, maxZoom } = input;
  const bounds = input.bounds ?? [-180, -85.0511, 180, 85.0511];
  const center = [round((bounds[0] + bounds[2]) / 2), round((bounds[1] + bounds[3]) / 2), Math.min(maxZoom, 6)];
  return {
    tilejson: "3.0.0",
    name: layer.compat ? "cosmogony" : "cosmo zones",
    description: layer.description,
    version: "1.0.0",
    attribution: '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>',
    scheme: "xyz",
    tiles: [`${baseUrl}/tiles/${layer.urlName}/{z}/{x}/{y}.pbf?v=${version}`],
    minzoom: 0,
    maxzoom: maxZoom,
    bounds: bounds.map(round),
    center,
    vector_layers: [
      {
        id: layer.layer,
        description: layer.description,
        minzoom: 0,
        maxzoom: maxZoom,
        fields: layerFields(layer, layer.compat ? [] : input.languages),
      },
    ],
    dataset_version: version,
  };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
