// Quality checks per country and zone type (cosmogony issue #4, never built upstream). Each check is one SQL
// file over the working table; the status of a group follows from its offending zones and the check's
// failStatus. Results are sorted so the same dataset always gives the same document.
import { zoneTypeRank } from "../core/cosmogony/model.ts";
import { loadSql } from "../core/sql.ts";
import type { CheckDefinition, CheckResult, ZoneRef } from "./report-schema.ts";
import type { Workspace } from "./workspace.ts";

export interface QualityOptions {
  /** First N offending zones listed per group. */
  examples: number;
  /** Share of a child's area outside its parent above which it is reported (0.01 = 1 %). */
  outsideParentRatio: number;
}

export const DEFAULT_QUALITY_OPTIONS: QualityOptions = { examples: 20, outsideParentRatio: 0.01 };

interface PerZoneCheck extends CheckDefinition {
  sql: string;
  usesRatio?: boolean;
}

const PER_ZONE_CHECKS: PerZoneCheck[] = [
  {
    id: "invalid_geometry",
    title: "Invalid geometries",
    description:
      "Zones whose geometry, as written in the zones file, is not valid (the importer repairs them with ST_MakeValid).",
    failStatus: "warn",
    sql: "sql/check-invalid-geometry.sql",
  },
  {
    id: "outside_parent",
    title: "Children not covered by their parent",
    description: "Zones with more than the threshold share of their area outside their parent zone.",
    failStatus: "ko",
    sql: "sql/check-outside-parent.sql",
    usesRatio: true,
  },
  {
    id: "larger_than_parent",
    title: "Children larger than their parent",
    description: "Zones whose area is larger than their parent's.",
    failStatus: "ko",
    sql: "sql/check-larger-than-parent.sql",
  },
  {
    id: "without_country",
    title: "Zones without country",
    description: "Zones no country could be found for (country_code null), per zone type.",
    failStatus: "warn",
    sql: "sql/check-without-country.sql",
  },
  {
    id: "wikidata_coverage",
    title: "Wikidata coverage",
    description: "Share of zones with a wikidata id, per country and admin level; the examples lack one.",
    failStatus: "info",
    sql: "sql/check-wikidata.sql",
  },
];

const COVERAGE: CheckDefinition = {
  id: "coverage",
  title: "Coverage of the country",
  description: "Share of the country zone's area covered by the country's zones of each type (1 = fully covered).",
  failStatus: "info",
};

const EXTRACTOR_DROPPED: CheckDefinition = {
  id: "extractor_dropped",
  title: "Boundaries dropped by the extractor",
  description:
    "Relations the extractor could not turn into a zone (unclosed ring, missing member…), from the extract's meta.stats.dropped_boundaries (in a .json file, else in its FILE.meta.json sidecar); skip when the stats are not available.",
  failStatus: "warn",
};

export const CHECK_DEFINITIONS: CheckDefinition[] = [
  EXTRACTOR_DROPPED,
  ...PER_ZONE_CHECKS.map(({ sql: _sql, usesRatio: _r, ...d }) => d),
  COVERAGE,
];

interface AggregateRow {
  country: string | null;
  zone_type: string | null;
  admin_level: number | null;
  examined: number;
  offending: number;
  examples: { id: number; osmId: string; name: string | null; detail: string | null }[];
}

async function runPerZoneCheck(
  ws: Workspace,
  table: string,
  check: PerZoneCheck,
  opts: QualityOptions,
): Promise<CheckResult[]> {
  const sql = `WITH per_zone AS (${loadSql(import.meta.url, check.sql)})\n${loadSql(import.meta.url, "sql/check-aggregate.sql")}`;
  const params: unknown[] = [opts.examples];
  if (check.usesRatio) params.push(opts.outsideParentRatio);
  const { rows } = await ws.query<AggregateRow>(sql, { zones: table }, params);
  return rows.map((r) => {
    const share = r.examined ? r.offending / r.examined : 0;
    const isMeasure = check.failStatus === "info";
    return {
      check: check.id,
      country: r.country,
      zoneType: r.zone_type,
      adminLevel: r.admin_level,
      status: isMeasure ? "info" : r.offending > 0 ? check.failStatus : "ok",
      examined: r.examined,
      offending: r.offending,
      // Measures report the share that passes (e.g. 0.98 of level-8 zones have a wikidata id).
      value: isMeasure ? round(1 - share) : null,
      examples: r.examples.map(toZoneRef),
      message: r.offending > 0 ? `${r.offending} of ${r.examined} zones` : null,
    } satisfies CheckResult;
  });
}

function toZoneRef(e: AggregateRow["examples"][number]): ZoneRef {
  return { id: Number(e.id), osmId: e.osmId, name: e.name ?? null, detail: e.detail ?? null };
}

/** Ratios rounded to 1e-6 so float noise between runs never changes the document. */
function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

async function runCoverage(ws: Workspace, table: string): Promise<CheckResult[]> {
  const { rows } = await ws.query<{ country: string; zone_type: string; examined: number; value: number | null }>(
    loadSql(import.meta.url, "sql/check-coverage.sql"),
    { zones: table },
  );
  return rows.map((r) => ({
    check: COVERAGE.id,
    country: r.country,
    zoneType: r.zone_type,
    adminLevel: null,
    status: r.value === null ? "skip" : "info",
    examined: r.examined,
    offending: 0,
    value: r.value === null ? null : round(r.value),
    examples: [],
    message: r.value === null ? `no country zone with geometry for ${r.country}` : null,
  }));
}

interface DroppedEntry {
  osm_id?: string;
  reason?: string;
  country_code?: string | null;
  zone_type?: string | null;
}

/**
 * The extractor's dropped-boundary statistics, when the extract carried them: either a list of
 * `{osm_id, reason, country_code?}` or counts per reason. Absent → one `skip` result saying so.
 */
export function extractorDroppedResults(meta: Record<string, unknown> | null, opts: QualityOptions): CheckResult[] {
  const stats = (meta?.stats ?? null) as Record<string, unknown> | null;
  const dropped = stats?.dropped_boundaries;
  const base = { check: EXTRACTOR_DROPPED.id, zoneType: null, adminLevel: null, value: null };
  if (dropped === undefined || dropped === null) {
    return [
      {
        ...base,
        country: null,
        status: "skip",
        examined: 0,
        offending: 0,
        examples: [],
        message:
          "no meta.stats.dropped_boundaries: neither the zones file (jsonl files have no meta) nor a FILE.meta.json sidecar carries them",
      },
    ];
  }
  if (Array.isArray(dropped)) {
    const byCountry = new Map<string | null, DroppedEntry[]>();
    for (const d of dropped as DroppedEntry[]) {
      const cc = d.country_code ?? null;
      byCountry.set(cc, [...(byCountry.get(cc) ?? []), d]);
    }
    if (byCountry.size === 0) byCountry.set(null, []);
    return [...byCountry].map(([country, list]) => ({
      ...base,
      country,
      status: list.length ? "warn" : "ok",
      examined: list.length,
      offending: list.length,
      examples: [],
      message: list.length
        ? `${list.length} dropped: ${list
            .slice(0, opts.examples)
            .map((d) => `${d.osm_id ?? "?"} (${d.reason ?? "?"})`)
            .join(", ")}`
        : null,
    }));
  }
  const counts = Object.entries(dropped as Record<string, number>).sort(([a], [b]) => (a < b ? -1 : 1));
  const total = counts.reduce((s, [, n]) => s + (Number(n) || 0), 0);
  return [
    {
      ...base,
      country: null,
      status: total > 0 ? "warn" : "ok",
      examined: total,
      offending: total,
      examples: [],
      message: total > 0 ? counts.map(([k, n]) => `${k}: ${n}`).join(", ") : null,
    },
  ];
}

const CHECK_ORDER = new Map(CHECK_DEFINITIONS.map((d, i) => [d.id, i]));
const cmpNullable = <T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : cmp(a, b);

export function compareResults(a: CheckResult, b: CheckResult): number {
  return (
    (CHECK_ORDER.get(a.check) ?? 99) - (CHECK_ORDER.get(b.check) ?? 99) ||
    cmpNullable(a.country, b.country, (x, y) => (x < y ? -1 : x > y ? 1 : 0)) ||
    cmpNullable(a.zoneType, b.zoneType, (x, y) => zoneTypeRank(x) - zoneTypeRank(y) || (x < y ? -1 : x > y ? 1 : 0)) ||
    cmpNullable(a.adminLevel, b.adminLevel, (x, y) => x - y)
  );
}

export async function qualityChecks(
  ws: Workspace,
  table: string,
  meta: Record<string, unknown> | null,
  opts: QualityOptions = DEFAULT_QUALITY_OPTIONS,
): Promise<CheckResult[]> {
  await ws.client.query(loadSql(import.meta.url, "sql/functions.sql"));
  const results: CheckResult[] = [...extractorDroppedResults(meta, opts)];
  for (const check of PER_ZONE_CHECKS) results.push(...(await runPerZoneCheck(ws, table, check, opts)));
  results.push(...(await runCoverage(ws, table)));
  return results.sort(compareResults);
}
