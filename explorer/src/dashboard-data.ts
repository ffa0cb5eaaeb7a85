// The dashboard results (`/data/dashboard/latest.json`, or the old `/data/test_results.json` array) as rows the
// page can sort and filter. Pure.

export type Status = "ok" | "ko" | "skip";

export interface DashboardRow {
  wikidata: string;
  name: string;
  countryCode: string;
  zoneType: string;
  localType: string;
  expectedMin: number | null;
  expectedMax: number | null;
  count: number | null;
  status: Status;
  knownFailure: boolean;
  /** The zone found for the row's wikidata id (links to the map). */
  zoneId: number | null;
}

export interface CheckRow {
  check: string;
  title: string;
  country: string | null;
  zoneType: string | null;
  status: string;
  examined: number;
  offending: number;
  message: string | null;
}

export interface DashboardDoc {
  rows: DashboardRow[];
  checks: CheckRow[];
  zoneCount: number | null;
  datasetVersion: string | null;
  generatedAt: string | null;
  source: string | null;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

function n(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const x = Number(v);
  return Number.isFinite(x) ? x : null;
}

function status(v: unknown): Status {
  const s = String(v ?? "").toLowerCase();
  return s === "ok" || s === "ko" ? s : "skip";
}

const oldSkipMarker = (count: number | null) => (count === -1 ? null : count);

export function normalizeRow(r: Json): DashboardRow {
  return {
    wikidata: String(r.wikidata_id ?? r.wikidata ?? r.wikidataId ?? ""),
    name: String(r.name ?? ""),
    countryCode: String(r.country_code ?? r.countryCode ?? ""),
    zoneType: String(r.zone_type ?? r.zoneType ?? ""),
    localType: String(r.zone_type_local_name ?? r.zoneTypeLocalName ?? ""),
    expectedMin: n(r.expected_min ?? r.expectedMin),
    expectedMax: n(r.expected_max ?? r.expectedMax),
    // The old test_results.json marks a skipped row (nothing counted) with total -1.
    count: oldSkipMarker(n(r.total ?? r.count ?? r.actual)),
    status: status(r.test_status ?? r.status),
    knownFailure: r.knownFailure === true || /^(yes|true|1)$/i.test(String(r.is_known_failure ?? "")),
    zoneId: n(r.zoneId),
  };
}

/** The new document (`kind: cosmo-dashboard`, dashboard/report-schema.ts) or the old test_results.json array. */
export function parseDashboard(raw: unknown): DashboardDoc {
  if (Array.isArray(raw)) {
    return {
      rows: raw.filter(isObj).map(normalizeRow),
      checks: [],
      zoneCount: null,
      datasetVersion: null,
      generatedAt: null,
      source: null,
    };
  }
  if (!isObj(raw) || raw.kind !== "cosmo-dashboard")
    throw new Error("dashboard: not a cosmo dashboard document (kind ≠ cosmo-dashboard)");
  const dataset = isObj(raw.dataset) ? raw.dataset : {};
  const titles = new Map<string, string>();
  for (const c of Array.isArray(raw.checks) ? raw.checks : [])
    if (isObj(c)) titles.set(String(c.id), String(c.title ?? c.id));
  const volumetric = Array.isArray(raw.volumetric) ? raw.volumetric.filter(isObj) : [];
  const results = Array.isArray(raw.results) ? raw.results.filter(isObj) : [];
  const summary = isObj(raw.summary) ? raw.summary : {};
  return {
    // A row's CSV columns plus the computed fields: the same names as the old test_results.json.
    rows: volumetric.map((r) =>
      normalizeRow({
        ...(isObj(r.columns) ? r.columns : {}),
        total: r.total,
        status: r.status,
        knownFailure: r.knownFailure,
        zoneId: r.zoneId,
      }),
    ),
    checks: results.map((c) => ({
      check: String(c.check),
      title: titles.get(String(c.check)) ?? String(c.check),
      country: (c.country as string | null) ?? null,
      zoneType: (c.zoneType as string | null) ?? null,
      status: String(c.status),
      examined: n(c.examined) ?? 0,
      offending: n(c.offending) ?? 0,
      message: (c.message as string | null) ?? null,
    })),
    zoneCount: n(summary.zones ?? dataset.zoneCount),
    datasetVersion: dataset.version === null || dataset.version === undefined ? null : String(dataset.version),
    generatedAt: (raw.generatedAt as string | null) ?? null,
    source: (dataset.source as string | null) ?? null,
  };
}

export type SortKey = keyof DashboardRow;

// Failures first when sorting by status ascending: that is what a person opens the dashboard for.
const STATUS_ORDER: Record<Status, number> = { ko: 0, ok: 1, skip: 2 };

export function sortRows(rows: DashboardRow[], key: SortKey, dir: 1 | -1): DashboardRow[] {
  return [...rows].sort((a, b) => {
    const x = key === "status" ? STATUS_ORDER[a.status] : a[key];
    const y = key === "status" ? STATUS_ORDER[b.status] : b[key];
    if (x === y) return 0;
    if (x === null) return 1; // empty values last whatever the direction
    if (y === null) return -1;
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * dir;
  });
}

export function filterRows(rows: DashboardRow[], text: string, statusFilter: string): DashboardRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (statusFilter && r.status !== statusFilter) return false;
    const hay = `${r.name} ${r.countryCode} ${r.zoneType} ${r.localType} ${r.wikidata}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function countsByType(rows: DashboardRow[]): Map<string, Record<Status, number>> {
  const out = new Map<string, Record<Status, number>>();
  for (const r of rows) {
    const c = out.get(r.zoneType) ?? { ok: 0, ko: 0, skip: 0 };
    c[r.status]++;
    out.set(r.zoneType, c);
  }
  return out;
}
