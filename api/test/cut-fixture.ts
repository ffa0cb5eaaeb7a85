// A synthetic zones file for how the lookup pieces are cut (importer/sql/lookup-fill.sql): a zone far above the
// piece size with a hole across its first cut line, the hole's own zone, a zone whose boundary runs along its
// first cut line (a slot from its bottom edge, one side on the box's centre line), a neighbour sharing a straight
// border with it, a small zone of two polygons, and a square with 600 teeth in 6·10⁻⁸° of its bottom edge (more
// vertices than a piece holds in a box smaller than the last halving's), and a square with a slot from its top
// whose left side is a comb touching the square's first cut line with its 250 tips. Coordinates in [0, 28] ×
// [0, 10].
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpDir } from "../../core/testing.ts";
import { blob, type Ring, zoneOf } from "./enclave-fixture.ts";

export const CUT_IDS = {
  wiggly: 11,
  hole: 12,
  twoSquares: 13,
  slotted: 14,
  neighbour: 15,
  crowded: 16,
  combed: 17,
} as const;

/** The hole of the wiggly zone: centred on the x of the zone's box centre (where the first cut goes). */
export const HOLE = { cx: 5, cy: 6, r: 1 } as const;
/** The slotted zone spans x 10 → 16 (wider than tall: first cut at x = 13), its slot x 13 → 13.5, y 0 → 2. */
export const SLOT = { x0: 10, x1: 16, cut: 13, right: 13.5, depth: 2 } as const;

function square(x: number, y: number): Ring {
  return [
    [x, y],
    [x + 1, y],
    [x + 1, y + 1],
    [x, y + 1],
    [x, y],
  ];
}

/** The crowded square spans x 24 → 25, its teeth start at its bottom-left corner. */
export const CROWDED = { x0: 24, teeth: 600, step: 1e-10, height: 1e-9 } as const;

/** The combed square spans x 26 → 27 (first cut at 26.5), its slot x 26.5 → 26.6, y 0.5 → 1. */
export const COMBED = { x0: 26, cut: 26.5, right: 26.6, bottom: 0.5, tips: 250, depth: 1e-9 } as const;

function combedSquare(): Ring {
  // counter-clockwise from the bottom-left corner; the comb goes down the slot's left side, tips on x = cut
  const comb: Ring = [];
  for (let k = 0; k <= 2 * COMBED.tips; k++) {
    comb.push([COMBED.cut - (k % 2) * COMBED.depth, 1 - ((1 - COMBED.bottom) * k) / (2 * COMBED.tips)]);
  }
  return [
    [COMBED.x0, 0],
    [COMBED.x0 + 1, 0],
    [COMBED.x0 + 1, 1],
    [COMBED.right, 1],
    [COMBED.right, COMBED.bottom],
    ...comb.slice().reverse(),
    [COMBED.x0, 1],
    [COMBED.x0, 0],
  ];
}

export function cutZonesFile(): string {
  const teeth: Ring = [];
  for (let k = 0; k <= CROWDED.teeth; k++) teeth.push([CROWDED.x0 + k * CROWDED.step, (k % 2) * CROWDED.height]);
  const crowded: Ring = [...teeth, [CROWDED.x0 + 1, 0], [CROWDED.x0 + 1, 1], [CROWDED.x0, 1], [CROWDED.x0, 0]];
  const hole = blob(HOLE.cx, HOLE.cy, HOLE.r, 120);
  // top edge from x1 back to x0, wiggling but at y 4 at both ends (the straight right edge is shared)
  const top: Ring = [];
  for (let k = 0; k <= 600; k++) {
    const x = SLOT.x1 - ((SLOT.x1 - SLOT.x0) * k) / 600;
    top.push([x, 4 + 0.1 * Math.sin((5 * Math.PI * (x - SLOT.x0)) / (SLOT.x1 - SLOT.x0))]);
  }
  const slotted: Ring = [
    [SLOT.x0, 0],
    [SLOT.cut, 0],
    [SLOT.cut, SLOT.depth],
    [SLOT.right, SLOT.depth],
    [SLOT.right, 0],
    [SLOT.x1, 0],
    ...top,
    [SLOT.x0, 0],
  ];
  const neighbour: Ring = [
    [SLOT.x1, 0],
    [SLOT.x1 + 2, 0],
    [SLOT.x1 + 2, 4],
    [SLOT.x1, 4],
    [SLOT.x1, 0],
  ];
  const zones = [
    zoneOf(CUT_IDS.wiggly, "Wiggly", "country", 2, null, "WG", [[blob(5, 5, 4, 2000), hole]]),
    zoneOf(CUT_IDS.hole, "Hole", "city", 8, null, "HL", [[hole]]),
    zoneOf(CUT_IDS.twoSquares, "Two squares", "city", 8, null, "SQ", [[square(20, 0)], [square(22, 0)]]),
    zoneOf(CUT_IDS.slotted, "Slotted", "city", 8, null, "SL", [[slotted]]),
    zoneOf(CUT_IDS.neighbour, "Neighbour", "city", 8, null, "SL", [[neighbour]]),
    zoneOf(CUT_IDS.crowded, "Crowded", "city", 8, null, "CR", [[crowded]]),
    zoneOf(CUT_IDS.combed, "Combed", "city", 8, null, "CB", [[combedSquare()]]),
  ];
  const file = join(tmpDir("cut"), "cut.jsonl");
  writeFileSync(file, zones.map((z) => JSON.stringify(z)).join("\n") + "\n");
  return file;
}
