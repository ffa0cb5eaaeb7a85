// Planar geometry helpers (lon/lat treated as planar, as cosmogony does), on flat rings (core/geometry/flat.ts).
import type { JsonBytes } from "../core/cosmogony/json-bytes.ts";
import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import type { BBox, Position } from "./types.ts";

export function ringFromPositions(positions: Position[]): Float64Array {
  const ring = new Float64Array(positions.length * 2);
  positions.forEach(([x, y], i) => {
    ring[2 * i] = x;
    ring[2 * i + 1] = y;
  });
  return ring;
}

export function ringToPositions(ring: Float64Array): Position[] {
  const out: Position[] = new Array(ring.length / 2);
  for (let i = 0; i < ring.length; i += 2) out[i / 2] = [ring[i], ring[i + 1]];
  return out;
}

/** GeoJSON MultiPolygon coordinates (nested arrays) → flat rings. */
export function fromGeoJsonCoords(coords: Position[][][]): FlatMultiPolygon {
  return coords.map((polygon) => polygon.map(ringFromPositions));
}

/** Flat rings → GeoJSON MultiPolygon coordinates (made for one zone at a time, when it is written). */
export function toGeoJsonCoords(mp: FlatMultiPolygon): Position[][][] {
  return mp.map((polygon) => polygon.map(ringToPositions));
}

/**
 * `{"type":"MultiPolygon","coordinates":…}` written from the flat rings into `out`, byte for byte what
 * JSON.stringify gives for the nested arrays of toGeoJsonCoords (the zones writer's path: no nested arrays and
 * no string per zone).
 */
export function writeMultiPolygonJson(out: JsonBytes, mp: FlatMultiPolygon): void {
  out.ascii('{"type":"MultiPolygon","coordinates":[');
  for (let p = 0; p < mp.length; p++) {
    out.ascii(p === 0 ? "[" : ",[");
    const polygon = mp[p];
    for (let r = 0; r < polygon.length; r++) {
      out.ascii(r === 0 ? "[" : ",[");
      const ring = polygon[r];
      for (let i = 0; i < ring.length; i += 2) out.position(ring[i], ring[i + 1], i === 0);
      out.ascii("]");
    }
    out.ascii("]");
  }
  out.ascii("]}");
}

/** `{"type":"MultiPolygon","coordinates":…}` text, built directly from the flat rings (COPY into PostGIS). */
export function multiPolygonGeoJson(mp: FlatMultiPolygon): string {
  const parts: string[] = [];
  for (const polygon of mp) {
    const rings: string[] = [];
    for (const ring of polygon) {
      const pos: string[] = new Array(ring.length / 2);
      for (let i = 0; i < ring.length; i += 2) pos[i / 2] = `[${ring[i]},${ring[i + 1]}]`;
      rings.push(`[${pos.join(",")}]`);
    }
    parts.push(`[${rings.join(",")}]`);
  }
  return `{"type":"MultiPolygon","coordinates":[${parts.join(",")}]}`;
}

export function ringBBox(ring: Float64Array): BBox {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i];
    const y = ring[i + 1];
    if (x < minx) minx = x;
    if (y < miny) miny = y;
    if (x > maxx) maxx = x;
    if (y > maxy) maxy = y;
  }
  return [minx, miny, maxx, maxy];
}

/** Bounding box of a multipolygon (outer rings suffice: inner rings lie inside them). */
/** Positions in all the rings (null: none). */
export function vertexCount(mp: FlatMultiPolygon | null): number {
  let n = 0;
  if (mp) for (const polygon of mp) for (const r of polygon) n += r.length / 2;
  return n;
}

export function multiPolygonBBox(mp: FlatMultiPolygon): BBox | null {
  let box: BBox | null = null;
  for (const polygon of mp) {
    const b = ringBBox(polygon[0]);
    box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
  }
  return box;
}

export function bboxContains(outer: BBox, inner: BBox): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}

/** Where point (px, py) lies relative to a closed ring: 1 inside, 0 on the boundary, -1 outside (even-odd). */
export function pointInRing(px: number, py: number, ring: Float64Array): 1 | 0 | -1 {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = ring[i];
    const yi = ring[i + 1];
    const xj = ring[j];
    const yj = ring[j + 1];
    // On-segment test first, so a vertex shared by an inner and its outer is not read as "inside".
    const cross = (px - xi) * (yj - yi) - (py - yi) * (xj - xi);
    if (
      cross === 0 &&
      px >= Math.min(xi, xj) &&
      px <= Math.max(xi, xj) &&
      py >= Math.min(yi, yj) &&
      py <= Math.max(yi, yj)
    ) {
      return 0;
    }
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? 1 : -1;
}

/**
 * Whether ring `inner` lies inside ring `outer`: decided by the first vertex of `inner` that is not on
 * `outer`'s boundary (rings that share vertices are common in OSM: enclaves touching their border).
 * A ring whose vertices are all on the other's boundary counts as inside.
 */
export function ringInsideRing(inner: Float64Array, outer: Float64Array): boolean {
  for (let i = 0; i < inner.length; i += 2) {
    const where = pointInRing(inner[i], inner[i + 1], outer);
    if (where !== 0) return where === 1;
  }
  return true;
}

/** Twice the signed area (shoelace) of a ring given as positions: positive for counter-clockwise rings. */
export function ringSignedArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s;
}
