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

/** null when `v` is a GeoJSON Point, else a message saying what is wrong. */
export function checkPoint(v: unknown): string | null {
  if (v === null || typeof v !== "object" || (v as { type?: unknown }).type !== "Point") {
    return `expected a GeoJSON Point, got ${describe(v)}`;
  }
  if (!isPosition((v as { coordinates?: unknown }).coordinates)) return "Point coordinates are not [x, y]";
  return null;
}

/** null when `v` is a GeoJSON MultiPolygon with rings of at least 4 finite positions, else what is wrong. */
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
      }
    }
  }
  return null;
}
