// Hand-written equivalent of ZoneSchema.parse for the hot path (every zone of every file read). Why: zod 4 costs
// ~50 µs per zone on these objects (measured on the benchmark file: more than JSON.parse itself), i.e. about a
// minute per million zones; this costs ~1 µs plus the coordinate loops. ZoneSchema stays the documented schema;
// test/validate.test.ts checks that both accept and reject the same inputs and give the same values.
import { checkBBox, checkMultiPolygon, checkPoint } from "./geometry.ts";
import { isZoneType, type Zone } from "./model.ts";

export class ZoneFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly missing = false,
  ) {
    super(message);
  }
}

const has = Object.prototype.hasOwnProperty;

function fail(field: string, message: string): never {
  throw new ZoneFieldError(field, message);
}

function required(o: Record<string, unknown>, f: string): unknown {
  if (!has.call(o, f) || o[f] === undefined) throw new ZoneFieldError(f, `missing required field "${f}"`, true);
  return o[f];
}

function str(o: Record<string, unknown>, f: string): string {
  const v = required(o, f);
  if (typeof v !== "string") fail(f, `expected a string, got ${kind(v)}`);
  return v;
}

function nullableStr(o: Record<string, unknown>, f: string, optional = false): string | null {
  const v = optional ? (o[f] ?? null) : required(o, f);
  if (v !== null && typeof v !== "string") fail(f, `expected a string or null, got ${kind(v)}`);
  return v as string | null;
}

function int(v: unknown, f: string, min: number | null): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || (min !== null && v < min)) {
    fail(f, `expected ${min === 0 ? "a non-negative" : "an"} integer, got ${kind(v)}`);
  }
  return v;
}

function stringMap(v: unknown, f: string): Record<string, string> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(f, `expected an object of strings, got ${kind(v)}`);
  for (const k in v as object) {
    if (typeof (v as Record<string, unknown>)[k] !== "string")
      fail(`${f}.${k}`, `expected a string, got ${kind((v as Record<string, unknown>)[k])}`);
  }
  return v as Record<string, string>;
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** The zone as ZoneSchema.parse would return it (defaults filled, unknown keys dropped), or a ZoneFieldError. */
export function parseZone(obj: unknown): Zone {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new ZoneFieldError("", "not a JSON object");
  const o = obj as Record<string, unknown>;
  const id = int(required(o, "id"), "id", 0);
  const osm_id = str(o, "osm_id");
  if (osm_id === "") fail("osm_id", "expected a non-empty string");
  const al = required(o, "admin_level");
  const admin_level = al === null ? null : int(al, "admin_level", null);
  const zt = required(o, "zone_type");
  if (zt !== null && !isZoneType(zt)) fail("zone_type", `expected one of the zone types or null, got ${kind(zt)}`);
  const name = str(o, "name");
  const loc_name = o.loc_name === undefined ? "" : str(o, "loc_name");
  const alt_name = o.alt_name === undefined ? "" : str(o, "alt_name");
  const label = str(o, "label");
  const international_labels = stringMap(required(o, "international_labels"), "international_labels");
  const zips = required(o, "zip_codes");
  if (!Array.isArray(zips)) fail("zip_codes", `expected an array of strings, got ${kind(zips)}`);
  for (let i = 0; i < zips.length; i++)
    if (typeof zips[i] !== "string") fail(`zip_codes.${i}`, `expected a string, got ${kind(zips[i])}`);
  const center = required(o, "center");
  if (center !== null) {
    const m = checkPoint(center);
    if (m) fail("center", m);
  }
  const geometry = required(o, "geometry");
  if (geometry !== null) {
    const m = checkMultiPolygon(geometry);
    if (m) fail("geometry", m);
  }
  const bbox = required(o, "bbox");
  if (bbox !== null) {
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((n) => typeof n === "number")) {
      fail("bbox", `expected [minx, miny, maxx, maxy] or null, got ${kind(bbox)}`);
    }
    const m = checkBBox(bbox);
    if (m) fail("bbox", m);
  }
  const tags = stringMap(required(o, "tags"), "tags");
  const center_tags = o.center_tags === undefined ? {} : stringMap(o.center_tags, "center_tags");
  const p = required(o, "parent");
  const parent = p === null ? null : int(p, "parent", 0);
  const wikidata = nullableStr(o, "wikidata");
  const ig = o.is_generated ?? false;
  if (typeof ig !== "boolean") fail("is_generated", `expected a boolean, got ${kind(ig)}`);
  const country_code = nullableStr(o, "country_code", true);
  return {
    id,
    osm_id,
    admin_level,
    zone_type: zt as Zone["zone_type"],
    name,
    loc_name,
    alt_name,
    label,
    international_labels,
    zip_codes: zips as string[],
    center: center as Zone["center"],
    geometry: geometry as Zone["geometry"],
    bbox: bbox as Zone["bbox"],
    tags,
    center_tags,
    parent,
    wikidata,
    is_generated: ig,
    country_code,
  };
}
