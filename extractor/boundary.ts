// Boundary assembly with cosmogony's semantics: member ways with role outer/enclave/"" form outer rings,
// role inner forms inner rings; ways are chained by matching end node ids (reversed when needed); chains
// that do not close are dropped (and counted); each inner ring goes into the outer polygon containing it.
import { bboxContains, ringBBox, ringInsideRing } from "./geometry.ts";
import type { FlatMultiPolygon } from "./types.ts";

export interface MemberRef {
  type: "node" | "way" | "relation";
  ref: number;
  role: string;
}

export interface NodeLookup {
  get(id: number): [number, number] | undefined;
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
 * Chain node-id sequences into closed rings. A way already closed is a ring by itself; open ways are
 * joined end to end (reversing as needed, in member order, greedily). Returns the closed rings and the
 * number of chains that could not be closed.
 */
export function chainRings(ways: number[][]): { rings: number[][]; unclosed: number } {
  const rings: number[][] = [];
  const open: number[][] = [];
  for (const w of ways) {
    if (w.length < 2) continue;
    if (w[0] === w[w.length - 1]) rings.push(w);
    else open.push(w);
  }
  // Index open ways by both end nodes so each join is a lookup, not a scan (countries have thousands of ways).
  const byEnd = new Map<number, number[]>();
  const addEnd = (node: number, i: number) => {
    const list = byEnd.get(node);
    if (list) list.push(i);
    else byEnd.set(node, [i]);
  };
  open.forEach((w, i) => {
    addEnd(w[0], i);
    addEnd(w[w.length - 1], i);
  });
  const used = new Uint8Array(open.length);
  const takeAt = (node: number): number => {
    const list = byEnd.get(node);
    if (!list) return -1;
    for (const i of list) if (!used[i]) return i;
    return -1;
  };

  let unclosed = 0;
  for (let start = 0; start < open.length; start++) {
    if (used[start]) continue;
    used[start] = 1;
    const chain = open[start].slice();
    while (chain[0] !== chain[chain.length - 1]) {
      const last = chain[chain.length - 1];
      const next = takeAt(last);
      if (next < 0) break;
      used[next] = 1;
      const w = open[next];
      if (w[0] === last) for (let k = 1; k < w.length; k++) chain.push(w[k]);
      else for (let k = w.length - 2; k >= 0; k--) chain.push(w[k]);
    }
    if (chain[0] === chain[chain.length - 1]) rings.push(chain);
    else unclosed++;
  }
  return { rings, unclosed };
}

/** Resolve a ring of node ids to a flat ring; nodes missing from the file are skipped (counted). */
function resolveRing(ids: number[], nodes: NodeLookup, problems: BoundaryResult["problems"]): Float64Array | null {
  const ring = new Float64Array(ids.length * 2 + 2);
  let n = 0;
  for (const id of ids) {
    const c = nodes.get(id);
    if (c) {
      ring[n++] = c[0];
      ring[n++] = c[1];
    } else problems.missing_node = (problems.missing_node ?? 0) + 1;
  }
  // A missing first/last node leaves the ring open: close it again on what is left.
  if (n >= 2 && (ring[0] !== ring[n - 2] || ring[1] !== ring[n - 1])) {
    ring[n++] = ring[0];
    ring[n++] = ring[1];
  }
  if (n < 8) {
    problems.degenerate_ring = (problems.degenerate_ring ?? 0) + 1;
    return null;
  }
  return n === ring.length ? ring : ring.slice(0, n);
}

export function buildBoundary(
  members: MemberRef[],
  ways: { get(id: number): number[] | undefined },
  nodes: NodeLookup,
): BoundaryResult {
  const problems: BoundaryResult["problems"] = {};
  const outerWays: number[][] = [];
  const innerWays: number[][] = [];
  for (const m of members) {
    if (m.type !== "way") continue;
    const role = memberRole(m.role);
    if (!role) continue;
    const refs = ways.get(m.ref);
    if (!refs) {
      problems.missing_way = (problems.missing_way ?? 0) + 1;
      continue;
    }
    (role === "outer" ? outerWays : innerWays).push(refs);
  }

  const outer = chainRings(outerWays);
  const inner = chainRings(innerWays);
  const unclosed = outer.unclosed + inner.unclosed;
  if (unclosed) problems.unclosed_ring = unclosed;

  const polygons: FlatMultiPolygon = [];
  for (const ids of outer.rings) {
    const ring = resolveRing(ids, nodes, problems);
    if (ring) polygons.push([ring]);
  }
  if (polygons.length === 0) return { geometry: null, problems };

  const outerBoxes = polygons.map((p) => ringBBox(p[0]));
  for (const ids of inner.rings) {
    const ring = resolveRing(ids, nodes, problems);
    if (!ring) continue;
    const box = ringBBox(ring);
    const host = polygons.findIndex((p, i) => bboxContains(outerBoxes[i], box) && ringInsideRing(ring, p[0]));
    if (host >= 0) polygons[host].push(ring);
    else problems.orphan_inner = (problems.orphan_inner ?? 0) + 1;
  }
  return { geometry: polygons, problems };
}
