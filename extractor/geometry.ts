// Small planar geometry helpers on GeoJSON-style coordinates (lon/lat treated as planar, as cosmogony does).
import type { BBox, MultiPolygonCoords, Position } from "./types.ts";

export function ringBBox(ring: Position[]): BBox {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  for (const [x, y] of ring) {
    if (x < minx) minx = x;
    if (y < miny) miny = y;
    if (x > maxx) maxx = x;
    if (y > maxy) maxy = y;
  }
  return [minx, miny, maxx, maxy];
}

/** Bounding box of a multipolygon (outer rings suffice: inner rings lie inside them). */
export function multiPolygonBBox(mp: MultiPolygonCoords): BBox | null {
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

/** Where a point lies relative to a closed ring: 1 inside, 0 on the boundary, -1 outside (even-odd rule). */
export function pointInRing(p: Position, ring: Position[]): 1 | 0 | -1 {
  const [px, py] = p;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
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
export function ringInsideRing(inner: Position[], outer: Position[]): boolean {
  for (const p of inner) {
    const where = pointInRing(p, outer);
    if (where !== 0) return where === 1;
  }
  return true;
}

/** Twice the signed area (shoelace): positive for counter-clockwise rings. */
export function ringSignedArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s;
}
