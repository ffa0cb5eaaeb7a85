// The cosmogony zone model (../shared/docs/cosmogony.md): the zod schema every stage reads and writes zones with,
// the ordered zone types, and the statistics block of the `.json` form.
import { z } from "zod";
import { checkBBox, checkMultiPolygon, checkPoint } from "./geometry.ts";

/** Zone types from the smallest to the largest; `non_administrative` sorts last (it is never a parent). */
export const ZONE_TYPES = [
  "suburb",
  "city_district",
  "city",
  "state_district",
  "state",
  "country_region",
  "country",
  "non_administrative",
] as const;
export type ZoneType = (typeof ZONE_TYPES)[number];

const RANK = new Map<string, number>(ZONE_TYPES.map((t, i) => [t, i]));

/** Position of a zone type in ZONE_TYPES (suburb = 0 … non_administrative = 7); -1 for null/unknown. */
export function zoneTypeRank(type: string | null | undefined): number {
  return type == null ? -1 : (RANK.get(type) ?? -1);
}

export function isZoneType(s: unknown): s is ZoneType {
  return typeof s === "string" && RANK.has(s);
}

/** The Rust enum names, used as keys of `stats.zone_type_counts` (upstream serialises the enum variant names). */
export const RUST_ZONE_TYPE_NAMES: Record<ZoneType, string> = {
  suburb: "Suburb",
  city_district: "CityDistrict",
  city: "City",
  state_district: "StateDistrict",
  state: "State",
  country_region: "CountryRegion",
  country: "Country",
  non_administrative: "NonAdministrative",
};
const FROM_RUST = new Map(Object.entries(RUST_ZONE_TYPE_NAMES).map(([k, v]) => [v, k as ZoneType]));
export function rustZoneTypeName(type: ZoneType): string {
  return RUST_ZONE_TYPE_NAMES[type];
}
export function zoneTypeFromRustName(name: string): ZoneType | undefined {
  return FROM_RUST.get(name);
}

export type Position = [number, number];
export interface PointGeometry {
  type: "Point";
  coordinates: Position;
}
export interface MultiPolygonGeometry {
  type: "MultiPolygon";
  coordinates: Position[][][];
}
export type BBox = [number, number, number, number];

// Geometries are checked by hand-written loops (geometry.ts): a zod schema over millions of coordinate pairs
// costs seconds per country, and the loops give the same one-line messages.
const pointSchema = z.custom<PointGeometry>().superRefine((v, ctx) => {
  const msg = checkPoint(v);
  if (msg) ctx.addIssue({ code: "custom", message: msg });
});
const multiPolygonSchema = z.custom<MultiPolygonGeometry>().superRefine((v, ctx) => {
  const msg = checkMultiPolygon(v);
  if (msg) ctx.addIssue({ code: "custom", message: msg });
});
const bboxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]).superRefine((v, ctx) => {
  const msg = checkBBox(v);
  if (msg) ctx.addIssue({ code: "custom", message: msg });
});
const stringMap = z.record(z.string(), z.string());

/**
 * One zone, fields in the order of the format. The last four (`loc_name`, `alt_name`, `is_generated`,
 * `country_code`) are missing from files of older cosmogony versions: they default to "", "", false, null.
 */
export const ZoneSchema = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  osm_id: z.string().min(1),
  admin_level: z.number().int().nullable(),
  zone_type: z.enum(ZONE_TYPES).nullable(),
  name: z.string(),
  loc_name: z.string().default(""),
  alt_name: z.string().default(""),
  label: z.string(),
  international_labels: stringMap,
  zip_codes: z.array(z.string()),
  center: pointSchema.nullable(),
  geometry: multiPolygonSchema.nullable(),
  bbox: bboxSchema.nullable(),
  tags: stringMap,
  center_tags: stringMap.default({}),
  parent: z.number().int().nonnegative().nullable(),
  wikidata: z.string().nullable(),
  is_generated: z.boolean().default(false),
  country_code: z.string().nullable().default(null),
});
export type Zone = z.output<typeof ZoneSchema>;
/** What a zone looks like in a file (older files may omit the defaulted fields). */
export type ZoneInput = z.input<typeof ZoneSchema>;

/** Zone fields in the order the format writes them. */
export const ZONE_FIELDS = Object.keys(ZoneSchema.shape) as (keyof Zone)[];

export const StatsSchema = z
  .object({
    level_counts: z.record(z.string(), z.number()).default({}),
    zone_type_counts: z.record(z.string(), z.number()).default({}),
    wikidata_counts: z.record(z.string(), z.number()).default({}),
    zone_with_unkwown_country_rules: z.record(z.string(), z.number()).default({}),
    unhandled_admin_level: z.record(z.string(), z.record(z.string(), z.number())).default({}),
    zone_without_country: z.number().default(0),
  })
  .passthrough();
export type Stats = z.output<typeof StatsSchema>;

export const CosmogonyMetaSchema = z
  .object({
    osm_filename: z.string().default(""),
    stats: StatsSchema.default(StatsSchema.parse({})),
  })
  .passthrough();
export type CosmogonyMeta = z.output<typeof CosmogonyMetaSchema>;

/**
 * Builds the per-zone part of the stats (level, type and wikidata counts) as zones stream by: what a `.json`
 * writer emits when no stats are given, and what the importer records for `.jsonl` files (which carry no meta).
 * The country-rule counters are the extractor's to fill.
 */
export class StatsAccumulator {
  readonly stats: Stats = StatsSchema.parse({});
  add(zone: Pick<Zone, "admin_level" | "zone_type" | "wikidata">): void {
    const s = this.stats;
    if (zone.admin_level != null) {
      const k = String(zone.admin_level);
      s.level_counts[k] = (s.level_counts[k] ?? 0) + 1;
      if (zone.wikidata) s.wikidata_counts[k] = (s.wikidata_counts[k] ?? 0) + 1;
    }
    if (zone.zone_type) {
      const k = RUST_ZONE_TYPE_NAMES[zone.zone_type];
      s.zone_type_counts[k] = (s.zone_type_counts[k] ?? 0) + 1;
    }
  }
}

/** Orders a zone's fields as the format does (JSON.stringify keeps insertion order). */
export function orderZoneFields(zone: Zone): Zone {
  const out = {} as Record<string, unknown>;
  for (const f of ZONE_FIELDS) out[f] = zone[f];
  return out as Zone;
}
