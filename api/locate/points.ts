// Points to locate, from a CSV row, a GeoJSON line or a JSON request: checked one by one, so a bad one is
// reported with its line or index (the callers add where) and the reason.

export interface LocatePoint {
  /** The caller's id of the point, returned as given (text). */
  id: string;
  lon: number;
  lat: number;
  /**
   * `id,lon,lat` as cosmo locate's CSV output writes them, when that is the input line as it was (a plain CSV
   * line whose numbers are written as JavaScript writes their doubles): copied rather than written again.
   */
  csv?: string;
}

/** A point, or why the input is not one. */
export type PointOrReason = LocatePoint | { reason: string };

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function coordinate(value: unknown, name: "lon" | "lat"): number | string {
  const n = typeof value === "string" && NUMBER.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return `${name} is not a number (${JSON.stringify(value)})`;
  const max = name === "lon" ? 180 : 90;
  if (n < -max || n > max) return `${name} ${n} is out of range (−${max} … ${max})`;
  return n;
}

function identifier(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** A point from its three values; `id` may be a string or a number. */
export function pointOf(id: unknown, lon: unknown, lat: unknown): PointOrReason {
  const key = identifier(id);
  if (key === null) return { reason: `id must be a string or a number (${JSON.stringify(id) ?? "missing"})` };
  const x = coordinate(lon, "lon");
  if (typeof x === "string") return { reason: x };
  const y = coordinate(lat, "lat");
  if (typeof y === "string") return { reason: y };
  return { id: key, lon: x, lat: y };
}

/** The columns of a CSV input: `id,lon,lat` (a header row of these names is skipped by the reader). */
export const CSV_INPUT_COLUMNS = ["id", "lon", "lat"] as const;

export function pointFromCsv(fields: string[]): PointOrReason {
  if (fields.length !== 3)
    return { reason: `expected 3 columns (${CSV_INPUT_COLUMNS.join(", ")}), got ${fields.length}` };
  return pointOf(fields[0], fields[1], fields[2]);
}

/** One line of GeoJSON lines: a Feature with a Point geometry; its id is the feature's id or properties.id. */
export function pointFromGeoJsonLine(text: string): PointOrReason {
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch (err) {
    return { reason: `not JSON (${(err as Error).message})` };
  }
  const feature = f as { type?: unknown; id?: unknown; properties?: { id?: unknown } | null; geometry?: unknown };
  if (feature === null || typeof feature !== "object" || feature.type !== "Feature")
    return { reason: "expected a GeoJSON Feature" };
  const g = feature.geometry as { type?: unknown; coordinates?: unknown } | null;
  if (g?.type !== "Point" || !Array.isArray(g.coordinates) || g.coordinates.length < 2)
    return { reason: "expected a Point geometry with coordinates [lon, lat]" };
  return pointOf(feature.id ?? feature.properties?.id, g.coordinates[0], g.coordinates[1]);
}
