// The dashboard document (`cosmo dashboard`): zod schema = contract for the explorer's dashboard view, exported
// as JSON Schema (dashboard/schema/dashboard.schema.json) for other clients.
import { z } from "zod";
import { DatasetInfoSchema } from "./diff-schema.ts";

export const DASHBOARD_SCHEMA_VERSION = 1;

export const VOLUMETRIC_STATUSES = ["ok", "ko", "skip"] as const;
export const CHECK_STATUSES = ["ok", "warn", "ko", "info", "skip"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

const csvValue = z.union([z.string(), z.number(), z.null()]);

export const VolumetricRowSchema = z.object({
  columns: z.record(z.string(), csvValue).describe("every column of the reference CSV row, as in the file"),
  total: z.number().int().nullable().describe("zones of the row's type below the row's zone (null when skipped)"),
  status: z.enum(VOLUMETRIC_STATUSES),
  knownFailure: z.boolean(),
  zoneId: z.number().int().nullable().describe("the zone found for the row's wikidata id"),
  osmId: z.string().nullable(),
  reason: z.string().nullable(),
});
export type VolumetricRow = z.infer<typeof VolumetricRowSchema>;

export const ZoneRefSchema = z.object({
  id: z.number().int(),
  osmId: z.string(),
  name: z.string().nullable(),
  detail: z.string().nullable(),
});
export type ZoneRef = z.infer<typeof ZoneRefSchema>;

export const CheckDefinitionSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  /** Status given to a group with offending zones (checks that only measure report `info`). */
  failStatus: z.enum(CHECK_STATUSES),
});
export type CheckDefinition = z.infer<typeof CheckDefinitionSchema>;

export const CheckResultSchema = z.object({
  check: z.string(),
  country: z.string().nullable(),
  zoneType: z.string().nullable(),
  adminLevel: z.number().int().nullable(),
  status: z.enum(CHECK_STATUSES),
  examined: z.number().int().min(0).describe("zones the check looked at in this group"),
  offending: z.number().int().min(0),
  value: z.number().nullable().describe("the measured share (coverage checks), else null"),
  examples: z.array(ZoneRefSchema).describe("first N offending zones, by id"),
  message: z.string().nullable(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

const statusCounts = <T extends readonly string[]>(statuses: T) =>
  z.object(Object.fromEntries(statuses.map((s) => [s, z.number().int().min(0)])) as Record<T[number], z.ZodNumber>);

export const DashboardReportSchema = z.object({
  schemaVersion: z.literal(DASHBOARD_SCHEMA_VERSION),
  kind: z.literal("cosmo-dashboard"),
  generatedAt: z.string().describe("the dataset's creation time: an unchanged input gives an identical document"),
  dataset: DatasetInfoSchema,
  reference: z.object({ file: z.string(), sha256: z.string(), rows: z.number().int() }),
  thresholds: z.object({
    outsideParentRatio: z.number().describe("share of a child's area outside its parent above which it is reported"),
    examples: z.number().int(),
  }),
  summary: z.object({
    zones: z.number().int(),
    volumetric: statusCounts(VOLUMETRIC_STATUSES).extend({
      koKnown: z.number().int().describe("ko rows flagged is_known_failure"),
    }),
    checks: statusCounts(CHECK_STATUSES),
  }),
  zoneCounts: z.array(
    z.object({ country: z.string().nullable(), zoneType: z.string().nullable(), count: z.number().int() }),
  ),
  volumetric: z.array(VolumetricRowSchema),
  checks: z.array(CheckDefinitionSchema),
  results: z.array(CheckResultSchema).describe("sorted by check, country, zone type rank, admin level"),
});
export type DashboardReport = z.infer<typeof DashboardReportSchema>;

/** The old dashboard's test_results.json: one object per reference row, its CSV columns + total (-1 when skipped) + test_status. */
export const OldTestResultsSchema = z.array(
  z
    .record(z.string(), csvValue)
    .and(z.object({ total: z.number().int().min(-1), test_status: z.enum(VOLUMETRIC_STATUSES) })),
);
