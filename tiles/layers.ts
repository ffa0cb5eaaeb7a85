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
}

export const LAYERS: Record<string, TileLayer> = {
  zones: {
    urlName: "zones",
    layer: "zones",
    compat: false,
    description: "Administrative zones (cosmogony): one feature per zone, id = zone id",
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
