// The exact covers test of covers.ts (and its orientation predicate) on hand-made cases whose answer is
// known: shared edges on either side, holes, a vertex on an edge, a chord through a reflex vertex, crossings.
// (Agreement with GEOS on real boundaries is checked by inclusions.test.ts.)
import { describe, expect, it } from "vitest";
import type { FlatMultiPolygon } from "../../core/geometry/flat.ts";
import { CONTAINER_GRID, coversArea, coversPoint, PreparedArea, packArea, ZONE_GRID } from "../covers.ts";
import { exactOrient, orient } from "../orientation.ts";

type Ring = [number, number][];

/** A (multi)polygon from rings given as position lists (closed here). */
function mp(...polygons: Ring[][]): FlatMultiPolygon {
  return polygons.map((rings) =>
    rings.map((r) => {
      const closed = [...r, r[0]];
      return new Float64Array(closed.flat());
    }),
  );
}

const box = (x0: number, y0: number, x1: number, y1: number): Ring => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];
const reversed = (r: Ring): Ring => [...r].reverse();

function covers(a: FlatMultiPolygon, b: FlatMultiPolygon): boolean {
  return coversArea(new PreparedArea(packArea(a), CONTAINER_GRID), new PreparedArea(packArea(b), ZONE_GRID));
}

// An L: the 10×10 square without its upper right quarter; (5, 5) is its reflex corner.
const L: Ring = [
  [0, 0],
  [10, 0],
  [10, 5],
  [5, 5],
  [5, 10],
  [0, 10],
];

describe("coversArea", () => {
  const square = mp([box(0, 0, 10, 10)]);

  it("inside, equal (either orientation), sharing edges from inside", () => {
    expect(covers(square, mp([box(2, 2, 4, 4)]))).toBe(true);
    expect(covers(square, square)).toBe(true);
    expect(covers(square, mp([reversed(box(0, 0, 10, 10))]))).toBe(true);
    expect(covers(mp([reversed(box(0, 0, 10, 10))]), mp([box(0, 0, 5, 5)]))).toBe(true);
  });

  it("not the notch of an L, though its edges are the L's (interiors on opposite sides)", () => {
    expect(covers(mp([L]), mp([box(5, 5, 10, 10)]))).toBe(false);
    expect(covers(mp([L]), mp([box(0, 0, 5, 5)]))).toBe(true);
  });

  it("an edge along part of the container's edge, a vertex in the middle of it", () => {
    expect(covers(square, mp([box(2, 0, 5, 3)]))).toBe(true);
    expect(covers(mp([L]), mp([box(7, 0, 10, 5)]))).toBe(true);
  });

  it("a chord through the reflex corner of the L: inside, touching it", () => {
    const triangle: Ring = [
      [4, 4],
      [6, 4],
      [4, 6],
    ];
    expect(covers(mp([L]), mp([triangle]))).toBe(true);
    const beyond: Ring = [
      [4, 4],
      [6.5, 4],
      [4, 6.5],
    ];
    expect(covers(mp([L]), mp([beyond]))).toBe(false);
  });

  it("crossing the container's boundary", () => {
    expect(covers(mp([L]), mp([box(4, 4, 6, 6)]))).toBe(false);
    expect(covers(square, mp([box(8, 2, 12, 4)]))).toBe(false);
  });

  it("holes: a zone around the hole, beside it, equal to it", () => {
    const holed = mp([box(0, 0, 10, 10), reversed(box(4, 4, 6, 6))]);
    expect(covers(holed, mp([box(2, 2, 8, 8)]))).toBe(false);
    expect(covers(holed, mp([box(1, 1, 3, 3)]))).toBe(true);
    expect(covers(holed, mp([box(4, 4, 6, 6)]))).toBe(false);
    // the zone has the same hole (its ring in either orientation): covered
    expect(covers(holed, mp([box(2, 2, 8, 8), box(4, 4, 6, 6)]))).toBe(true);
    expect(covers(holed, mp([box(2, 2, 8, 8), reversed(box(4, 4, 6, 6))]))).toBe(true);
    // a smaller hole than the container's: not covered
    expect(covers(holed, mp([box(2, 2, 8, 8), box(4.5, 4.5, 5.5, 5.5)]))).toBe(false);
  });

  it("a multipolygon zone with one part outside", () => {
    expect(covers(mp([L]), mp([box(1, 1, 2, 2)], [box(7, 7, 8, 8)]))).toBe(false);
    expect(covers(mp([L]), mp([box(1, 1, 2, 2)], [box(7, 1, 8, 2)]))).toBe(true);
  });
});

describe("coversPoint", () => {
  const a = new PreparedArea(packArea(mp([L])), CONTAINER_GRID);
  it("inside, on the boundary (edge, vertex), outside", () => {
    expect(coversPoint(a, 1, 1)).toBe(true);
    expect(coversPoint(a, 7, 5)).toBe(true);
    expect(coversPoint(a, 5, 5)).toBe(true);
    expect(coversPoint(a, 0, 10)).toBe(true);
    expect(coversPoint(a, 7, 7)).toBe(false);
    expect(coversPoint(a, -1, 5)).toBe(false);
  });
});

describe("orient", () => {
  it("is exact where the floating-point determinant is not", () => {
    expect(exactOrient(1, 1, 3, 3, 2, 2)).toBe(0);
    expect(exactOrient(1, 1, 3, 3, 2, 2 + 2 ** -51)).toBe(1);
    expect(exactOrient(1, 1, 3, 3, 2, 2 - 2 ** -51)).toBe(-1);
    // points a few ulps off the line through (0.5, 0.5) and (12, 12): orient must agree with the exact sign
    const ulp = 2 ** -53;
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 64; j++) {
        const ax = 0.5 + i * ulp;
        const ay = 0.5 + j * ulp;
        expect(orient(ax, ay, 12, 12, 24, 24)).toBe(exactOrient(ax, ay, 12, 12, 24, 24));
      }
    }
    // and the naive determinant is wrong for some of them (so the exact path is exercised)
    let naiveWrong = 0;
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 64; j++) {
        const ax = 0.5 + i * ulp;
        const ay = 0.5 + j * ulp;
        const naive = Math.sign((12 - ax) * (24 - ay) - (12 - ay) * (24 - ax));
        if (naive !== exactOrient(ax, ay, 12, 12, 24, 24)) naiveWrong++;
      }
    }
    expect(naiveWrong).toBeGreaterThan(0);
  });
});
