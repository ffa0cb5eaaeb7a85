// The candidate pairs of the inclusion tests, from the zones' bounding boxes: (container, zone) when the zone's
// box (its center for a zone without a boundary) lies inside the container's box. This was a self-join on
// the PostGIS bbox index (sql/candidates.sql, kept as the reference the tests compare with): ~1 s on one core
// for the benchmark grid while the covers threads waited; here it is a grid lookup of a few milliseconds.
//
// PostGIS compares float4 boxes rounded outwards, so it may add pairs whose double-precision boxes are not
// nested. Those zones have a point outside the container's box, hence are never covered: the pairs found here
// are the ones that can be covered (checked in extractor/test/candidates.test.ts).
import type { Candidate } from "./inclusion-plan.ts";
import type { BBox, Position } from "./types.ts";

/** What the candidate search needs of a zone: the box of its valid boundary, or its center without one. */
export interface ZoneBox {
  id: number;
  /** of the valid boundary; null without one, or when the repair left nothing (then no candidates at all) */
  bbox: BBox | null;
  /** the center of a zone without a boundary (a place), tested as a point; else null */
  point: Position | null;
}

/** Cells per side of the grid the containers are registered in: a few containers per cell. */
function gridSide(containers: number): number {
  return Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(containers))));
}

export function candidatePairs(zones: ZoneBox[]): Candidate[] {
  const containers = zones.filter((z) => z.bbox !== null);
  const out: Candidate[] = [];
  if (containers.length === 0) return out;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const c of containers) {
    const [x0, y0, x1, y1] = c.bbox as BBox;
    if (x0 < minX) minX = x0;
    if (y0 < minY) minY = y0;
    if (x1 > maxX) maxX = x1;
    if (y1 > maxY) maxY = y1;
  }
  const side = gridSide(containers.length);
  const sx = maxX > minX ? side / (maxX - minX) : 0;
  const sy = maxY > minY ? side / (maxY - minY) : 0;
  const cellX = (x: number) => Math.min(side - 1, Math.max(0, Math.floor((x - minX) * sx)));
  const cellY = (y: number) => Math.min(side - 1, Math.max(0, Math.floor((y - minY) * sy)));
  // each container in every cell its box meets
  const cells: number[][] = Array.from({ length: side * side }, () => []);
  containers.forEach((c, i) => {
    const [x0, y0, x1, y1] = c.bbox as BBox;
    for (let cy = cellY(y0), cy1 = cellY(y1); cy <= cy1; cy++)
      for (let cx = cellX(x0), cx1 = cellX(x1); cx <= cx1; cx++) cells[cy * side + cx].push(i);
  });
  for (const z of zones) {
    // a box inside the container's contains its corner: look in the corner's cell only
    const box: BBox | null = z.bbox ?? (z.point ? [z.point[0], z.point[1], z.point[0], z.point[1]] : null);
    if (!box) continue;
    const [x0, y0, x1, y1] = box;
    if (x0 < minX || y0 < minY || x0 > maxX || y0 > maxY) continue;
    for (const i of cells[cellY(y0) * side + cellX(x0)]) {
      const c = containers[i];
      if (c.id === z.id) continue;
      const [cx0, cy0, cx1, cy1] = c.bbox as BBox;
      if (cx0 <= x0 && cy0 <= y0 && x1 <= cx1 && y1 <= cy1) out.push({ container: c.id, zone: z.id });
    }
  }
  return out;
}
