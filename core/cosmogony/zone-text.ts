// The load's zone parser: the geometry's text goes to the byte-level reader (multipolygon-text.ts) and only the
// rest of the zone (names, tags, …: a few hundred bytes) to JSON.parse and the usual validation. A zone whose
// geometry is not in the plain form, or that fails anything, is parsed again by parseZoneText (reader.ts): the
// result and the error messages are exactly those of the general path, only the common case is faster.

import type { FlatMultiPolygon } from "../geometry/flat.ts";
import { BACKSLASH, COLON, COMMA, isJsonSpace, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from "./json-syntax.ts";
import type { Zone } from "./model.ts";
import { MultiPolygonTextReader } from "./multipolygon-text.ts";
import { parseZoneText, type ZoneText } from "./reader.ts";
import { parseZone } from "./validate.ts";

const GEOMETRY = Buffer.from("geometry");

export interface ParsedZone {
  /** The zone; its `geometry` is null when `flat` holds it. */
  zone: Zone;
  /**
   * The geometry as flat rings, views into the parser's reused array (recycled-buffers.ts), or null (then see
   * zone.geometry).
   */
  flat: FlatMultiPolygon | null;
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
  const n = b.length;
  for (let i = from; i < n; i++) {
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
        if (i - start === GEOMETRY.length && b.compare(GEOMETRY, 0, GEOMETRY.length, start, i) === 0) {
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
      // the rest of the zone, with null in place of the geometry (only ASCII around the cuts: no split characters)
      let rest: unknown;
      try {
        rest = JSON.parse(`${b.toString("utf8", 0, at)}null${b.toString("utf8", this.geometry.end)}`);
      } catch {
        rest = undefined;
      }
      if (rest !== null && typeof rest === "object" && (rest as { geometry?: unknown }).geometry === null) {
        try {
          return { zone: parseZone(rest), flat };
        } catch {
          // invalid: the general path words the error
        }
      }
    }
    return { zone: parseZoneText(t, this.name), flat: null };
  }
}
