// The explorer's view of a zone, normalised from the API's JSON so the UI does not depend on every field's
// exact spelling (the new API and the old compat shapes differ: bbox as array or GeoJSON polygon, counts, …).

export type BBox = [number, number, number, number];

export interface ZoneInfo {
  id: string;
  osmId: string | null;
  name: string;
  label: string | null;
  zoneType: string | null;
  adminLevel: number | null;
  countryCode: string | null;
  wikidata: string | null;
  zipCodes: string[];
  parent: string | null;
  bbox: BBox | null;
  center: [number, number] | null;
  childCount: number | null;
  names: Record<string, string>;
  labels: Record<string, string>;
}

type Json = Record<string, unknown>;

function str(v: unknown): string | null {
  if (v === null || v === undefined || v === "") return null;
  return String(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function toBBox(v: unknown): BBox | null {
  if (Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === "number")) return v as BBox;
  // GeoJSON Polygon (the old API's form): take the extent of its ring.
  const coords = (v as Json | null)?.coordinates;
  if (Array.isArray(coords) && Array.isArray(coords[0])) {
    const ring = coords[0] as [number, number][];
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }
  return null;
}

function toCenter(v: unknown): [number, number] | null {
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  const coords = (v as Json | null)?.coordinates;
  if (Array.isArray(coords) && coords.length === 2) return [Number(coords[0]), Number(coords[1])];
  return null;
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Json)) if (typeof val === "string" && val) out[k] = val;
  return out;
}

/** `name:<lang>` entries of a tag map (or an explicit names map) → {lang: name}. */
function namesOf(z: Json): Record<string, string> {
  const out: Record<string, string> = { ...stringMap(z.names) };
  const tags = stringMap(z.tags);
  for (const [k, v] of Object.entries(tags)) {
    const m = /^name:([a-z]{2,3}(?:[_-][A-Za-z0-9]+)?)$/.exec(k);
    if (m && !out[m[1]]) out[m[1]] = v;
  }
  return out;
}

export function normalizeZone(raw: unknown): ZoneInfo {
  const z = (raw ?? {}) as Json;
  const props = (
    z.properties && typeof z.properties === "object"
      ? { ...(z.properties as Json), id: z.id ?? (z.properties as Json).id }
      : z
  ) as Json;
  const zips = props.zip_codes ?? props.zipCodes;
  return {
    id: String(props.id),
    osmId: str(props.osm_id ?? props.osmId),
    name: str(props.name) ?? "(unnamed)",
    label: str(props.label),
    zoneType: str(props.zone_type ?? props.zoneType),
    adminLevel: num(props.admin_level ?? props.adminLevel),
    countryCode: str(props.country_code ?? props.countryCode),
    wikidata: str(props.wikidata),
    zipCodes: Array.isArray(zips) ? zips.map(String) : [],
    parent: str(props.parent ?? props.parent_id),
    bbox: toBBox(props.bbox),
    center: toCenter(props.center),
    childCount: num(props.nb_children ?? props.children_count ?? props.childrenCount ?? props.child_count),
    names: namesOf(props),
    labels: stringMap(props.international_labels ?? props.internationalLabels ?? props.labels),
  };
}

/** A list response: a bare array, or an object holding one under a usual key. */
export function listOf(raw: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(raw)) return raw;
  const obj = (raw ?? {}) as Json;
  for (const k of [...keys, "zones", "results", "items", "features", "data"]) {
    if (Array.isArray(obj[k])) return obj[k] as unknown[];
  }
  return [];
}

export function osmUrl(osmId: string | null): string | null {
  const m = /^(relation|node|way):(\d+)$/.exec(osmId ?? "");
  return m ? `https://www.openstreetmap.org/${m[1]}/${m[2]}` : null;
}

export function wikidataUrl(q: string | null): string | null {
  return q && /^Q\d+$/.test(q) ? `https://www.wikidata.org/wiki/${q}` : null;
}
