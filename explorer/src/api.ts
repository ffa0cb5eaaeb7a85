// Typed access to the JSON API behind nginx (`/api/…`, prefix stripped by nginx). Every failure becomes an
// ApiError with a message a person can read; the status line shows it (no silent blank panels).
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { listOf, normalizeZone, type ZoneInfo } from "./zone.ts";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

let apiBase = "/api";
export function setApiBase(base: string): void {
  apiBase = base.replace(/\/$/, "");
}

export async function getJson<T = unknown>(
  url: string,
  opts: { signal?: AbortSignal; what?: string } = {},
): Promise<T> {
  const what = opts.what ?? url;
  let res: Response;
  try {
    res = await fetch(url, {
      signal: opts.signal ?? AbortSignal.timeout(15_000),
      headers: { accept: "application/json" },
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(`${what}: network error (${(err as Error).message})`, 0);
  }
  if (!res.ok) {
    const retry = Number(res.headers.get("retry-after"));
    let detail = "";
    try {
      const body = (await res.json()) as { error?: unknown; message?: unknown };
      detail = String(body.message ?? body.error ?? "");
    } catch {
      /* not JSON: the status says enough */
    }
    const reason =
      res.status === 503 || res.status === 502 || res.status === 504
        ? "service unavailable"
        : res.status === 404
          ? "not found"
          : `HTTP ${res.status}`;
    const extra = detail && detail !== reason ? ` (${detail})` : "";
    throw new ApiError(`${what}: ${reason}${extra}`, res.status, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return (await res.json()) as T;
}

const api = (path: string) => `${apiBase}${path}`;

/**
 * The zone panel's fields: the API's lean default plus the labels in every language (the language menu and
 * the names in the chosen language) and the zip codes.
 */
const ZONE_PANEL_FIELDS =
  "id,name,parent,zone_type,osm_id,wikidata,admin_level,nb_children,bbox,label,international_labels,zip_codes,country_code,center";

export async function fetchZone(id: string, signal?: AbortSignal): Promise<{ zone: ZoneInfo; children: ZoneInfo[] }> {
  const url = api(`/zones/${encodeURIComponent(id)}?fields=${ZONE_PANEL_FIELDS}`);
  const body = await getJson<{ zone?: unknown; children?: unknown }>(url, { signal, what: `zone ${id}` });
  return { zone: normalizeZone(body.zone ?? body), children: listOf(body.children).map(normalizeZone) };
}

/** Parents from the immediate parent up to the root. */
export async function fetchParents(id: string, signal?: AbortSignal): Promise<ZoneInfo[]> {
  const body = await getJson(api(`/zones/${encodeURIComponent(id)}/parents`), { signal, what: `parents of ${id}` });
  return listOf(body, "parents").map(normalizeZone);
}

export async function searchZones(
  q: string,
  opts: { type?: string; limit?: number; signal?: AbortSignal } = {},
): Promise<ZoneInfo[]> {
  const params = new URLSearchParams({ q, limit: String(opts.limit ?? 10) });
  if (opts.type) params.set("type", opts.type);
  const body = await getJson(api(`/zones?${params}`), { signal: opts.signal, what: "search" });
  return listOf(body).map(normalizeZone);
}

export async function zonesAt(lng: number, lat: number, signal?: AbortSignal): Promise<ZoneInfo[]> {
  const params = new URLSearchParams({ lon: lng.toFixed(6), lat: lat.toFixed(6) });
  const body = await getJson(api(`/zones/at?${params}`), { signal, what: "what is here" });
  return listOf(body).map(normalizeZone);
}

/** `dataset`: read another loaded version than the served one (the old side of a change). */
export function geometryUrl(id: string, dataset?: number | null): string {
  const q = dataset === undefined || dataset === null ? "" : `?dataset=${dataset}`;
  return api(`/zones/${encodeURIComponent(id)}/geometry${q}`);
}

/** The zone's full geometry as a Feature (the API may answer with a Feature, a bare geometry or a collection). */
export async function fetchGeometry(
  id: string,
  signal?: AbortSignal,
  dataset?: number | null,
): Promise<Feature<Geometry> | null> {
  const what =
    dataset === undefined || dataset === null ? `geometry of ${id}` : `geometry of ${id} in version ${dataset}`;
  const body = await getJson<Record<string, unknown>>(geometryUrl(id, dataset), { signal, what });
  if (body.type === "Feature") return body as unknown as Feature<Geometry>;
  if (body.type === "FeatureCollection")
    return ((body as unknown as FeatureCollection).features[0] as Feature<Geometry>) ?? null;
  if (typeof body.type === "string" && "coordinates" in body)
    return { type: "Feature", properties: { id }, geometry: body as unknown as Geometry };
  const g = body.geometry as Geometry | undefined;
  return g ? { type: "Feature", properties: { id }, geometry: g } : null;
}

export interface DatasetSummary {
  version: number | null;
  status: string | null;
  createdAt: string | null;
  publishedAt: string | null;
  zoneCount: number | null;
  source: string | null;
}

/** The served dataset from `/datasets` (the one marked served/published), else the newest. */
export async function fetchServedDataset(signal?: AbortSignal): Promise<DatasetSummary | null> {
  const body = await getJson<Record<string, unknown>>(api("/datasets"), { signal, what: "datasets" });
  const list = listOf(body, "datasets") as Record<string, unknown>[];
  const servedVersion = body.served ?? body.served_version ?? body.servedVersion;
  const pick =
    list.find(
      (d) =>
        servedVersion !== undefined &&
        Number(d.version) === Number((servedVersion as { version?: unknown })?.version ?? servedVersion),
    ) ??
    list.find((d) => d.served === true || d.status === "published") ??
    list[0];
  if (!pick) return null;
  const s = (k: string, k2: string) => (pick[k] ?? pick[k2] ?? null) as string | null;
  return {
    version: pick.version === undefined ? null : Number(pick.version),
    status: s("status", "status"),
    createdAt: s("created_at", "createdAt"),
    publishedAt: s("published_at", "publishedAt"),
    zoneCount:
      pick.zone_count !== undefined || pick.zoneCount !== undefined ? Number(pick.zone_count ?? pick.zoneCount) : null,
    source: s("source", "source"),
  };
}
