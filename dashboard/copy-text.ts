// Encoders for PostgreSQL's COPY text format and for EWKT, so zones stream into a temp table without
// building INSERT statements. Coordinates go through Number#toString (shortest round-trip form), so the
// loaded geometry is bit-identical to what the importer stores from the same file.
import type { MultiPolygonGeometry } from "../core/cosmogony/model.ts";

/** One COPY text field: NULL as \N, and the four characters COPY treats specially escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  const s = typeof value === "number" ? String(value) : value;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

export function copyRow(fields: (string | number | null | undefined)[]): string {
  return `${fields.map(copyField).join("\t")}\n`;
}

/** `SRID=4326;MULTIPOLYGON(((x y,…)),…)` for a GeoJSON MultiPolygon; an empty one becomes MULTIPOLYGON EMPTY. */
export function multiPolygonEwkt(geometry: MultiPolygonGeometry): string {
  if (geometry.coordinates.length === 0) return "SRID=4326;MULTIPOLYGON EMPTY";
  const polygons = geometry.coordinates.map(
    (polygon) => `(${polygon.map((ring) => `(${ring.map((p) => `${p[0]} ${p[1]}`).join(",")})`).join(",")})`,
  );
  return `SRID=4326;MULTIPOLYGON(${polygons.join(",")})`;
}
