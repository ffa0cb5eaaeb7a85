// The change report between two datasets (`cosmo diff`, publish gate): zod schema = the contract for
// the explorer's "Changes" view and for the JSON Schema file shipped next to it.
import { z } from "zod";

export const DIFF_SCHEMA_VERSION = 1;

/** What changed for a zone matched by osm_id. Categories are not exclusive (renamed and re-parented, …). */
export const CHANGE_CATEGORIES = ["added", "removed", "renamed", "retyped", "reparented", "geometryChanged"] as const;
export type ChangeCategory = (typeof CHANGE_CATEGORIES)[number];

export const DatasetInfoSchema = z.object({
  kind: z.enum(["version", "file", "none"]).describe("none: no dataset (first publish, nothing served yet)"),
  version: z.number().int().nullable().describe("dataset version in cosmo.datasets (null for a file)"),
  source: z.string().describe("the zones file the dataset was built from"),
  sha256: z.string().nullable(),
  createdAt: z.string().nullable().describe("ISO time the dataset was imported (file: last modified)"),
  zoneCount: z.number().int().min(0),
});
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

export const ChangeExampleSchema = z.object({
  osmId: z.string(),
  oldId: z.number().int().nullable().describe("zone id in the old dataset (null when added)"),
  newId: z.number().int().nullable().describe("zone id in the new dataset (null when removed)"),
  name: z.string().nullable(),
  detail: z.string().nullable().describe("what changed, e.g. 'name: A → B' or 'area 3.2 % changed'"),
});
export type ChangeExample = z.infer<typeof ChangeExampleSchema>;

const countsShape = Object.fromEntries(CHANGE_CATEGORIES.map((c) => [c, z.number().int().min(0)])) as Record<
  ChangeCategory,
  z.ZodNumber
>;
export const ChangeCountsSchema = z.object({ ...countsShape, unchanged: z.number().int().min(0) });
export type ChangeCounts = z.infer<typeof ChangeCountsSchema>;

const examplesShape = Object.fromEntries(CHANGE_CATEGORIES.map((c) => [c, z.array(ChangeExampleSchema)])) as Record<
  ChangeCategory,
  z.ZodArray<typeof ChangeExampleSchema>
>;

export const ChangeGroupSchema = z.object({
  country: z.string().nullable().describe("country_code (new side when matched, old side when removed)"),
  zoneType: z.string().nullable(),
  oldCount: z.number().int().min(0),
  newCount: z.number().int().min(0),
  counts: ChangeCountsSchema,
  examples: z.object(examplesShape).describe("first N zones per category, sorted by osm_id"),
});
export type ChangeGroup = z.infer<typeof ChangeGroupSchema>;

export const CountryZoneSchema = z.object({
  osmId: z.string(),
  id: z.number().int(),
  name: z.string().nullable(),
  countryCode: z.string().nullable(),
});

export const DiffReportSchema = z.object({
  schemaVersion: z.literal(DIFF_SCHEMA_VERSION),
  kind: z.literal("cosmo-diff"),
  generatedAt: z.string().describe("derived from the two datasets' times so an unchanged pair gives an identical file"),
  old: DatasetInfoSchema,
  new: DatasetInfoSchema,
  thresholds: z.object({
    geometryAreaRatio: z.number().describe("symmetric-difference area / larger area above which a geometry changed"),
    bboxShiftRatio: z.number().describe("largest bbox edge shift / bbox diagonal above which a geometry changed"),
    examples: z.number().int().describe("N, the number of example zones kept per category and group"),
  }),
  totals: ChangeCountsSchema,
  countriesRemoved: z
    .array(CountryZoneSchema)
    .describe("country zones of the old dataset missing (as country) in the new one"),
  countriesAdded: z.array(CountryZoneSchema),
  groups: z.array(ChangeGroupSchema).describe("per country and zone type, sorted by country then zone type rank"),
  gate: z
    .object({
      ok: z.boolean(),
      failures: z.array(z.object({ rule: z.string(), message: z.string() })),
    })
    .nullable()
    .describe("the publish gate's verdict when the report was made by the gate, else null"),
});
export type DiffReport = z.infer<typeof DiffReportSchema>;
