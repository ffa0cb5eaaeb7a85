// `cosmo dashboard`: volumetric rows + quality checks of one dataset (a file or a version in PostGIS) as one
// deterministic, schema-validated JSON document, plus the old dashboard's test_results.json.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { zoneTypeRank } from "../core/cosmogony/model.ts";
import type { Database } from "../core/db.ts";
import { loadSql } from "../core/sql.ts";
import { CHECK_DEFINITIONS, DEFAULT_QUALITY_OPTIONS, type QualityOptions, qualityChecks } from "./quality.ts";
import { readReference } from "./reference.ts";
import {
  CHECK_STATUSES,
  DASHBOARD_SCHEMA_VERSION,
  type DashboardReport,
  DashboardReportSchema,
  type VolumetricRow,
} from "./report-schema.ts";
import { type DatasetRef, type LoadedDataset, loadDataset } from "./source.ts";
import { volumetricRows } from "./volumetric.ts";
import { openWorkspace, type Workspace } from "./workspace.ts";

export interface DashboardOptions extends Partial<QualityOptions> {
  /** Reference CSV path (default config.data.reference). */
  reference: string;
}

function summarize(rows: VolumetricRow[]) {
  const count = (s: VolumetricRow["status"]) => rows.filter((r) => r.status === s).length;
  return {
    ok: count("ok"),
    ko: count("ko"),
    skip: count("skip"),
    koKnown: rows.filter((r) => r.status === "ko" && r.knownFailure).length,
  };
}

/** The document for a dataset already in the workspace. */
export async function buildDashboard(
  ws: Workspace,
  loaded: LoadedDataset,
  opts: DashboardOptions,
): Promise<DashboardReport> {
  const quality: QualityOptions = { ...DEFAULT_QUALITY_OPTIONS, ...stripUndefined(opts) };
  const referenceText = await readFile(opts.reference);
  const reference = await readReference(opts.reference);
  const volumetric = await volumetricRows(ws, loaded.table, reference);
  const results = await qualityChecks(ws, loaded.table, loaded.meta, quality);
  const counts = await ws.query<{ country: string | null; zone_type: string | null; count: number }>(
    loadSql(import.meta.url, "sql/zone-counts.sql"),
    { zones: loaded.table },
  );
  const zoneCounts = counts.rows
    .map((r) => ({ country: r.country, zoneType: r.zone_type, count: r.count }))
    .sort(
      (a, b) =>
        cmpText(a.country, b.country) ||
        zoneTypeRank(a.zoneType) - zoneTypeRank(b.zoneType) ||
        cmpText(a.zoneType, b.zoneType),
    );
  const checkSummary = Object.fromEntries(CHECK_STATUSES.map((s) => [s, results.filter((r) => r.status === s).length]));
  const report: DashboardReport = {
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    kind: "cosmo-dashboard",
    generatedAt: loaded.info.createdAt ?? new Date(0).toISOString(),
    dataset: loaded.info,
    reference: {
      file: opts.reference,
      sha256: createHash("sha256").update(referenceText).digest("hex"),
      rows: reference.rows.length,
    },
    thresholds: { outsideParentRatio: quality.outsideParentRatio, examples: quality.examples },
    summary: {
      zones: loaded.info.zoneCount,
      volumetric: summarize(volumetric),
      checks: checkSummary as DashboardReport["summary"]["checks"],
    },
    zoneCounts,
    volumetric,
    checks: CHECK_DEFINITIONS,
    results,
  };
  // Validate what we write: a bug here must fail the run, not ship a document the explorer cannot read.
  return DashboardReportSchema.parse(report);
}

function cmpText(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Load `ref` on a fresh workspace and build its document. */
export async function runDashboard(db: Database, ref: DatasetRef, opts: DashboardOptions): Promise<DashboardReport> {
  const ws = await openWorkspace(db);
  try {
    const loaded = await loadDataset(ws, ref, "dash_zones");
    return await buildDashboard(ws, loaded, opts);
  } finally {
    await ws.release();
  }
}

/**
 * The old cosmogony-data-dashboard file: every reference column + total + test_status, in reference order.
 * A skipped row (no count) has `total: -1`, as the old dashboard wrote and its page expects.
 */
export function oldTestResults(report: DashboardReport): Record<string, unknown>[] {
  return report.volumetric.map((r) => ({ ...r.columns, total: r.total ?? -1, test_status: r.status }));
}

/** Stable serialisation: objects are built in schema order, arrays are sorted by their producers. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
