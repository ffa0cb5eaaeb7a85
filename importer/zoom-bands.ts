// THE table of which zones appear at which zoom levels, and from which table their geometry comes.
// The importer builds one generalised table per band below z9; the tiles stage imports this to pick the table
// and the filter for a zoom. z0–2 keeps only countries (admin_level <= 2), as the old cosmogony_explorer did.
//
// | zooms | table        | zones shown                                                        | simplified with       |
// |-------|--------------|--------------------------------------------------------------------|-----------------------|
// | 0–2   | zones_z0_2   | country, or admin_level <= 2                                       | ½ pixel at z2 ≈ 19.6 km |
// | 3–5   | zones_z3_5   | + country_region, state, state_district                            | ½ pixel at z5 ≈ 2.4 km  |
// | 6–8   | zones_z6_8   | + city                                                             | ½ pixel at z8 ≈ 306 m   |
// | 9+    | zones (geom) | every zone (+ city_district, suburb, non_administrative)           | none (full geometry)    |
//
// Each band's zones are a subset of the next deeper band's, so the importer builds z3_5 from z6_8 and z0_2 from
// z3_5 (cheaper than simplifying full geometries three times).
import { ZONE_TYPES, type ZoneType } from "../core/cosmogony/model.ts";

export interface ZoomBand {
  minZoom: number;
  /** Inclusive; the last band goes on to MAX_ZOOM (and beyond: deeper zooms use it too). */
  maxZoom: number;
  /** Generalised table in the version schema holding the band's geometries; null = the full `zones.geom`. */
  table: "zones_z0_2" | "zones_z3_5" | "zones_z6_8" | null;
  /** Zone types shown (the last band: every type). */
  zoneTypes: readonly ZoneType[];
  /** Zones with admin_level <= this are shown whatever their type (null: no such rule). */
  maxAdminLevel: number | null;
  /** Simplification tolerance in EPSG:3857 metres (0 = full geometry). */
  toleranceMeters: number;
}

/** Web Mercator metres per 256-px tile pixel at zoom z. */
export function metersPerPixel(z: number): number {
  return (2 * Math.PI * 6378137) / 256 / 2 ** z;
}

// Half a pixel at the band's deepest zoom: the simplification is never visible.
const halfPixelAt = (z: number) => Math.round(metersPerPixel(z) / 2);

export const MAX_ZOOM = 22;

export const ZOOM_BANDS: readonly ZoomBand[] = [
  {
    minZoom: 0,
    maxZoom: 2,
    table: "zones_z0_2",
    zoneTypes: ["country"],
    maxAdminLevel: 2,
    toleranceMeters: halfPixelAt(2),
  },
  {
    minZoom: 3,
    maxZoom: 5,
    table: "zones_z3_5",
    zoneTypes: ["country", "country_region", "state", "state_district"],
    maxAdminLevel: 2,
    toleranceMeters: halfPixelAt(5),
  },
  {
    minZoom: 6,
    maxZoom: 8,
    table: "zones_z6_8",
    zoneTypes: ["country", "country_region", "state", "state_district", "city"],
    maxAdminLevel: 2,
    toleranceMeters: halfPixelAt(8),
  },
  { minZoom: 9, maxZoom: MAX_ZOOM, table: null, zoneTypes: ZONE_TYPES, maxAdminLevel: null, toleranceMeters: 0 },
];

export function bandForZoom(z: number): ZoomBand {
  if (z < 0) throw new RangeError(`no zoom band for z${z}`);
  return ZOOM_BANDS.find((b) => z >= b.minZoom && z <= b.maxZoom) ?? ZOOM_BANDS[ZOOM_BANDS.length - 1];
}

/** Whether a zone shows in a band (the same rule as bandFilterSql, for code working on Zone objects). */
export function zoneInBand(band: ZoomBand, zone: { zone_type: string | null; admin_level: number | null }): boolean {
  if (band.table === null) return true;
  if (zone.zone_type !== null && (band.zoneTypes as readonly string[]).includes(zone.zone_type)) return true;
  return band.maxAdminLevel !== null && zone.admin_level !== null && zone.admin_level <= band.maxAdminLevel;
}

/** SQL boolean expression selecting a band's zones (column names zone_type, admin_level; literals are ours). */
export function bandFilterSql(band: ZoomBand, alias = ""): string {
  if (band.table === null) return "true";
  const p = alias ? `${alias}.` : "";
  const types = band.zoneTypes.map((t) => `'${t}'`).join(", ");
  const byLevel = band.maxAdminLevel === null ? "" : ` OR ${p}admin_level <= ${band.maxAdminLevel}`;
  return `(${p}zone_type IN (${types})${byLevel})`;
}
