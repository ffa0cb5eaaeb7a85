import { describe, expect, it } from "vitest";
import { encodeFlatMultiPolygon } from "../../core/geometry/ewkb.ts";
import { buildBoundary, chainRings, type MemberRef, ringNodeKeys, WayNodes } from "../boundary.ts";
import {
  fromGeoJsonCoords,
  multiPolygonBBox,
  multiPolygonGeoJson,
  pointInRing,
  ringFromPositions,
  ringInsideRing,
  toGeoJsonCoords,
} from "../geometry.ts";

// A 10x10 square split into ways: 1(0,0) 2(10,0) 3(10,10) 4(0,10); a hole 5..8 at (2..4); a far square 9..12.
const coords: Record<number, [number, number]> = {
  1: [0, 0],
  2: [10, 0],
  3: [10, 10],
  4: [0, 10],
  5: [2, 2],
  6: [4, 2],
  7: [4, 4],
  8: [2, 4],
  9: [20, 0],
  10: [30, 0],
  11: [30, 10],
  12: [20, 10],
};
const nodes = new Map(Object.entries(coords).map(([id, c]) => [Number(id), c]));
const way = (m: Record<number, number[]>) =>
  WayNodes.fromMaps(new Map(Object.entries(m).map(([id, refs]) => [Number(id), refs])), nodes);

/** Chains the given ways (node id lists) and returns the rings as node ids again. */
function chainIds(ways: number[][]): { rings: number[][]; unclosed: number } {
  const table = way(Object.fromEntries(ways.map((refs, i) => [i + 1, refs])));
  const { rings, unclosed } = chainRings(
    ways.map((_, i) => table.row(i + 1)!),
    table,
  );
  // Node keys → ids: fromMaps numbers the distinct ids in order of first appearance.
  const idOfKey = [...new Set(ways.flat())];
  return { rings: rings.map((r) => ringNodeKeys(r, table).map((k) => idOfKey[k])), unclosed };
}
const member = (ref: number, role: string): MemberRef => ({ type: "way", ref, role });

describe("chainRings", () => {
  it("joins open ways end to end, reversing the ones that point backwards", () => {
    const { rings, unclosed } = chainIds([
      [1, 2],
      [3, 2], // reversed
      [3, 4],
      [1, 4], // reversed, closes the ring
    ]);
    expect(unclosed).toBe(0);
    expect(rings).toEqual([[1, 2, 3, 4, 1]]);
  });

  it("keeps closed ways as rings and counts chains that never close", () => {
    const { rings, unclosed } = chainIds([
      [5, 6, 7, 8, 5],
      [1, 2],
      [2, 3],
    ]);
    expect(rings).toEqual([[5, 6, 7, 8, 5]]);
    expect(unclosed).toBe(1);
  });
});

describe("buildBoundary", () => {
  it("treats outer, enclave and empty roles as outer rings and puts inner rings in their outer polygon", () => {
    const b = buildBoundary(
      [
        member(1, "outer"),
        member(2, ""),
        member(3, "inner"),
        member(4, "enclave"),
        { type: "node", ref: 1, role: "label" },
      ],
      way({ 1: [1, 2, 3], 2: [3, 4, 1], 3: [5, 6, 7, 8, 5], 4: [9, 10, 11, 12, 9] }),
    );
    expect(b.problems).toEqual({});
    expect(b.geometry).toHaveLength(2);
    const ringsByPolygon = b.geometry!.map((p) => [p[0][0], p.length]);
    expect(ringsByPolygon.sort()).toEqual([
      [0, 2], // the square starting at x=0 holds the hole
      [20, 1],
    ]);
    expect(multiPolygonBBox(b.geometry!)).toEqual([0, 0, 30, 10]);
  });

  it("ignores other roles and counts missing ways and unclosed rings; no outer ring → no geometry", () => {
    const b = buildBoundary(
      [member(1, "outer"), member(2, "subarea"), member(99, "outer")],
      way({ 1: [1, 2, 3], 2: [3, 4, 1] }),
    );
    expect(b.geometry).toBeNull();
    expect(b.problems).toEqual({ missing_way: 1, unclosed_ring: 1 });
  });

  it("drops an inner ring no outer contains", () => {
    const b = buildBoundary(
      [member(1, "outer"), member(2, "inner")],
      way({ 1: [1, 2, 3, 4, 1], 2: [9, 10, 11, 12, 9] }),
    );
    expect(b.geometry).toHaveLength(1);
    expect(b.geometry![0]).toHaveLength(1);
    expect(b.problems).toEqual({ orphan_inner: 1 });
  });

  it("skips nodes missing from the file and drops rings left with fewer than 4 positions", () => {
    const b = buildBoundary([member(1, "outer")], way({ 1: [1, 2, 77, 1] }));
    expect(b.geometry).toBeNull();
    expect(b.problems).toEqual({ missing_node: 1, degenerate_ring: 1 });
  });
});

describe("point and ring tests", () => {
  const square = ringFromPositions([
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
    [0, 0],
  ]);
  it("tells inside, boundary and outside apart", () => {
    expect(pointInRing(5, 5, square)).toBe(1);
    expect(pointInRing(10, 5, square)).toBe(0);
    expect(pointInRing(11, 5, square)).toBe(-1);
  });
  it("decides ring inclusion on the first vertex not on the boundary (touching enclaves)", () => {
    const touching = ringFromPositions([
      [0, 0],
      [5, 0],
      [5, 5],
      [0, 0],
    ]);
    expect(ringInsideRing(touching, square)).toBe(true);
    expect(ringInsideRing(square, touching)).toBe(false);
  });
});

describe("flat rings", () => {
  it("round-trip GeoJSON coordinates and print the same text as JSON.stringify", () => {
    const coords: [number, number][][][] = [
      [
        [
          [5.9432118, 49.460907],
          [6.005144, 49.460907],
          [6.005144, 49.518616],
          [5.9432118, 49.460907],
        ],
      ],
    ];
    const flat = fromGeoJsonCoords(coords);
    expect(toGeoJsonCoords(flat)).toEqual(coords);
    expect(multiPolygonGeoJson(flat)).toBe(JSON.stringify({ type: "MultiPolygon", coordinates: coords }));
  });
});

describe("EWKB", () => {
  it("encodes flat rings as a MultiPolygon with SRID 4326 that wkx reads back", async () => {
    const wkx = (await import("wkx")).default;
    const coords: [number, number][][][] = [
      [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 0],
        ],
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
      [
        [
          [20, 0],
          [30, 0],
          [30, 10],
          [20, 0],
        ],
      ],
    ];
    const g = wkx.Geometry.parse(encodeFlatMultiPolygon(fromGeoJsonCoords(coords)));
    expect(g.srid).toBe(4326);
    expect(g.toGeoJSON()).toEqual({ type: "MultiPolygon", coordinates: coords });
  });
});
