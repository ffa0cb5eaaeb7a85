// Old and new boundary of a zone whose geometry changed, drawn together: which version and id each side is read
// from (the change report carries ids and versions, the API reads any still-loaded version with `dataset=`), and
// the bounds covering both. Pure, so the rules are tested without a browser.
import type { Feature, Geometry, Position } from "geojson";
import type { ChangedZone, ChangeReport } from "./changes-report.ts";
import type { BBox } from "./zone.ts";

export interface ComparisonSide {
  id: number;
  /** Version to read (`dataset=`); null = the served version (no parameter, cached by the API). */
  dataset: number | null;
  /** Version shown in the legend. */
  version: number;
}

export interface ComparisonPlan {
  old: ComparisonSide;
  new: ComparisonSide;
}

/**
 * Where to read both sides of a changed zone, or null when one side cannot be read: a side that is a file rather
 * than a dataset version, or a zone missing on one side.
 */
export function comparisonPlan(report: ChangeReport, zone: ChangedZone, served: number | null): ComparisonPlan | null {
  const side = (version: number | null, id: number | null): ComparisonSide | null =>
    version === null || id === null ? null : { id, version, dataset: version === served ? null : version };
  if (report.old.kind !== "version" || report.new.kind !== "version") return null;
  const o = side(report.old.version, zone.oldId);
  const n = side(report.new.version, zone.newId);
  return o && n ? { old: o, new: n } : null;
}

/** Every position of a geometry, whatever its nesting depth. */
function eachPosition(g: Geometry | null, fn: (p: Position) => void): void {
  if (!g) return;
  if (g.type === "GeometryCollection") {
    for (const x of g.geometries) eachPosition(x, fn);
    return;
  }
  const walk = (v: unknown): void => {
    if (!Array.isArray(v)) return;
    if (typeof v[0] === "number") fn(v as Position);
    else for (const x of v) walk(x);
  };
  walk(g.coordinates);
}

/** The bounds of every feature together (null when none has coordinates). */
export function featuresBBox(features: (Feature<Geometry> | null)[]): BBox | null {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features)
    eachPosition(f?.geometry ?? null, ([x, y]) => {
      if (x === undefined || y === undefined) return;
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    });
  return Number.isFinite(b[0]) ? b : null;
}
