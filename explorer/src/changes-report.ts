// Reading the change report (`/data/diff/latest.json`, dashboard/diff-schema.ts, schemaVersion 1) into what the
// Changes view lists: per category the counts and the example zones of every country/zone-type group. Pure.

export const CATEGORY_TITLES: Record<string, string> = {
  added: "Added",
  removed: "Removed",
  renamed: "Renamed",
  retyped: "Type changed",
  reparented: "Parent changed",
  geometryChanged: "Geometry changed",
};

export interface ChangedZone {
  osmId: string;
  oldId: number | null;
  newId: number | null;
  name: string | null;
  detail: string | null;
  country: string | null;
  zoneType: string | null;
}

export interface ChangeCategory {
  key: string;
  title: string;
  count: number;
  zones: ChangedZone[];
}

export interface DatasetSide {
  kind: string;
  version: number | null;
  source: string;
  createdAt: string | null;
  zoneCount: number;
}

export interface ChangeGroup {
  country: string | null;
  zoneType: string | null;
  oldCount: number;
  newCount: number;
  /** Changes per category in this group (categories are not exclusive). */
  counts: Record<string, number>;
}

export interface ChangeReport {
  old: DatasetSide;
  new: DatasetSide;
  generatedAt: string | null;
  unchanged: number;
  countriesRemoved: { osmId: string; id: number; name: string | null }[];
  categories: ChangeCategory[];
  /** Country / zone-type groups with at least one change. */
  groups: ChangeGroup[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

function side(v: unknown): DatasetSide {
  const o = isObj(v) ? v : {};
  return {
    kind: str(o.kind) ?? "none",
    version: num(o.version),
    source: str(o.source) ?? "",
    createdAt: str(o.createdAt),
    zoneCount: num(o.zoneCount) ?? 0,
  };
}

export class ReportFormatError extends Error {}

export function parseChangeReport(raw: unknown): ChangeReport {
  if (!isObj(raw) || raw.kind !== "cosmo-diff")
    throw new ReportFormatError("not a cosmo diff report (kind ≠ cosmo-diff)");
  if (raw.schemaVersion !== 1)
    throw new ReportFormatError(`diff report schemaVersion ${String(raw.schemaVersion)} is not supported (expected 1)`);
  const totals = isObj(raw.totals) ? raw.totals : {};
  const groups: ChangeGroup[] = [];
  const categories: ChangeCategory[] = Object.entries(CATEGORY_TITLES).map(([key, title]) => ({
    key,
    title,
    count: num(totals[key]) ?? 0,
    zones: [],
  }));
  for (const g of arr(raw.groups)) {
    if (!isObj(g)) continue;
    const gc = isObj(g.counts) ? g.counts : {};
    const counts = Object.fromEntries(Object.keys(CATEGORY_TITLES).map((k) => [k, num(gc[k]) ?? 0]));
    if (Object.values(counts).some((n) => n > 0)) {
      groups.push({
        country: str(g.country),
        zoneType: str(g.zoneType),
        oldCount: num(g.oldCount) ?? 0,
        newCount: num(g.newCount) ?? 0,
        counts,
      });
    }
    const examples = isObj(g.examples) ? g.examples : {};
    for (const c of categories) {
      for (const e of arr(examples[c.key])) {
        if (!isObj(e)) continue;
        c.zones.push({
          osmId: String(e.osmId ?? ""),
          oldId: num(e.oldId),
          newId: num(e.newId),
          name: str(e.name),
          detail: str(e.detail),
          country: str(g.country),
          zoneType: str(g.zoneType),
        });
      }
    }
  }
  return {
    old: side(raw.old),
    new: side(raw.new),
    generatedAt: str(raw.generatedAt),
    unchanged: num(totals.unchanged) ?? 0,
    countriesRemoved: arr(raw.countriesRemoved)
      .filter(isObj)
      .map((c) => ({ osmId: String(c.osmId ?? ""), id: num(c.id) ?? 0, name: str(c.name) })),
    categories,
    groups,
  };
}

/**
 * Which side of the report the API can show: the API serves one dataset version, so a zone id from the report
 * is only meaningful on the side that is the served version.
 */
export function servedSide(report: ChangeReport, servedVersion: number | null): "new" | "old" | null {
  if (servedVersion === null) return null;
  if (report.new.version === servedVersion) return "new";
  if (report.old.version === servedVersion) return "old";
  return null;
}
