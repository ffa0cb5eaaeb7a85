// Exact "A covers B" (no point of B outside A) for valid areas, in place of GEOS's ST_Covers on the
// inclusion tests. Administrative zones share their boundaries with the zones they contain, and GEOS (3.11)
// answers those cases with a full relate (a noded graph of both boundaries), ~1 ms a test; here only
// orientation predicates (exact, orientation.ts) on the original vertices are used, and no new point is
// ever computed, so the answer is the exact one:
//
//   B ⊆ A  ⇔  no edge of B properly crosses an edge of A, and, once every edge is cut at the vertices of the
//             other area lying on it (the pieces then meet only at their ends, or coincide):
//             1. no piece of B's boundary lies in A's exterior,
//             2. along a piece both boundaries share, the interiors are on the same side,
//             3. no piece of A's boundary lies in B's interior.
//
// (Any face of the arrangement inside B and outside A would have a piece of its border breaking 1, 2 or 3.)
// A piece is classified at its first point: by the sectors the other area's edges through that point make
// (interior on the left of each edge once rings are oriented), or, when no edge goes through it, by the
// region of the previous piece of the same ring, or a point-in-area test (ray crossing count).

import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { orient } from "./orientation.ts";

export const INTERIOR = 0;
export const BOUNDARY = 1;
export const EXTERIOR = 2;
type Location = typeof INTERIOR | typeof BOUNDARY | typeof EXTERIOR;

/** A piece's first point is on no edge of the area. */
const OFF_BOUNDARY = 3;
/** A piece runs along an edge of the area, whose interior is on its left / right. */
const ALONG_INTERIOR_LEFT = 4;
const ALONG_INTERIOR_RIGHT = 5;

/**
 * Grid columns (and rows) of the index of a boundary of n edges: f × √n. The grid costs k² to build and
 * keep; containers (indexed once, kept in a cache) might afford a finer one, but it was not faster.
 */
export const CONTAINER_GRID = 1;
export const ZONE_GRID = 1;

/** Growable list of segment or vertex indices (scratch space reused from test to test). */
class IndexList {
  items = new Int32Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.items.length) {
      const bigger = new Int32Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = v;
  }
}

/** A (multi)polygon as the covers tests take it: every ring's vertices in one array, ring after ring. */
export interface PackedArea {
  xy: Float64Array;
  /** vertex index just past each ring */
  ringEnds: Int32Array;
  /** 1 for a hole (not the first ring of its polygon) */
  holes: Uint8Array;
}

/**
 * `mp` packed: a lone ring's array is used as it is (most boundaries); several rings are copied, into a new
 * array, or with `transient` into the thread's scratch space (valid until the next transient packing).
 */
export function packArea(mp: FlatMultiPolygon, transient = false): PackedArea {
  let vertices = 0;
  let rings = 0;
  for (const polygon of mp) {
    for (const r of polygon) vertices += r.length / 2;
    rings += polygon.length;
  }
  const ringEnds = new Int32Array(rings);
  const holes = new Uint8Array(rings);
  if (rings === 1) {
    ringEnds[0] = vertices;
    return { xy: mp[0][0], ringEnds, holes };
  }
  const xy = transient ? scratch.float64(PACKED, vertices * 2) : new Float64Array(vertices * 2);
  let v = 0;
  let k = 0;
  for (const polygon of mp) {
    for (let i = 0; i < polygon.length; i++) {
      xy.set(polygon[i], 2 * v);
      v += polygon[i].length / 2;
      ringEnds[k] = v;
      holes[k++] = i > 0 ? 1 : 0;
    }
  }
  return { xy, ringEnds, holes };
}

/**
 * Typed arrays reused from one prepared area to the next on this thread (worker threads have their own):
 * the per-test zones and the temporaries of index building would otherwise feed the garbage collector with
 * hundreds of MB on a large extraction.
 */
class Scratch {
  private readonly int32Arrays: Int32Array[] = [];
  private readonly uint8Arrays: Uint8Array[] = [];
  private readonly float64Arrays: Float64Array[] = [];
  /** stamps of the marks (see PreparedArea.query, markShared), shared by all areas: never reused */
  visit = 0;

  /** the current covers test's stamp of the container's edges it shares with the zone (see coversArea) */
  test = 0;

  /** A new stamp (all marks cleared when the stamps would overflow). */
  stamp(): number {
    if (this.visit === 0x7ffffffe) {
      this.int32Arrays[SEEN]?.fill(0);
      this.int32Arrays[SHARED]?.fill(0);
      this.visit = 0;
      this.test = 0;
    }
    return ++this.visit;
  }

  /** Marks (stamps) for segment indices below n: the whole array, which may be longer (no new view). */
  marks(slot: typeof SEEN | typeof SHARED, n: number): Int32Array {
    const a = this.int32Arrays[slot];
    return a && a.length >= n ? a : this.int32(slot, n);
  }

  int32(slot: number, n: number): Int32Array {
    return firstOf(this.int32Arrays, slot, n, (length) => new Int32Array(length));
  }

  float64(slot: number, n: number): Float64Array {
    return firstOf(this.float64Arrays, slot, n, (length) => new Float64Array(length));
  }

  uint8(slot: number, n: number): Uint8Array {
    return firstOf(this.uint8Arrays, slot, n, (length) => new Uint8Array(length));
  }
}

/** The first n entries of `arrays[slot]`, replaced by a larger one (at least doubled) when it is too short. */
function firstOf<T extends Int32Array | Uint8Array | Float64Array>(
  arrays: T[],
  slot: number,
  n: number,
  make: (length: number) => T,
): T {
  let a = arrays[slot];
  if (!a || a.length < n) {
    a = make(Math.max(n, 2 * (a?.length ?? 0), 1024));
    arrays[slot] = a;
  }
  return a.subarray(0, n) as T;
}

const scratch = new Scratch();
// scratch slots
const SEEN = 0;
const CELL_X = 1;
const CELL_Y = 2;
const FILL = 3;
const RING = 4;
const CELL_START = 5;
const CELL_ITEMS = 6;
const SHARED = 7;
const INTERIOR_LEFT = 0;
const PACKED = 0;

/** Ring orientation from its lowest (then leftmost) vertex and its distinct neighbours: exact. */
function ringIsCounterClockwise(xy: Float64Array, start: number, end: number): boolean {
  // vertices start..end-1, the last one repeating the first
  const n = end - start - 1;
  let low = start;
  for (let i = start + 1; i < start + n; i++) {
    if (xy[2 * i + 1] < xy[2 * low + 1] || (xy[2 * i + 1] === xy[2 * low + 1] && xy[2 * i] < xy[2 * low])) low = i;
  }
  const lx = xy[2 * low];
  const ly = xy[2 * low + 1];
  let prev = low;
  do prev = prev === start ? start + n - 1 : prev - 1;
  while (prev !== low && xy[2 * prev] === lx && xy[2 * prev + 1] === ly);
  let next = low;
  do next = next === start + n - 1 ? start : next + 1;
  while (next !== low && xy[2 * next] === lx && xy[2 * next + 1] === ly);
  return orient(xy[2 * prev], xy[2 * prev + 1], lx, ly, xy[2 * next], xy[2 * next + 1]) > 0;
}

/**
 * A valid (multi)polygon's edges with a grid index over them: built once per container and reused for all
 * its tests (the role PostGIS's prepared geometry cache plays for GEOS).
 */
export class PreparedArea {
  /** every ring's vertices, ring after ring */
  readonly xy: Float64Array;
  /** segment i (vertex i → i+1): its ring, or -1 when i is a ring's last vertex or the edge has length 0 */
  readonly ring: Int32Array;
  /** segment i: 1 when the area's interior is on its left */
  readonly interiorLeft: Uint8Array;
  readonly segmentCount: number;
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;
  private readonly gridFactor: number;
  private nx = 1;
  private ny = 1;
  private scaleX = 0;
  private scaleY = 0;
  /** grid index (built on first use): segments of cell c are cellItems[cellStart[c] … cellStart[c + 1]) */
  private cellStart: Int32Array | null = null;
  private cellItems: Int32Array = new Int32Array(0);
  /** arrays in the thread's scratch space, valid until the next transient area is made */
  private readonly transient: boolean;

  /**
   * `transient`: for one test only (a zone tested against its container): its arrays are the thread's
   * scratch space, which the next transient area reuses.
   */
  constructor(area: PackedArea, gridFactor: number, transient = false) {
    this.gridFactor = gridFactor;
    this.transient = transient;
    const xy = area.xy;
    const vertices = xy.length / 2;
    const ring = (transient ? scratch.int32(RING, vertices) : new Int32Array(vertices)).fill(-1);
    const interiorLeft = transient ? scratch.uint8(INTERIOR_LEFT, vertices) : new Uint8Array(vertices);
    let segments = 0;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let start = 0;
    for (let r = 0; r < area.ringEnds.length; r++) {
      const end = area.ringEnds[r];
      const begin = start;
      start = end;
      if (end - begin < 4) continue; // not a ring: no area
      // Interior on the left: counterclockwise shells, clockwise holes.
      const left = ringIsCounterClockwise(xy, begin, end) === (area.holes[r] === 0) ? 1 : 0;
      for (let i = begin; i < end - 1; i++) {
        const x = xy[2 * i];
        const y = xy[2 * i + 1];
        if (x === xy[2 * i + 2] && y === xy[2 * i + 3]) continue;
        ring[i] = r;
        interiorLeft[i] = left;
        segments++;
        // a segment's start; its end is the next segment's start or the ring's closing vertex (its first)
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
    this.xy = xy;
    this.ring = ring;
    this.interiorLeft = interiorLeft;
    this.segmentCount = segments;
  }

  /** Marks segment i as one of the covered zone's in the current test (see coversArea). */
  markShared(i: number): void {
    scratch.marks(SHARED, this.ring.length)[i] = scratch.test;
  }

  isShared(i: number): boolean {
    return scratch.marks(SHARED, this.ring.length)[i] === scratch.test;
  }

  private buildIndex(): Int32Array {
    const xy = this.xy;
    const ring = this.ring;
    const vertices = ring.length;
    const k = Math.max(1, Math.ceil(this.gridFactor * Math.sqrt(this.segmentCount)));
    const w = this.maxX - this.minX;
    const h = this.maxY - this.minY;
    const nx = w > 0 ? k : 1;
    const ny = h > 0 ? k : 1;
    this.nx = nx;
    this.ny = ny;
    this.scaleX = w > 0 ? nx / w : 0;
    this.scaleY = h > 0 ? ny / h : 0;
    // the cell of each vertex, then each segment in the cells of the box of its two ends' cells
    const cellX = scratch.int32(CELL_X, vertices);
    const cellY = scratch.int32(CELL_Y, vertices);
    for (let i = 0; i < vertices; i++) {
      cellX[i] = this.cellX(xy[2 * i]);
      cellY[i] = this.cellY(xy[2 * i + 1]);
    }
    const cells = nx * ny;
    const cellStart = this.transient ? scratch.int32(CELL_START, cells + 1).fill(0) : new Int32Array(cells + 1);
    for (let i = 0; i < vertices; i++) {
      if (ring[i] < 0) continue;
      const ax = cellX[i];
      const bx = cellX[i + 1];
      const ay = cellY[i];
      const by = cellY[i + 1];
      if (ax === bx && ay === by) {
        cellStart[ay * nx + ax + 1]++;
        continue;
      }
      const y1 = Math.max(ay, by);
      const x0 = Math.min(ax, bx);
      const x1 = Math.max(ax, bx);
      for (let cy = Math.min(ay, by); cy <= y1; cy++) for (let cx = x0; cx <= x1; cx++) cellStart[cy * nx + cx + 1]++;
    }
    for (let c = 0; c < cells; c++) cellStart[c + 1] += cellStart[c];
    const fill = scratch.int32(FILL, cells);
    fill.set(cellStart.subarray(0, cells));
    const cellItems = this.transient ? scratch.int32(CELL_ITEMS, cellStart[cells]) : new Int32Array(cellStart[cells]);
    for (let i = 0; i < vertices; i++) {
      if (ring[i] < 0) continue;
      const ax = cellX[i];
      const bx = cellX[i + 1];
      const ay = cellY[i];
      const by = cellY[i + 1];
      if (ax === bx && ay === by) {
        cellItems[fill[ay * nx + ax]++] = i;
        continue;
      }
      const y1 = Math.max(ay, by);
      const x0 = Math.min(ax, bx);
      const x1 = Math.max(ax, bx);
      for (let cy = Math.min(ay, by); cy <= y1; cy++)
        for (let cx = x0; cx <= x1; cx++) cellItems[fill[cy * nx + cx]++] = i;
    }
    this.cellStart = cellStart;
    this.cellItems = cellItems;
    return cellStart;
  }

  // Monotone in the coordinate: a point on a segment falls in one of the segment's cells.
  private cellX(x: number): number {
    const c = Math.floor((x - this.minX) * this.scaleX);
    return c < 0 ? 0 : c >= this.nx ? this.nx - 1 : c;
  }

  private cellY(y: number): number {
    const c = Math.floor((y - this.minY) * this.scaleY);
    return c < 0 ? 0 : c >= this.ny ? this.ny - 1 : c;
  }

  /** The segments whose cells meet the box (a superset of those whose bounding box meets it), each once. */
  query(minX: number, minY: number, maxX: number, maxY: number, out: IndexList): void {
    out.length = 0;
    if (maxX < this.minX || minX > this.maxX || maxY < this.minY || minY > this.maxY) return;
    const cellStart = this.cellStart ?? this.buildIndex();
    const cellItems = this.cellItems;
    const seen = scratch.marks(SEEN, this.ring.length);
    const stamp = scratch.stamp();
    const x0 = this.cellX(minX);
    const x1 = this.cellX(maxX);
    for (let cy = this.cellY(minY), y1 = this.cellY(maxY); cy <= y1; cy++) {
      for (let c = cy * this.nx + x0, end = cy * this.nx + x1; c <= end; c++) {
        for (let j = cellStart[c], end = cellStart[c + 1]; j < end; j++) {
          const s = cellItems[j];
          if (seen[s] === stamp) continue;
          seen[s] = stamp;
          out.push(s);
        }
      }
    }
  }

  /** Where the point is: ray to +x, crossings counted with exact side tests. */
  locate(x: number, y: number): Location {
    if (x < this.minX || x > this.maxX || y < this.minY || y > this.maxY) return EXTERIOR;
    const cellStart = this.cellStart ?? this.buildIndex();
    const cellItems = this.cellItems;
    const seen = scratch.marks(SEEN, this.ring.length);
    const stamp = scratch.stamp();
    const xy = this.xy;
    const row = this.cellY(y) * this.nx;
    let crossings = 0;
    for (let c = row + this.cellX(x), end = row + this.nx - 1; c <= end; c++) {
      for (let j = cellStart[c]; j < cellStart[c + 1]; j++) {
        const s = cellItems[j];
        if (seen[s] === stamp) continue;
        seen[s] = stamp;
        const ax = xy[2 * s];
        const ay = xy[2 * s + 1];
        const bx = xy[2 * s + 2];
        const by = xy[2 * s + 3];
        if (ay > y !== by > y) {
          const o = orient(ax, ay, bx, by, x, y);
          if (o === 0) return BOUNDARY;
          if (by > ay === o > 0) crossings++;
        } else if ((ax === x && ay === y) || (bx === x && by === y)) {
          return BOUNDARY;
        } else if (ay === y && by === y && x >= Math.min(ax, bx) && x <= Math.max(ax, bx)) {
          return BOUNDARY;
        }
      }
    }
    return crossings % 2 === 1 ? INTERIOR : EXTERIOR;
  }
}

/** (x, y) on the segment a–b, known collinear with it, and not one of its ends. */
function strictlyWithin(x: number, y: number, ax: number, ay: number, bx: number, by: number): boolean {
  if ((x === ax && y === ay) || (x === bx && y === by)) return false;
  return (ax <= bx ? ax <= x && x <= bx : bx <= x && x <= ax) && (ay <= by ? ay <= y && y <= by : by <= y && y <= ay);
}

/**
 * Where the open piece starting at u towards v lies relative to `area`, from the edges among `candidates`
 * that go through u: INTERIOR or EXTERIOR from the sector v falls in (the first edge met turning clockwise
 * from u→v has the piece on its left side), ALONG_* when the piece runs along one of those edges,
 * OFF_BOUNDARY when no edge goes through u. The piece must not meet the area's boundary between its ends.
 */
function classifyPiece(area: PreparedArea, candidates: IndexList, ux: number, uy: number, vx: number, vy: number) {
  const xy = area.xy;
  let found = false;
  let bestHalf = 3;
  let bestX = 0;
  let bestY = 0;
  let bestInteriorLeft = false;
  for (let k = 0; k < candidates.length; k++) {
    const s = candidates.items[k];
    const ax = xy[2 * s];
    const ay = xy[2 * s + 1];
    const bx = xy[2 * s + 2];
    const by = xy[2 * s + 3];
    if (ux < Math.min(ax, bx) || ux > Math.max(ax, bx) || uy < Math.min(ay, by) || uy > Math.max(ay, by)) continue;
    if (orient(ax, ay, bx, by, ux, uy) !== 0) continue;
    found = true;
    const left = area.interiorLeft[s] === 1;
    // The rays from u along this edge: towards b (interior on the edge's side), towards a (mirrored).
    for (let end = 0; end < 2; end++) {
      const wx = end === 0 ? bx : ax;
      const wy = end === 0 ? by : ay;
      if (wx === ux && wy === uy) continue;
      const interiorLeft = end === 0 ? left : !left;
      const o = orient(ux, uy, vx, vy, wx, wy);
      let half: number;
      if (o === 0) {
        if (Math.sign(wx - ux) === Math.sign(vx - ux) && Math.sign(wy - uy) === Math.sign(vy - uy)) {
          return interiorLeft ? ALONG_INTERIOR_LEFT : ALONG_INTERIOR_RIGHT;
        }
        half = 1; // opposite direction
      } else half = o < 0 ? 0 : 2; // clockwise from u→v by less than / more than a half turn
      if (half < bestHalf || (half === bestHalf && half !== 1 && orient(ux, uy, wx, wy, bestX, bestY) < 0)) {
        bestHalf = half;
        bestX = wx;
        bestY = wy;
        bestInteriorLeft = interiorLeft;
      }
    }
  }
  if (!found) return OFF_BOUNDARY;
  return bestInteriorLeft ? INTERIOR : EXTERIOR;
}

/** Cut points of the segment p→q: the vertices (indices into `xy`) of the other area lying inside it. */
function sortCuts(cuts: IndexList, xy: Float64Array, px: number, py: number, qx: number, qy: number): void {
  // along x (or y for a vertical segment), in the segment's direction
  const axis = px !== qx ? 0 : 1;
  const dir = axis === 0 ? Math.sign(qx - px) : Math.sign(qy - py);
  const items = cuts.items;
  for (let i = 1; i < cuts.length; i++) {
    const v = items[i];
    const kv = dir * xy[2 * v + axis];
    let j = i - 1;
    while (j >= 0 && dir * xy[2 * items[j] + axis] > kv) {
      items[j + 1] = items[j];
      j--;
    }
    items[j + 1] = v;
  }
}

const candidates = new IndexList();
const nearby = new IndexList();
const cuts = new IndexList();

/**
 * B's segment s is A's segment t (`same` direction or reversed). A valid area's edges cross none of its own,
 * so nothing crosses it: the only condition is that the interiors be on the same side. Marks t (pass 2 skips
 * it).
 */
function sharedEdge(b: PreparedArea, s: number, a: PreparedArea, t: number, same: boolean): boolean {
  a.markShared(t);
  return ((a.interiorLeft[t] === 1) === same) === (b.interiorLeft[s] === 1);
}

/**
 * Walks the pieces of `walked`'s segments listed in `segments` (all of them when null; ascending: consecutive
 * indices of one ring are chained) against `other` (whose vertices on a segment cut it): false as soon as a piece is where it
 * must not be (see below).
 */
function walkPieces(
  walked: PreparedArea,
  segments: Int32Array | null,
  count: number,
  other: PreparedArea,
  walkingCovered: boolean,
): boolean {
  // walking the covered area's boundary: crossings are checked, and every piece must be in or along the
  // covering one with the interiors on the same side; walking the covering area's boundary: no piece inside.
  const checkCrossings = walkingCovered;
  const xy = walked.xy;
  const oxy = other.xy;
  let regionKnown = false;
  let region: Location = EXTERIOR;
  let previous = -2;
  /** the edge of `other` to try first: the one following the last shared edge */
  let guess = -1;
  for (let k = 0; k < count; k++) {
    const s = segments === null ? k : segments[k];
    if (walked.ring[s] < 0) continue;
    if (s !== previous + 1 || walked.ring[s] !== walked.ring[previous]) regionKnown = false;
    const px = xy[2 * s];
    const py = xy[2 * s + 1];
    const qx = xy[2 * s + 2];
    const qy = xy[2 * s + 3];
    if (walkingCovered && guess >= 0) {
      // Zones share their boundaries: after an edge found in both, B's next edge is most often A's next (or
      // previous) one.
      const t = guess;
      guess = -1;
      if (other.ring[t] >= 0) {
        const same = oxy[2 * t] === px && oxy[2 * t + 1] === py && oxy[2 * t + 2] === qx && oxy[2 * t + 3] === qy;
        const reverse = oxy[2 * t] === qx && oxy[2 * t + 1] === qy && oxy[2 * t + 2] === px && oxy[2 * t + 3] === py;
        if (same || reverse) {
          if (!sharedEdge(walked, s, other, t, same)) return false;
          guess = same ? t + 1 : t - 1;
          regionKnown = false;
          previous = s;
          continue;
        }
      }
    } else if (!walkingCovered && walked.isShared(s)) {
      continue; // along the covered zone's boundary: checked from its side
    }
    previous = s;
    const minX = Math.min(px, qx);
    const minY = Math.min(py, qy);
    const maxX = Math.max(px, qx);
    const maxY = Math.max(py, qy);
    other.query(minX, minY, maxX, maxY, candidates);
    cuts.length = 0;
    let kept = 0;
    let shared = false;
    for (let i = 0; i < candidates.length; i++) {
      const t = candidates.items[i];
      const ax = oxy[2 * t];
      const ay = oxy[2 * t + 1];
      const bx = oxy[2 * t + 2];
      const by = oxy[2 * t + 3];
      // most edges of the cells are not even near: only those whose box meets the segment's are kept
      if (ax < bx ? bx < minX || ax > maxX : ax < minX || bx > maxX) continue;
      if (ay < by ? by < minY || ay > maxY : ay < minY || by > maxY) continue;
      candidates.items[kept++] = t;
      if (walkingCovered) {
        const same = ax === px && ay === py && bx === qx && by === qy;
        if (same || (ax === qx && ay === qy && bx === px && by === py)) {
          if (!sharedEdge(walked, s, other, t, same)) return false;
          guess = same ? t + 1 : t - 1;
          shared = true;
          break;
        }
      }
      if (checkCrossings) {
        const o1 = orient(ax, ay, bx, by, px, py);
        const o2 = orient(ax, ay, bx, by, qx, qy);
        if (o1 === o2 && o1 !== 0) continue;
        const o3 = orient(px, py, qx, qy, ax, ay);
        const o4 = orient(px, py, qx, qy, bx, by);
        if (o3 === o4 && o3 !== 0) continue;
        if (o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) return false; // proper crossing
        if (o3 === 0 && strictlyWithin(ax, ay, px, py, qx, qy)) cuts.push(t);
        if (o4 === 0 && strictlyWithin(bx, by, px, py, qx, qy)) cuts.push(t + 1);
      } else {
        if (strictlyWithin(ax, ay, px, py, qx, qy) && orient(px, py, qx, qy, ax, ay) === 0) cuts.push(t);
        if (strictlyWithin(bx, by, px, py, qx, qy) && orient(px, py, qx, qy, bx, by) === 0) cuts.push(t + 1);
      }
    }
    if (shared) {
      regionKnown = false;
      continue;
    }
    candidates.length = kept;
    sortCuts(cuts, oxy, px, py, qx, qy);
    let ux = px;
    let uy = py;
    for (let i = 0; i <= cuts.length; i++) {
      const vx = i < cuts.length ? oxy[2 * cuts.items[i]] : qx;
      const vy = i < cuts.length ? oxy[2 * cuts.items[i] + 1] : qy;
      if (vx === ux && vy === uy) continue; // the same vertex twice (end of one edge, start of the next)
      const c = classifyPiece(other, candidates, ux, uy, vx, vy);
      let location: number;
      if (c === OFF_BOUNDARY) {
        if (!regionKnown) {
          region = other.locate(ux, uy);
          // u is on none of the edges through its segment's box, so not on the boundary
          if (region === BOUNDARY) throw new Error("covers: point on a boundary edge the index missed");
          regionKnown = true;
        }
        location = region;
      } else if (c === INTERIOR || c === EXTERIOR) {
        region = c;
        regionKnown = true;
        location = c;
      } else {
        regionKnown = false; // its end is on the boundary: the next piece is classified by sectors
        location = c;
      }
      if (walkingCovered) {
        if (location === EXTERIOR) return false;
        if (location === ALONG_INTERIOR_LEFT && walked.interiorLeft[s] !== 1) return false;
        if (location === ALONG_INTERIOR_RIGHT && walked.interiorLeft[s] !== 0) return false;
      } else if (location === INTERIOR) return false;
      ux = vx;
      uy = vy;
    }
  }
  return true;
}

/** Does `a` cover `b` (every point of b in a, boundary included)? Both valid areas. */
export function coversArea(a: PreparedArea, b: PreparedArea): boolean {
  if (b.segmentCount === 0 || a.segmentCount === 0) return false;
  if (b.minX < a.minX || b.maxX > a.maxX || b.minY < a.minY || b.maxY > a.maxY) return false;
  scratch.test = scratch.stamp();
  // 1 and 2: B's boundary, piece by piece (crossings checked on the way).
  if (!walkPieces(b, null, b.ring.length, a, true)) return false;
  // 3: A's edges near B, none inside B (pieces along B's boundary were checked above).
  // The grid's cells are coarse: most edges they give miss B's box, and those have no point in B (and
  // walking them would need B's own index, built only when some edge is left).
  a.query(b.minX, b.minY, b.maxX, b.maxY, nearby);
  const axy = a.xy;
  let count = 0;
  for (let i = 0; i < nearby.length; i++) {
    const t = nearby.items[i];
    if (a.isShared(t)) continue;
    const x0 = axy[2 * t];
    const y0 = axy[2 * t + 1];
    const x1 = axy[2 * t + 2];
    const y1 = axy[2 * t + 3];
    if (x0 < x1 ? x1 < b.minX || x0 > b.maxX : x0 < b.minX || x1 > b.maxX) continue;
    if (y0 < y1 ? y1 < b.minY || y0 > b.maxY : y0 < b.minY || y1 > b.maxY) continue;
    nearby.items[count++] = t;
  }
  const near = nearby.items.subarray(0, count).sort();
  return walkPieces(a, near, near.length, b, false);
}

/** Does `a` cover the point (boundary included)? */
export function coversPoint(a: PreparedArea, x: number, y: number): boolean {
  return a.locate(x, y) !== EXTERIOR;
}
