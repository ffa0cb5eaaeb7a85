// A synthetic zones file for how the lookup pieces are cut (importer/sql/lookup-fill.sql): a zone far above the
// piece size with a hole across its first cut line, the hole's own zone, a zone whose boundary runs along its
// first cut line (a slot from its bottom edge, one side on the box's centre line), a neighbour sharing a straight
// border with it, and a small zone of two polygons. Coordinates in [0, 24] × [0, 10].
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpDir } from "../../core/testing.ts";
import { blob, type Ring, zoneOf } from "./enclave-fixture.ts";

export const CUT_IDS = { wiggly: 11, hole: 12, twoSquares: 13, slotted: 14, neighbour: 15 } as const;

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

export function cutZonesFile(): string {
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
  ];
  const file = join(tmpDir("cut"), "cut.jsonl");
  writeFileSync(file, zones.map((z) => JSON.stringify(z)).join("\n") + "\n");
  return file;
}
