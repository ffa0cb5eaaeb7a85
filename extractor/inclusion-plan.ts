// Which covers tests to run, and in what order, to know every (container, zone) inclusion with as few tests
// as possible. Covering is transitive: once the smallest candidate C1 of a zone Z is known to cover it,
// every zone known to cover C1 covers Z too, and need not be tested. The tests pruned this way are the
// expensive ones: a country (tens of thousands of points) against each of its hundreds of descendants.
//
// Implication is only drawn from a strictly larger container (a larger zone is never covered by a smaller
// one, so its own containers are settled first: zones are processed in "depth" rounds, depth = 1 + the
// deepest strictly larger candidate); candidates of equal or smaller area are always tested. Within a round,
// each zone has at most one test in flight per batch, its candidates taken smallest first.
//
// The tests are exact (covers.ts), and exact covering is transitive, so the result is the same set of pairs
// as testing every candidate (checked against GEOS on the Luxembourg fixture by
// extractor/test/inclusions.test.ts).

export interface Candidate {
  container: number;
  zone: number;
}

/** Runs one batch of covers tests (any order), resolves to the pairs whose container covers the zone. */
export type CoversTester = (pairs: Candidate[]) => Promise<Candidate[]>;

/** A batch's pairs by container (testers keep a container's tests together: its index is built once). */
export function groupByContainer(pairs: Candidate[]): Map<number, Candidate[]> {
  const groups = new Map<number, Candidate[]>();
  for (const p of pairs) {
    const g = groups.get(p.container);
    if (g) g.push(p);
    else groups.set(p.container, [p]);
  }
  return groups;
}

interface ZoneState {
  /** candidate containers, smallest area first (ties: smaller id) */
  candidates: number[];
  next: number;
  covered: Set<number>;
  /** candidates known not to need a test (implied) */
  implied: Set<number>;
}

/**
 * zone id → ids of the zones covering it, sorted by area then id. `area(id)` must be defined for every
 * container and zone id in `candidates` (0 for points).
 */
export async function resolveInclusions(
  candidates: Iterable<Candidate>,
  area: (id: number) => number,
  test: CoversTester,
): Promise<Map<number, number[]>> {
  const byArea = (a: number, b: number) => area(a) - area(b) || a - b;
  const lists = new Map<number, number[]>();
  for (const { container, zone } of candidates) {
    const l = lists.get(zone);
    if (l) l.push(container);
    else lists.set(zone, [container]);
  }
  const states = new Map<number, ZoneState>();
  for (const [zone, l] of lists) {
    l.sort(byArea);
    states.set(zone, { candidates: l, next: 0, covered: new Set(), implied: new Set() });
  }

  // Depth rounds: a zone's strictly larger candidates are in earlier rounds (largest zones first).
  const depth = new Map<number, number>();
  const order = [...states.keys()].sort((a, b) => byArea(b, a));
  let maxDepth = 0;
  for (const zone of order) {
    let d = 0;
    const az = area(zone);
    for (const c of states.get(zone)!.candidates) if (area(c) > az) d = Math.max(d, (depth.get(c) ?? 0) + 1);
    depth.set(zone, d);
    maxDepth = Math.max(maxDepth, d);
  }
  const rounds: number[][] = Array.from({ length: maxDepth + 1 }, () => []);
  for (const [zone, d] of depth) rounds[d].push(zone);

  for (const round of rounds) {
    let active = round;
    while (active.length > 0) {
      const batch: Candidate[] = [];
      const still: number[] = [];
      for (const zone of active) {
        const s = states.get(zone)!;
        while (s.next < s.candidates.length && s.implied.has(s.candidates[s.next])) s.next++;
        if (s.next >= s.candidates.length) continue;
        batch.push({ container: s.candidates[s.next++], zone });
        still.push(zone);
      }
      if (batch.length === 0) break;
      for (const { container, zone } of await test(batch)) {
        const s = states.get(zone)!;
        s.covered.add(container);
        if (area(container) <= area(zone)) continue;
        // Everything covering the container covers the zone (the container's round is over).
        const cs = states.get(container);
        if (!cs) continue;
        for (const up of cs.covered) if (up !== zone) s.implied.add(up);
        for (const up of cs.implied) if (up !== zone) s.implied.add(up);
      }
      active = still;
    }
  }

  const out = new Map<number, number[]>();
  for (const [zone, s] of states) {
    // Implied containers outside the zone's candidates (bbox) cannot happen geometrically; keep the
    // candidate list as the authority so the result is exactly "candidates that cover".
    const all = s.candidates.filter((c) => s.covered.has(c) || s.implied.has(c));
    if (all.length > 0) out.set(zone, all);
  }
  return out;
}
