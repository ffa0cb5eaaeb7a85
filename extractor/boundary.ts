// Boundary assembly with cosmogony's semantics: member ways with role outer/enclave/"" form outer rings,
// role inner forms inner rings; ways are chained by matching end nodes (reversed when needed); chains
// that do not close are dropped (and counted); each inner ring goes into the outer polygon containing it.

import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { bboxContains, ringBBox, ringInsideRing } from "./geometry.ts";

export interface MemberRef {
  type: "node" | "way" | "relation";
  ref: number;
  role: string;
}

/** Fixed-point coordinate marking a node the file lacks (outside the ±1.8e9 range of real ones). */
export const MISSING_COORD = 0x7fffffff;

/**
 * The member ways of the boundaries with their nodes already resolved, in flat typed arrays: ways are
 * shared by every level of boundary they separate, so each node id is looked up once (when the table is
 * built), not once per relation, and rings are built with integer compares and array reads.
 */
export class WayNodes {
  constructor(
    /** Row of each way id in the table (undefined: the file lacks the way). */
    private rowOf: { get(wayId: number): number | undefined },
    /** The nodes of row w are node[start[w]] … node[start[w + 1] - 1]. */
    public start: Uint32Array,
    /** Per way node: the node's key, an index into lon/lat (the same node id always has the same key). */
    public node: Uint32Array,
    /** Coordinates by node key in 1e-7 degrees (OSM's native precision); MISSING_COORD for absent nodes. */
    public lon: Int32Array,
    public lat: Int32Array,
  ) {}

  /**
   * The tables let go (a batch whose zones are built), as an empty table. Why not just drop the object: a suspended
   * or finished generator keeps the values of its registers (a heap snapshot at the end of a batched build found the
   * last batch held so by zonesBuiltInBatches, relationZones and RelationsRead.batches), so the batch before stayed
   * in memory while the next was read: two batches' tables at the build's peak.
   */
  release(): void {
    this.rowOf = new Map();
    this.start = new Uint32Array(1);
    this.node = new Uint32Array(0);
    this.lon = new Int32Array(0);
    this.lat = new Int32Array(0);
  }

  row(wayId: number): number | undefined {
    return this.rowOf.get(wayId);
  }

  /** From plain maps (tests, small inputs): way id → node ids, node id → [lon, lat]. */
  static fromMaps(ways: Map<number, number[]>, coords: Map<number, [number, number]>): WayNodes {
    const keyOf = new Map<number, number>();
    const lon: number[] = [];
    const lat: number[] = [];
    const rowOf = new Map<number, number>();
    const start = [0];
    const node: number[] = [];
    for (const [id, refs] of ways) {
      rowOf.set(id, start.length - 1);
      for (const ref of refs) {
        let key = keyOf.get(ref);
        if (key === undefined) {
          key = lon.length;
          keyOf.set(ref, key);
          const c = coords.get(ref);
          lon.push(c ? Math.round(c[0] * 1e7) : MISSING_COORD);
          lat.push(c ? Math.round(c[1] * 1e7) : MISSING_COORD);
        }
        node.push(key);
      }
      start.push(node.length);
    }
    return new WayNodes(
      rowOf,
      Uint32Array.from(start),
      Uint32Array.from(node),
      Int32Array.from(lon),
      Int32Array.from(lat),
    );
  }
}

export type DropReason = "unclosed_ring" | "missing_way" | "missing_node" | "degenerate_ring" | "orphan_inner";

export interface BoundaryResult {
  /** null when no outer ring could be built: the relation is dropped. */
  geometry: FlatMultiPolygon | null;
  /** Problems met while building, by reason (rings or ways, see each reason). */
  problems: Partial<Record<DropReason, number>>;
}

const OUTER_ROLES = new Set(["outer", "enclave", ""]);

export function memberRole(role: string): "outer" | "inner" | null {
  if (OUTER_ROLES.has(role)) return "outer";
  if (role === "inner") return "inner";
  return null;
}

/**
 * A ring as the ways it is made of, in order: row w walked forwards, or ~w walked backwards. The node
 * joining two ways is listed once (as the last node of the first).
 */
export type Ring = number[];

/**
 * Chain ways (table rows) into closed rings. A way already closed is a ring by itself; open ways are
 * joined end to end (reversing as needed, in member order, greedily). Returns the closed rings and the
 * number of chains that could not be closed.
 */
export function chainRings(rows: number[], table: WayNodes): { rings: Ring[]; unclosed: number } {
  const { start, node } = table;
  const first = (w: number) => node[start[w]];
  const last = (w: number) => node[start[w + 1] - 1];
  const rings: Ring[] = [];
  const open: number[] = [];
  for (const w of rows) {
    if (start[w + 1] - start[w] < 2) continue;
    if (first(w) === last(w)) rings.push([w]);
    else open.push(w);
  }
  // Index open ways by both end nodes so each join is a lookup, not a scan (countries have thousands of ways).
  const byEnd = new Map<number, number[]>();
  const addEnd = (key: number, i: number) => {
    const list = byEnd.get(key);
    if (list) list.push(i);
    else byEnd.set(key, [i]);
  };
  open.forEach((w, i) => {
    addEnd(first(w), i);
    addEnd(last(w), i);
  });
  const used = new Uint8Array(open.length);
  const takeAt = (key: number): number => {
    const list = byEnd.get(key);
    if (!list) return -1;
    for (const i of list) if (!used[i]) return i;
    return -1;
  };

  let unclosed = 0;
  for (let s = 0; s < open.length; s++) {
    if (used[s]) continue;
    used[s] = 1;
    const chain: Ring = [open[s]];
    const head = first(open[s]);
    let tail = last(open[s]);
    while (head !== tail) {
      const next = takeAt(tail);
      if (next < 0) break;
      used[next] = 1;
      const w = open[next];
      if (first(w) === tail) {
        chain.push(w);
        tail = last(w);
      } else {
        chain.push(~w);
        tail = first(w);
      }
    }
    if (head === tail) rings.push(chain);
    else unclosed++;
  }
  return { rings, unclosed };
}

/** The node keys of a ring in order, first node repeated last (for tests and debugging). */
export function ringNodeKeys(ring: Ring, table: WayNodes): number[] {
  const out: number[] = [];
  ring.forEach((seg, i) => {
    const w = seg < 0 ? ~seg : seg;
    const keys = Array.from(table.node.subarray(table.start[w], table.start[w + 1]));
    if (seg < 0) keys.reverse();
    out.push(...(i === 0 ? keys : keys.slice(1)));
  });
  return out;
}

/**
 * Storage for the rings' coordinates, handed out as views of large buffers. Why: every ArrayBuffer counts
 * as external memory, and V8 starts a full GC each time ~64 MB of it has been allocated; a continent's
 * rings are gigabytes, allocated one ring at a time that meant a full GC every few thousand rings. Large
 * slabs trigger it once per slab; their untouched tail costs address space, not memory (fresh pages).
 * The slabs are shared memory: worker threads (the covers tests, the geometry JSON of the write) read the
 * rings where they are, a view sent to them is not a copy.
 */
export class RingStore {
  private slab: Float64Array = new Float64Array(0);
  private used = 0;

  /** slabLength: numbers per slab (2 per position). */
  constructor(private readonly slabLength = 1 << 20) {}

  /** Room for up to `length` numbers, to be committed with take(). */
  reserve(length: number): Float64Array {
    if (this.used + length > this.slab.length) {
      this.slab = new Float64Array(new SharedArrayBuffer(8 * Math.max(length, this.slabLength)));
      this.used = 0;
    }
    return this.slab.subarray(this.used, this.used + length);
  }

  /** The first `length` numbers of the last reservation, kept for good. */
  take(length: number): Float64Array {
    const ring = this.slab.subarray(this.used, this.used + length);
    this.used += length;
    return ring;
  }
}

/** Resolve a ring to a flat ring of coordinates; nodes missing from the file are skipped (counted). */
function resolveRing(
  ringWays: Ring,
  table: WayNodes,
  store: RingStore,
  problems: BoundaryResult["problems"],
): Float64Array | null {
  const { start, node, lon, lat } = table;
  let positions = 1;
  for (const seg of ringWays) {
    const w = seg < 0 ? ~seg : seg;
    positions += start[w + 1] - start[w] - 1;
  }
  const ring = store.reserve(positions * 2 + 2);
  let n = 0;
  let missing = 0;
  for (let i = 0; i < ringWays.length; i++) {
    const seg = ringWays[i];
    const w = seg < 0 ? ~seg : seg;
    // Every way after the first starts with the node the previous one ended on: skip it.
    const skipFirst = i === 0 ? 0 : 1;
    const from = seg < 0 ? start[w + 1] - 1 - skipFirst : start[w] + skipFirst;
    const to = seg < 0 ? start[w] - 1 : start[w + 1];
    const step = seg < 0 ? -1 : 1;
    for (let j = from; j !== to; j += step) {
      const key = node[j];
      const x = lon[key];
      if (x === MISSING_COORD) {
        missing++;
        continue;
      }
      ring[n++] = x / 1e7;
      ring[n++] = lat[key] / 1e7;
    }
  }
  if (missing) problems.missing_node = (problems.missing_node ?? 0) + missing;
  // A missing first/last node leaves the ring open: close it again on what is left.
  if (n >= 2 && (ring[0] !== ring[n - 2] || ring[1] !== ring[n - 1])) {
    ring[n++] = ring[0];
    ring[n++] = ring[1];
  }
  if (n < 8) {
    problems.degenerate_ring = (problems.degenerate_ring ?? 0) + 1;
    return null;
  }
  return store.take(n);
}

export function buildBoundary(members: MemberRef[], table: WayNodes, store = new RingStore(0)): BoundaryResult {
  const problems: BoundaryResult["problems"] = {};
  const outerWays: number[] = [];
  const innerWays: number[] = [];
  for (const m of members) {
    if (m.type !== "way") continue;
    const role = memberRole(m.role);
    if (!role) continue;
    const row = table.row(m.ref);
    if (row === undefined) {
      problems.missing_way = (problems.missing_way ?? 0) + 1;
      continue;
    }
    (role === "outer" ? outerWays : innerWays).push(row);
  }

  const outer = chainRings(outerWays, table);
  const inner = chainRings(innerWays, table);
  const unclosed = outer.unclosed + inner.unclosed;
  if (unclosed) problems.unclosed_ring = unclosed;

  const polygons: FlatMultiPolygon = [];
  for (const ids of outer.rings) {
    const ring = resolveRing(ids, table, store, problems);
    if (ring) polygons.push([ring]);
  }
  if (polygons.length === 0) return { geometry: null, problems };

  const outerBoxes = polygons.map((p) => ringBBox(p[0]));
  for (const ids of inner.rings) {
    const ring = resolveRing(ids, table, store, problems);
    if (!ring) continue;
    const box = ringBBox(ring);
    const host = polygons.findIndex((p, i) => bboxContains(outerBoxes[i], box) && ringInsideRing(ring, p[0]));
    if (host >= 0) polygons[host].push(ring);
    else problems.orphan_inner = (problems.orphan_inner ?? 0) + 1;
  }
  return { geometry: polygons, problems };
}
