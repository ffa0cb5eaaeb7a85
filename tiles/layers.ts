// The two tile layers served: the new `zones` layer and the old explorer's `vector-zones` (issue 9), which is
// the same query in its old flavour (three properties, countries only at z0-2, every zone from z3: see
// bands.ts#bandForLayer) under the old URL.
export interface TileLayer {
  /** Path segment: /tiles/<urlName>/{z}/{x}/{y}.pbf and /tiles/<urlName>.json */
  urlName: string;
  /** MVT layer name inside the tile. */
  layer: string;
  compat: boolean;
  description: string;
  /** MVT layer of the zones' label points (one point per zone, in the tile holding it), if the layer has one. */
  labelLayer?: string;
}

/** The label points' layer: what the explorer draws the names from. */
export const LABEL_LAYER_DESCRIPTION =
  "Label points of the zones in the zones layer: one point per zone (its label point) in the one tile holding it";

export const LAYERS: Record<string, TileLayer> = {
  zones: {
    urlName: "zones",
    layer: "zones",
    compat: false,
    description: "Administrative zones (cosmogony): one feature per zone, id = zone id",
    labelLayer: "zone_labels",
  },
  cosmogony: {
    urlName: "cosmogony",
    layer: "vector-zones",
    compat: true,
    description:
      "Old cosmogony_explorer layer (name, admin_level, zone_type; countries only at z0-2, every zone from z3)",
  },
};

export function layerByUrlName(name: string): TileLayer | undefined {
  return Object.hasOwn(LAYERS, name) ? LAYERS[name] : undefined;
}

/** Fields per layer for TileJSON `vector_layers` (the properties the SQL writes). */
export function layerFields(layer: TileLayer, languages: string[]): Record<string, string> {
  if (layer.compat) return { name: "String", admin_level: "Number", zone_type: "String" };
  const fields: Record<string, string> = {
    name: "String: the zone's name",
    zone_type:
      "String: suburb, city_district, city, state_district, state, country_region, country, non_administrative",
    admin_level: "Number: OSM admin_level",
    country_code: "String: ISO 3166-1 alpha-2, upper case",
    osm_id: "String: relation:<id> or node:<id>",
    label: "String: name with its parents, e.g. 'Luxembourg, Canton Luxembourg, Lëtzebuerg'",
  };
  for (const lang of languages) fields[`name:${lang}`] = `String: name in ${lang} (OSM name:${lang}), when tagged`;
  return fields;
}

/** Fields of the label points' layer: names (each `name:<lang>` when tagged) and what a style filters on. */
export function labelFields(languages: string[]): Record<string, string> {
  const fields: Record<string, string> = {
    name: "String: the zone's name",
    zone_type: "String: as in the zones layer",
    admin_level: "Number: OSM admin_level",
  };
  for (const lang of languages) fields[`name:${lang}`] = `String: name in ${lang} (OSM name:${lang}), when tagged`;
  return fields;
}
