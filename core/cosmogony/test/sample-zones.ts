// Hand-made zones covering every field of the format: a 4-level hierarchy with non-ASCII names, several
// languages, zip codes, a generated suburb without geometry, a polygon with a hole, a self-intersecting
// ("bow-tie") boundary that PostGIS must repair, and ids that are not contiguous.
import type { MultiPolygonGeometry, Zone } from "../model.ts";

function box(x0: number, y0: number, x1: number, y1: number): [number, number][] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
}

function mp(...polys: [number, number][][][]): MultiPolygonGeometry {
  return { type: "MultiPolygon", coordinates: polys };
}

export function sampleZones(): Zone[] {
  return [
    {
      id: 10,
      osm_id: "relation:2171347",
      admin_level: 2,
      zone_type: "country",
      name: "Lëtzebuerg",
      loc_name: "",
      alt_name: "",
      label: "Lëtzebuerg",
      international_labels: { fr: "Luxembourg", de: "Luxemburg", ak: "Laksembɛg" },
      zip_codes: [],
      center: { type: "Point", coordinates: [6.1296751, 49.8158683] },
      geometry: mp([box(5.7, 49.4, 6.6, 50.2), box(5.9, 49.9, 6.0, 50.0)]),
      bbox: [5.7, 49.4, 6.6, 50.2],
      tags: {
        "ISO3166-1:alpha2": "LU",
        admin_level: "2",
        boundary: "administrative",
        name: "Lëtzebuerg",
        "name:fr": "Luxembourg",
        population: "493500",
      },
      center_tags: {},
      parent: null,
      wikidata: "Q32",
      is_generated: false,
      country_code: "LU",
    },
    {
      id: 17,
      osm_id: "relation:407489",
      admin_level: 8,
      zone_type: "city",
      name: "Luxembourg",
      loc_name: "Lëtzebuerg-Stad",
      alt_name: "Luxembourg-Ville;Stad Lëtzebuerg",
      label: "Luxembourg (L-1111-L-2999), Lëtzebuerg",
      international_labels: {
        fr: "Luxembourg, Luxembourg",
        de: "Luxemburg, Luxemburg",
        br: "Luksembourg, Luksembourg",
      },
      zip_codes: ["L-1111", "L-2999"],
      center: { type: "Point", coordinates: [6.1296751, 49.6112768] },
      geometry: mp([box(6.05, 49.55, 6.2, 49.66)]),
      bbox: [6.05, 49.55, 6.2, 49.66],
      tags: { admin_level: "8", name: "Luxembourg", "name:de": "Luxemburg", wikidata: "Q1842" },
      center_tags: { population: "103641", place: "city" },
      parent: 10,
      wikidata: "Q1842",
      is_generated: false,
      country_code: "LU",
    },
    {
      id: 23,
      osm_id: "relation:9999001",
      admin_level: 9,
      zone_type: "city_district",
      name: "Bow Tie",
      loc_name: "",
      alt_name: "",
      label: "Bow Tie, Luxembourg (L-1111-L-2999), Lëtzebuerg",
      international_labels: {},
      zip_codes: [],
      center: null,
      // self-intersecting ring: invalid as given, kept as is in geom_4326, repaired in geom
      geometry: mp([
        [
          [6.06, 49.56],
          [6.1, 49.6],
          [6.1, 49.56],
          [6.06, 49.6],
          [6.06, 49.56],
        ],
      ]),
      bbox: [6.06, 49.56, 6.1, 49.6],
      tags: {},
      center_tags: {},
      parent: 17,
      wikidata: null,
      is_generated: false,
      country_code: "LU",
    },
    {
      id: 42,
      osm_id: "node:1234",
      admin_level: null,
      zone_type: "suburb",
      name: "Gare",
      loc_name: "",
      alt_name: "",
      label: "Gare, Luxembourg (L-1111-L-2999), Lëtzebuerg",
      international_labels: { fr: "Gare, Luxembourg, Luxembourg" },
      zip_codes: ["L-1111"],
      center: { type: "Point", coordinates: [6.1331, 49.6003] },
      geometry: null,
      bbox: null,
      tags: { name: "Gare", place: "suburb", "name:lb": "Gare" },
      center_tags: {},
      parent: 17,
      wikidata: null,
      is_generated: true,
      country_code: "LU",
    },
  ];
}

/** The same zones as an older cosmogony wrote them: without loc_name, alt_name, is_generated, country_code. */
export function oldSchemaZones(): Record<string, unknown>[] {
  return sampleZones().map((z) => {
    const { loc_name, alt_name, is_generated, country_code, ...rest } = z;
    return rest;
  });
}
