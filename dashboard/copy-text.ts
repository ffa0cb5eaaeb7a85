// Encoders for PostgreSQL's COPY text format, so zones stream into a temp table without building INSERT
// statements.
import type { MultiPolygonGeometry } from "../core/cosmogony/model.ts";
import { encodeMultiPolygon } from "../core/geometry/ewkb.ts";

/** One COPY text field: NULL as \N, and the four characters COPY treats specially escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  const s = typeof value === "number" ? String(value) : value;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

export function copyRow(fields: (string | number | null | undefined)[]): string {
  return `${fields.map(copyField).join("\t")}\n`;
}

/**
 * A MultiPolygon as hex EWKB (SRID 4326), the text form PostGIS reads fastest: parsing WKT was most of the COPY's
 * time on the import bench file. Coordinates travel as the doubles the reader produced, so the loaded geometry
 * is bit-identical to what the importer stores from the same file. An empty one has no polygons.
 */
export function multiPolygonHexEwkb(geometry: MultiPolygonGeometry): string {
  return encodeMultiPolygon(geometry.coordinates).toString("hex");
}
