// The load's zone parser: the geometry's text goes to the byte-level reader (multipolygon-text.ts) and only the
// rest of the zone (names, tags, …: a few hundred bytes) to JSON.parse and the usual validation. A zone whose
// geometry is not in the plain form, or that fails anything, is parsed again by parseZoneText (reader.ts): the
// result and the error messages are exactly those of the general path, only the common case is faster.
// The international labels (~230 a zone in extractor output: most of a zone's text besides its geometry) are cut
// out the same way when they are plain — an object of strings without escapes or control characters, valid
// UTF-8 — and handed on as their JSON text: parsing them into an object only to write that object back as JSON
// for the database cost more client CPU than the rest of the zone.

import { isUtf8 } from "node:buffer";
import type { FlatMultiPolygon } from "../geometry/flat.ts";
import { BACKSLASH, COLON, COMMA, isJsonSpace, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from "./json-syntax.ts";
import type { Zone } from "./model.ts";
import { MultiPolygonTextReader } from "./multipolygon-text.ts";
import { parseZoneText, type ZoneText } from "./reader.ts";
import { parseZone } from "./validate.ts";

const GEOMETRY = Buffer.from("geometry");
const LABELS = Buffer.from("international_labels");

export interface ParsedZone {
  /** The zone; its `geometry` is null when `flat` holds it. */
  zone: Zone;
  /**
   * The geometry as flat rings, views into the parser's reused array (recycled-buffers.ts), or null (then see
   * zone.geometry).
   */
  flat: FlatMultiPolygon | null;
  /**
   * The international labels as their JSON text (a view into the zone's bytes, valid as long as they are), or
   * null (then see zone.international_labels). When given, zone.international_labels is an empty object.
   */
  labels: Buffer | null;
}

/** findGeometryValue(): no top-level "geometry" key. */
export const NO_GEOMETRY_KEY = -1;
/** findGeometryValue(): a top-level key written with escapes (it could spell "geometry"), or unbalanced text. */
export const UNSURE = -2;

/**
 * Offset of the value of the top-level "geometry" key in a zone's JSON text, scanning from `from` (where the
 * nesting depth is `depth` and a key is expected or not). Tracks strings and nesting only: the text is checked by
 * the parsers afterwards.
 */
export function findGeometryValue(b: Buffer, from = 0, depth = 0, expectKey = false): number {
  return findKeyValue(b, GEOMETRY, from, depth, expectKey);
}

/**
 * findGeometryValue for any top-level key (given as its plain bytes). `skip`: a top-level value already read
 * ([start, end): the geometry's text, most of the zone) stepped over rather than scanned again.
 */
export function findKeyValue(
  b: Buffer,
  key: Buffer,
  from = 0,
  depth = 0,
  expectKey = false,
  skip: readonly [number, number] = [-1, -1],
): number {
  const n = b.length;
  for (let i = from; i < n; i++) {
    if (i === skip[0]) i = skip[1];
    const c = b[i];
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      i = start;
      while (i < n && b[i] !== QUOTE) {
        if (b[i] === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (i >= n) return UNSURE;
      if (depth === 1 && expectKey) {
        expectKey = false;
        if (escaped) return UNSURE;
        if (i - start === key.length && b.compare(key, 0, key.length, start, i) === 0) {
          let k = i + 1;
          while (isJsonSpace(b[k])) k++;
          if (b[k] !== COLON) return UNSURE;
          k++;
          while (isJsonSpace(b[k])) k++;
          return k;
        }
      }
    } else if (c === LBRACE || c === LBRACKET) {
      depth++;
      if (depth === 1) expectKey = c === LBRACE;
    } else if (c === RBRACE || c === RBRACKET) depth--;
    else if (c === COMMA && depth === 1) expectKey = true;
  }
  return NO_GEOMETRY_KEY;
}

/**
 * End (exclusive) of the object at `at` when it is a plain object of strings: keys and values without escapes
 * or control characters (JSON.parse, JSON.stringify and PostgreSQL's jsonb then all read the same characters);
 * else -1.
 */
export function plainStringMapEnd(b: Buffer, at: number): number {
  const n = b.length;
  let i = at;
  if (b[i] !== LBRACE) return -1;
  i++;
  while (isJsonSpace(b[i])) i++;
  if (b[i] === RBRACE) return i + 1;
  for (;;) {
    for (let s = 0; s < 2; s++) {
      // a key, then its value: both plain strings
      if (b[i] !== QUOTE) return -1;
      i++;
      while (i < n && b[i] !== QUOTE) {
        if (b[i] === BACKSLASH || b[i] < 0x20) return -1;
        i++;
      }
      if (i >= n) return -1;
      i++;
      while (isJsonSpace(b[i])) i++;
      if (s === 0) {
        if (b[i] !== COLON) return -1;
        i++;
        while (isJsonSpace(b[i])) i++;
      }
    }
    if (b[i] === RBRACE) return i + 1;
    if (b[i] !== COMMA) return -1;
    i++;
    while (isJsonSpace(b[i])) i++;
  }
}

/** Where the one top-level "international_labels" key has a plain object of strings: [start, end), or null. */
function plainLabels(b: Buffer, geometry: readonly [number, number]): [number, number] | null {
  const at = findKeyValue(b, LABELS, 0, 0, false, geometry);
  if (at < 0) return null;
  const end = plainStringMapEnd(b, at);
  if (end < 0) return null;
  // a second key would be the one JSON.parse keeps; invalid UTF-8 would be read as U+FFFD by the general path
  if (findKeyValue(b, LABELS, end, 1, false, geometry) !== NO_GEOMETRY_KEY || !isUtf8(b.subarray(at, end))) return null;
  return [at, end];
}

/** One per thread (it reuses the geometry reader's arrays). */
export class ZoneTextParser {
  private readonly geometry = new MultiPolygonTextReader();
  constructor(private readonly name: string) {}

  /** Parses and validates one zone text; throws the InputError parseZoneText would. */
  parse(t: ZoneText): ParsedZone {
    const b = t.bytes;
    const at = findGeometryValue(b);
    const flat = at >= 0 && b[at] === LBRACE ? this.geometry.read(b, at) : null;
    // a second "geometry" key would be the one JSON.parse keeps
    if (flat && findGeometryValue(b, this.geometry.end, 1) === NO_GEOMETRY_KEY) {
      // the rest of the zone, with null in place of the geometry and {} in place of plain labels (only ASCII
      // around the cuts: no split characters)
      const labels = plainLabels(b, [at, this.geometry.end]);
      const cuts: [number, number, string][] = [[at, this.geometry.end, "null"]];
      if (labels) cuts.push([labels[0], labels[1], "{}"]);
      cuts.sort((x, y) => x[0] - y[0]);
      let text = "";
      let from = 0;
      for (const [start, end, instead] of cuts) {
        text += b.toString("utf8", from, start) + instead;
        from = end;
      }
      text += b.toString("utf8", from);
      let rest: unknown;
      try {
        rest = JSON.parse(text);
      } catch {
        rest = undefined;
      }
      if (rest !== null && typeof rest === "object" && (rest as { geometry?: unknown }).geometry === null) {
        try {
          return { zone: parseZone(rest), flat, labels: labels ? b.subarray(labels[0], labels[1]) : null };
        } catch {
          // invalid: the general path words the error
        }
      }
    }
    return { zone: parseZoneText(t, this.name), flat: null, labels: null };
  }
}
