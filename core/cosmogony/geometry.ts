// Shape checks for the two GeoJSON geometry types of the format. Plain loops instead of a zod schema: they run
// over every coordinate of every zone (tens of millions for a country), and must stay cheap next to JSON.parse.

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    const t = (v as { type?: unknown }).type;
    return typeof t === "string" ? `a ${t}` : "an object without a type";
  }
  return `a ${typeof v}`;
}

function isPosition(p: unknown): boolean {
  return (
    Array.isArray(p) &&
    p.length >= 2 &&
    typeof p[0] === "number" &&
    typeof p[1] === "number" &&
    Number.isFinite(p[0]) &&
    Number.isFinite(p[1])
  );
}

// The format's coordinates are WGS84 longitude/latitude (GeoJSON): anything outside cannot be a place on Earth,
// and PostGIS would take it without a word (a zone at lon 600 once imported and passed the gate).
/** Whether (x, y) is a longitude in [-180, 180] and a latitude in [-90, 90]. */
export function isLonLat(x: number, y: number): boolean {
  return x >= -180 && x <= 180 && y >= -90 && y <= 90;
}

/** The message for a position out of the lon/lat range. */
export function outOfRange(where: string, x: number, y: number): string {
  return `${where} [${x}, ${y}] is out of range (longitude -180..180, latitude -90..90)`;
}

/** The message for a ring whose last position is not its first. */
export function unclosedRing(polygon: number, ring: number, first: number[], last: number[]): string {
  return (
    `MultiPolygon polygon ${polygon} ring ${ring} is not closed: it starts at [${first[0]}, ${first[1]}] ` +
    `and ends at [${last[0]}, ${last[1]}] (GeoJSON rings end where they start)`
  );
}

/** null when `v` is a GeoJSON Point, else a message saying what is wrong. */
export function checkPoint(v: unknown): string | null {
  if (v === null || typeof v !== "object" || (v as { type?: unknown }).type !== "Point") {
    return `expected a GeoJSON Point, got ${describe(v)}`;
  }
  const p = (v as { coordinates?: unknown }).coordinates;
  if (!isPosition(p)) return "Point coordinates are not [x, y]";
  const [x, y] = p as number[];
  if (!isLonLat(x, y)) return outOfRange("Point", x, y);
  return null;
}

/** null when `v` is [minx, miny, maxx, maxy] in the lon/lat range, else what is wrong. */
export function checkBBox(v: unknown): string | null {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((n) => typeof n === "number" && Number.isFinite(n))) return null; // the shape is the schema's to check
  if (!isLonLat(v[0], v[1])) return outOfRange("bbox corner", v[0], v[1]);
  if (!isLonLat(v[2], v[3])) return outOfRange("bbox corner", v[2], v[3]);
  return null;
}

/**
 * null when `v` is a GeoJSON MultiPolygon with closed rings of at least 4 positions in the lon/lat range, else
 * what is wrong. multipolygon-text.ts accepts the same.
 */
export function checkMultiPolygon(v: unknown): string | null {
  if (v === null || typeof v !== "object" || (v as { type?: unknown }).type !== "MultiPolygon") {
    return `expected a GeoJSON MultiPolygon, got ${describe(v)}`;
  }
  const polys = (v as { coordinates?: unknown }).coordinates;
  if (!Array.isArray(polys)) return "MultiPolygon coordinates are not an array";
  for (let i = 0; i < polys.length; i++) {
    const rings = polys[i];
    if (!Array.isArray(rings)) return `MultiPolygon polygon ${i} is not an array of rings`;
    for (let j = 0; j < rings.length; j++) {
      const ring = rings[j];
      if (!Array.isArray(ring)) return `MultiPolygon polygon ${i} ring ${j} is not an array of positions`;
      if (ring.length > 0 && ring.length < 4)
        return `MultiPolygon polygon ${i} ring ${j} has ${ring.length} positions (a ring needs at least 4)`;
      for (let k = 0; k < ring.length; k++) {
        const p = ring[k];
        if (!isPosition(p))
          return `MultiPolygon polygon ${i} ring ${j} position ${k} is not [x, y] with finite numbers`;
        if (!isLonLat(p[0], p[1])) return outOfRange(`MultiPolygon polygon ${i} ring ${j} position ${k}`, p[0], p[1]);
      }
      if (ring.length > 0) {
        const first = ring[0];
        const last = ring[ring.length - 1];
        if (first[0] !== last[0] || first[1] !== last[1]) return unclosedRing(i, j, first, last);
      }
    }
  }
  return null;
}
