// Request and response schemas (zod). The same objects validate requests and generate /openapi.json.
import { z } from "zod";
import { ZONE_TYPES } from "../core/cosmogony/model.ts";
import type { ApiSettings } from "./settings.ts";
import { DEFAULT_ZONE_FIELDS, ZONE_FIELDS, type ZoneField } from "./views.ts";

const INTEGER = /^\d{1,16}$/;
const DECIMAL = /^[-+]?(\d{1,4}(\.\d{1,15})?|\.\d{1,15})$/;

function integer(min: number, max: number, limitName?: string) {
  return z
    .string()
    .regex(INTEGER, "must be a non-negative integer")
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `must be at least ${min}`)
        .max(max, limitName ? `must be at most ${max} (limit ${limitName})` : `must be at most ${max}`),
    );
}

function decimal(min: number, max: number) {
  return z
    .string()
    .regex(DECIMAL, "must be a decimal number")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** `labels=all` or `labels=fr,de`: international labels of list items (and a filter for the main zone). */
export const LabelsParam = z
  .string()
  .regex(
    /^(all|[a-z]{2,3}([-_][A-Za-z0-9]{1,8})?(,[a-z]{2,3}([-_][A-Za-z0-9]{1,8})?){0,49})$/,
    "must be all or comma-separated language codes",
  )
  .transform((s) => (s === "all" ? "all" : s.split(",")))
  .optional()
  .describe(
    "international_labels on every zone: all, or languages like fr,de (without it, only where fields= asks for them, all languages)",
  );

const LANGUAGE = /^[a-z]{2,3}([-_][A-Za-z0-9]{1,8})?$/;

/** `lang=de`: name and label in one language, each falling back to the local one where the zone has none. */
export const LangParam = z
  .string()
  .regex(LANGUAGE, "must be a language code like de or zh-Hant")
  .optional()
  .describe("Language of name and label (e.g. de); a zone without one in that language keeps its local name/label");

const KNOWN_FIELDS = new Set<string>(ZONE_FIELDS);

/** `fields=all` or `fields=id,name,bbox`: the zone fields of the answer (the id always among them). */
export const FieldsParam = z
  .string()
  .transform((s, ctx) => {
    if (s === "all") return [...ZONE_FIELDS];
    const fields = s.split(",");
    for (const f of fields) {
      if (!KNOWN_FIELDS.has(f)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown field ${JSON.stringify(f.slice(0, 40))} (all, or some of: ${ZONE_FIELDS.join(", ")})`,
        });
        return z.NEVER;
      }
    }
    return fields as ZoneField[];
  })
  .optional()
  .describe(
    `Zone fields to return: all, or a comma-separated list of ${ZONE_FIELDS.join(", ")} (default: ${DEFAULT_ZONE_FIELDS.join(",")})`,
  );

/** The parameters every route answering zones takes. */
const ZONE_SHAPE_PARAMS = { labels: LabelsParam, lang: LangParam, fields: FieldsParam };

export const ZoneIdParams = z.strictObject({
  id: integer(0, Number.MAX_SAFE_INTEGER).describe("Zone id (the cosmogony `id`)"),
});

function bboxParam(maxArea: number) {
  return z
    .string()
    .regex(
      new RegExp(`^${DECIMAL.source.slice(1, -1)}(,${DECIMAL.source.slice(1, -1)}){3}$`),
      "must be minLon,minLat,maxLon,maxLat",
    )
    .transform((s) => s.split(",").map(Number) as [number, number, number, number])
    .refine(
      ([a, b, c, d]) => a >= -180 && c <= 180 && b >= -90 && d <= 90,
      "coordinates out of range (lon ±180, lat ±90)",
    )
    .refine(([a, b, c, d]) => a <= c && b <= d, "min must not exceed max")
    .refine(
      ([a, b, c, d]) => (c - a) * (d - b) <= maxArea,
      `area must be at most ${maxArea} square degrees (limit api.maxBboxDegrees2)`,
    )
    .describe("minLon,minLat,maxLon,maxLat (WGS84); zones whose bbox intersects it");
}

export function searchQuery(settings: ApiSettings) {
  return z.strictObject({
    q: z
      .string()
      .trim()
      .min(2, "must have at least 2 characters")
      .max(100, "must have at most 100 characters")
      .optional()
      .describe("Name in any language; prefix-friendly (autocomplete), accent- and case-insensitive"),
    type: z.enum(ZONE_TYPES).optional().describe("Zone type"),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
      .transform((s) => s.toUpperCase())
      .optional()
      .describe("Country code (ISO 3166-1 alpha-2)"),
    bbox: bboxParam(settings.maxBboxDegrees2).optional(),
    limit: integer(1, settings.maxLimit, "api.maxLimit").default(20).describe("Number of results (default 20)"),
    offset: integer(0, settings.maxOffset, "api.maxOffset").default(0).describe("Results to skip"),
    ...ZONE_SHAPE_PARAMS,
  });
}

export const AtQuery = z.strictObject({
  lon: decimal(-180, 180).describe("Longitude (WGS84)"),
  lat: decimal(-90, 90).describe("Latitude (WGS84)"),
  ...ZONE_SHAPE_PARAMS,
});

export const ZoneQuery = z.strictObject(ZONE_SHAPE_PARAMS);

/**
 * The compatibility routes' shape is fixed: they validate and ignore fields=, lang= and labels=, so that a
 * client asking every route for its fields (the explorer) still works where nginx maps the old routes to them.
 */
export const CompatZoneQuery = z.strictObject(ZONE_SHAPE_PARAMS);

export const GeometryQuery = z.strictObject({
  simplify: decimal(0, 100_000)
    .optional()
    .describe("Simplification tolerance in metres (0 or absent: the imported geometry)"),
  dataset: integer(1, 2_147_483_647)
    .optional()
    .describe(
      "Dataset version to read the zone from (default: the served one); any version still loaded (see /datasets), e.g. the old side of a change report",
    ),
});

export const EmptyQuery = z.strictObject({});

// ---- responses ----------------------------------------------------------------------------------------------

const GeoJsonPolygon = z.object({
  type: z.literal("Polygon"),
  coordinates: z.array(z.array(z.array(z.number()))),
});
const GeoJsonPoint = z.object({ type: z.literal("Point"), coordinates: z.array(z.number()) });

/** The zone fields of the old cosmogony_explorer API, with their old types. */
export const OldZoneFields = {
  id: z.number().int(),
  name: z.string().nullable(),
  parent: z.number().int().nullable(),
  zone_type: z.string().nullable(),
  osm_id: z.string().nullable(),
  osm_link: z.string().nullable(),
  wikidata: z.string().nullable(),
  admin_level: z.number().int().nullable(),
  nb_children: z.number().int(),
};

export const CompatZone = z.strictObject(OldZoneFields);
export const CompatZoneWithBbox = z.strictObject({ ...OldZoneFields, bbox: GeoJsonPolygon.nullable() });
export const CompatZoneResponse = z.strictObject({ zone: CompatZoneWithBbox, children: z.array(CompatZone) });
export const CompatParentsResponse = z.strictObject({ zone: CompatZoneWithBbox, parents: z.array(CompatZone) });

/** A zone of the new routes: each field present when asked for (`fields=`; the default set otherwise). */
export const Zone = z
  .object({
    ...OldZoneFields,
    name: z.string().nullable().describe("In lang= when given and the zone has a name in it, else the local name"),
    bbox: GeoJsonPolygon.nullable().describe("Bounding box as a GeoJSON Polygon (WGS84)"),
    label: z.string().nullable().describe("In lang= when given and the zone has a label in it, else the local label"),
    loc_name: z.string().nullable(),
    alt_name: z.string().nullable(),
    international_labels: z
      .record(z.string(), z.string())
      .describe("{language: label}: every language, or those of labels="),
    zip_codes: z.array(z.string()),
    country_code: z.string().nullable(),
    center: GeoJsonPoint.nullable(),
    is_generated: z.boolean(),
    tags: z.record(z.string(), z.string()).describe("The OSM tags of the boundary"),
  })
  .partial()
  .required({ id: true });

export const ZoneResponse = z.object({ dataset: z.number().int(), zone: Zone, children: z.array(Zone) });
export const ParentsResponse = z.object({ dataset: z.number().int(), zone: Zone, parents: z.array(Zone) });
export const ZoneListResponse = z.object({
  dataset: z.number().int(),
  zones: z.array(Zone.extend({ score: z.number().nullable().optional() })),
});
export const GeometryResponse = z.object({
  type: z.literal("Feature"),
  id: z.number().int(),
  properties: z.record(z.string(), z.unknown()),
  geometry: z.unknown().nullable(),
});
export const StatsResponse = z.object({
  dataset: z.number().int(),
  total: z.number().int(),
  by_type: z.record(z.string(), z.number().int()),
  by_admin_level: z.record(z.string(), z.number().int()),
  by_country: z.record(z.string(), z.number().int()),
});
export const DatasetsResponse = z.object({
  served: z.number().int().nullable(),
  datasets: z.array(
    z.object({
      version: z.number().int(),
      status: z.string(),
      zone_count: z.number().int().nullable(),
      source: z.string().nullable(),
      source_sha256: z.string().nullable(),
      created_at: z.string().nullable(),
      published_at: z.string().nullable(),
      forced_by: z.string().nullable(),
      force_reason: z.string().nullable(),
      served: z.boolean(),
    }),
  ),
});
export const ErrorResponse = z.object({
  error: z
    .string()
    .describe("Machine-readable code: invalid_parameter, not_found, dataset_not_found, busy, no_dataset…"),
  message: z.string(),
  parameter: z.string().optional(),
  reason: z.string().optional(),
});
