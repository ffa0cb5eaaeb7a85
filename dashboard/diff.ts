// `cosmo diff OLD NEW`: what changed between two datasets, matched by osm_id. Everything heavy happens in
// PostGIS on the run's TEMP tables (a full join on osm_id, then geometry comparisons in batches), so memory on
// this side stays bounded by the report size whatever the input size.
import { zoneTypeRank } from "../core/cosmogony/model.ts";
import type { Database } from "../core/db.ts";
import { startProgress } from "../core/progress.ts";
import { loadSql } from "../core/sql.ts";
import {
  CHANGE_CATEGORIES,
  type ChangeCounts,
  type ChangeExample,
  type ChangeGroup,
  type DatasetInfo,
  DIFF_SCHEMA_VERSION,
  type DiffReport,
  DiffReportSchema,
} from "./diff-schema.ts";
import { type DatasetRef, type LoadedDataset, loadDataset, parseDatasetRef } from "./source.ts";
import { openWorkspace, type Workspace } from "./workspace.ts";

export interface DiffOptions {
  /** Symmetric-difference area / larger area above which a geometry changed (default 0.001 = 0.1 %). */
  geometryAreaRatio?: number;
  /** Largest bbox edge shift / old bbox diagonal above which a geometry changed (default 0.001). */
  bboxShiftRatio?: number;
  /** Examples kept per category and group (default 20). */
  examples?: number;
  /** Matched pairs compared per geometry batch (default 2000). */
  batchSize?: number;
}

const DEFAULTS: Required<DiffOptions> = {
  geometryAreaRatio: 0.001,
  bboxShiftRatio: 0.001,
  examples: 20,
  batchSize: 2000,
};

type GroupRow = {
  country: string | null;
  zone_type: string | null;
  added: number;
  removed: number;
  renamed: number;
  retyped: number;
  reparented: number;
  geometry_changed: number;
  unchanged: number;
} & Record<`ex_${string}`, [string, number | null, number | null, string | null, string | null][]>;

const EXAMPLE_COLUMN: Record<(typeof CHANGE_CATEGORIES)[number], string> = {
  added: "ex_added",
  removed: "ex_removed",
  renamed: "ex_renamed",
  retyped: "ex_retyped",
  reparented: "ex_reparented",
  geometryChanged: "ex_geometry_changed",
};

function emptyCounts(): ChangeCounts {
  return { added: 0, removed: 0, renamed: 0, retyped: 0, reparented: 0, geometryChanged: 0, unchanged: 0 };
}

const cmpText = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** An empty working table shaped like `like` (the "old" side of a first publish). */
export async function emptyDataset(ws: Workspace, like: string, table: string): Promise<LoadedDataset> {
  await ws.query("CREATE TEMP TABLE {{t}} AS SELECT * FROM {{like}} WHERE false", { t: table, like });
  const info: DatasetInfo = { kind: "none", version: null, source: "", sha256: null, createdAt: null, zoneCount: 0 };
  return { table, meta: null, info };
}

/** Diff two datasets already loaded on the workspace. */
export async function diffLoaded(
  ws: Workspace,
  oldSide: LoadedDataset,
  newSide: LoadedDataset,
  options: DiffOptions = {},
): Promise<DiffReport> {
  const opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const tables = { old: oldSide.table, new: newSide.table, pairs: "diff_pairs" };
  await ws.client.query(loadSql(import.meta.url, "sql/functions.sql"));
  await ws.query("DROP TABLE IF EXISTS {{pairs}}", tables);
  await ws.query(loadSql(import.meta.url, "sql/diff-pairs.sql"), tables);
  await ws.query(loadSql(import.meta.url, "sql/diff-batches.sql"), tables, [opts.batchSize]);
  await ws.query("CREATE INDEX ON {{pairs}} (batch); ANALYZE {{pairs}}", tables);

  const { rows: batchRows } = await ws.query<{ n: number | null; pairs: number }>(
    "SELECT max(batch) + 1 AS n, count(batch)::int AS pairs FROM {{pairs}}",
    tables,
  );
  const batches = batchRows[0].n ?? 0;
  const progress = startProgress({ label: "comparing geometries", total: batchRows[0].pairs, unit: "zones" });
  const geometrySql = loadSql(import.meta.url, "sql/diff-geometry.sql");
  for (let b = 0; b < batches; b++) {
    const r = await ws.query(geometrySql, tables, [b, opts.geometryAreaRatio, opts.bboxShiftRatio]);
    progress.tick(r.rowCount ?? 0);
  }
  progress.stop();

  const { rows } = await ws.query<GroupRow>(loadSql(import.meta.url, "sql/diff-groups.sql"), tables, [opts.examples]);
  const sideCounts = async (table: string) => {
    const r = await ws.query<{ country: string | null; zone_type: string | null; n: number }>(
      loadSql(import.meta.url, "sql/diff-side-counts.sql"),
      { zones: table },
    );
    return new Map(r.rows.map((x) => [`${x.country}\u0000${x.zone_type}`, x.n]));
  };
  const oldCounts = await sideCounts(oldSide.table);
  const newCounts = await sideCounts(newSide.table);

  const totals = emptyCounts();
  const groups: ChangeGroup[] = rows.map((r) => {
    const counts: ChangeCounts = {
      added: r.added,
      removed: r.removed,
      renamed: r.renamed,
      retyped: r.retyped,
      reparented: r.reparented,
      geometryChanged: r.geometry_changed,
      unchanged: r.unchanged,
    };
    for (const k of Object.keys(totals) as (keyof ChangeCounts)[]) totals[k] += counts[k];
    const examples = Object.fromEntries(
      CHANGE_CATEGORIES.map((c) => [
        c,
        (r[EXAMPLE_COLUMN[c] as `ex_${string}`] ?? []).map(
          ([osmId, oldId, newId, name, detail]): ChangeExample => ({ osmId, oldId, newId, name, detail }),
        ),
      ]),
    ) as ChangeGroup["examples"];
    const key = `${r.country}\u0000${r.zone_type}`;
    return {
      country: r.country,
      zoneType: r.zone_type,
      oldCount: oldCounts.get(key) ?? 0,
      newCount: newCounts.get(key) ?? 0,
      counts,
      examples,
    };
  });
  groups.sort(
    (a, b) =>
      cmpText(a.country, b.country) ||
      zoneTypeRank(a.zoneType) - zoneTypeRank(b.zoneType) ||
      cmpText(a.zoneType, b.zoneType),
  );

  const countries = async (a: string, b: string) =>
    (
      await ws.query<{ osm_id: string; id: number; name: string | null; country_code: string | null }>(
        loadSql(import.meta.url, "sql/diff-countries.sql"),
        { a, b },
      )
    ).rows.map((r) => ({ osmId: r.osm_id, id: r.id, name: r.name, countryCode: r.country_code }));

  const times = [oldSide.info.createdAt, newSide.info.createdAt].filter((t): t is string => t !== null).sort();
  const report: DiffReport = {
    schemaVersion: DIFF_SCHEMA_VERSION,
    kind: "cosmo-diff",
    generatedAt: times.at(-1) ?? new Date(0).toISOString(),
    old: oldSide.info,
    new: newSide.info,
    thresholds: {
      geometryAreaRatio: opts.geometryAreaRatio,
      bboxShiftRatio: opts.bboxShiftRatio,
      examples: opts.examples,
    },
    totals,
    countriesRemoved: await countries(oldSide.table, newSide.table),
    countriesAdded: await countries(newSide.table, oldSide.table),
    groups,
    gate: null,
  };
  return DiffReportSchema.parse(report);
}

/** Diff two sources (dataset version, `served`, or zones file) on a fresh workspace. */
export async function diffDatasets(
  oldSource: DatasetRef | string,
  newSource: DatasetRef | string,
  opts: DiffOptions & { db: Database },
): Promise<DiffReport> {
  const ws = await openWorkspace(opts.db);
  try {
    const toRef = (s: DatasetRef | string) => (typeof s === "string" ? parseDatasetRef(s) : s);
    const oldRef = toRef(oldSource);
    const newSide = await loadDataset(ws, toRef(newSource), "diff_new");
    // Before the first publish "served" is nothing: every zone of the new side is added (as the gate sees it).
    const oldSide =
      oldRef.kind === "served" && !(await somethingServed(ws))
        ? await emptyDataset(ws, newSide.table, "diff_old")
        : await loadDataset(ws, oldRef, "diff_old");
    return await diffLoaded(ws, oldSide, newSide, opts);
  } finally {
    await ws.release();
  }
}

async function somethingServed(ws: Workspace): Promise<boolean> {
  const { rows } = await ws.client.query("SELECT to_regclass('cosmo.served') IS NOT NULL AS meta");
  if (!rows[0].meta) return false;
  const served = await ws.client.query("SELECT 1 FROM cosmo.served WHERE version IS NOT NULL");
  return (served.rowCount ?? 0) > 0;
}

function describeSide(info: DatasetInfo): string {
  if (info.kind === "none") return "nothing";
  const name = info.kind === "version" ? `v${info.version}` : info.source;
  return `${name} (${info.zoneCount} zones)`;
}

const LABELS: Record<keyof ChangeCounts, string> = {
  added: "added",
  removed: "removed",
  renamed: "renamed",
  retyped: "retyped",
  reparented: "re-parented",
  geometryChanged: "geometry changed",
  unchanged: "unchanged",
};

/** The terminal summary: totals, lost/new countries, then one line per group that changed. */
export function formatDiffSummary(report: DiffReport, maxExamples = 2): string {
  const lines: string[] = [];
  lines.push(`diff ${describeSide(report.old)} → ${describeSide(report.new)}`);
  const t = report.totals;
  lines.push(`  ${(Object.keys(LABELS) as (keyof ChangeCounts)[]).map((k) => `${LABELS[k]} ${t[k]}`).join(", ")}`);
  const countryList = (list: DiffReport["countriesRemoved"]) =>
    list.map((c) => `${c.name ?? "?"} (${c.countryCode ?? "?"}, ${c.osmId})`).join(", ");
  if (report.countriesRemoved.length) lines.push(`  countries removed: ${countryList(report.countriesRemoved)}`);
  if (report.countriesAdded.length) lines.push(`  countries added: ${countryList(report.countriesAdded)}`);
  for (const g of report.groups) {
    const parts = CHANGE_CATEGORIES.filter((c) => g.counts[c] > 0).map((c) => {
      const ex = g.examples[c]
        .slice(0, maxExamples)
        // a rename's detail already holds both names
        .map((e) =>
          c === "renamed" && e.detail?.startsWith("name:")
            ? e.detail.slice(6)
            : `${e.name ?? e.osmId}${e.detail ? ` [${e.detail}]` : ""}`,
        )
        .join("; ");
      return `${LABELS[c]} ${g.counts[c]}${ex ? ` (${ex}${g.counts[c] > maxExamples ? "; …" : ""})` : ""}`;
    });
    if (parts.length) lines.push(`  ${g.country ?? "no country"} ${g.zoneType ?? "untyped"}: ${parts.join(", ")}`);
  }
  if (lines.length === 2 && !report.countriesRemoved.length) lines.push("  no consequential change");
  return `${lines.join("\n")}\n`;
}
