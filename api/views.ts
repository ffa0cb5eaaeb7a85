// JSON shapes. New responses keep every old field with its old name and type and add new ones alongside;
// the compat shapes are exactly the old cosmogony_explorer API's (no extra fields).
import type { GeometryRow, StatsRow, ZoneRow } from "./queries.ts";

/** https://www.openstreetmap.org/<type>/<id> for "relation:123" / "node:1" / "way:2". */
export function osmLink(osmId: string | null): string | null {
  const m = osmId ? /^(relation|node|way):(\d+)$/.exec(osmId) : null;
  return m ? `https://www.openstreetmap.org/${m[1]}/${m[2]}` : null;
}

function oldFields(r: ZoneRow) {
  return {
    id: r.id,
    name: r.name,
    parent: r.parent,
    zone_type: r.zone_type,
    osm_id: r.osm_id,
    osm_link: osmLink(r.osm_id),
    wikidata: r.wikidata,
    admin_level: r.admin_level,
    nb_children: r.nb_children,
  };
}

export type LabelsChoice = "all" | string[] | undefined;

function pickLabels(labels: Record<string, string>, choice: LabelsChoice): Record<string, string> {
  if (!Array.isArray(choice)) return labels;
  return Object.fromEntries(choice.filter((l) => Object.hasOwn(labels, l)).map((l) => [l, labels[l] as string]));
}

export function zoneJson(r: ZoneRow, choice?: LabelsChoice) {
  return {
    ...oldFields(r),
    bbox: r.bbox,
    label: r.label,
    loc_name: r.loc_name,
    alt_name: r.alt_name,
    ...(r.international_labels ? { international_labels: pickLabels(r.international_labels, choice) } : {}),
    zip_codes: r.zip_codes ?? [],
    country_code: r.country_code,
    center: r.center,
    is_generated: r.is_generated ?? false,
    ...(r.score !== undefined ? { score: r.score } : {}),
  };
}

export function compatZone(r: ZoneRow) {
  return oldFields(r);
}

export function compatZoneWithBbox(r: ZoneRow) {
  return { ...oldFields(r), bbox: r.bbox };
}

export function statsJson(version: number, rows: StatsRow[]) {
  const out = {
    dataset: version,
    total: 0,
    by_type: {} as Record<string, number>,
    by_admin_level: {} as Record<string, number>,
    by_country: {} as Record<string, number>,
  };
  for (const r of rows) {
    if (r.g_type && r.g_level && r.g_country) out.total = r.n;
    else if (!r.g_type) out.by_type[r.zone_type ?? "null"] = r.n;
    else if (!r.g_level) out.by_admin_level[r.admin_level === null ? "null" : String(r.admin_level)] = r.n;
    else out.by_country[r.country_code ?? "null"] = r.n;
  }
  return out;
}

/** GeoJSON Feature text; the geometry is spliced as PostGIS wrote it (no parse/serialise of big polygons). */
export function featureText(g: GeometryRow, dataset: number): string {
  const { geometry, ...properties } = g;
  const props = { ...properties, osm_link: osmLink(g.osm_id), dataset };
  return `{"type":"Feature","id":${g.id},"properties":${JSON.stringify(props)},"geometry":${geometry ?? "null"}}`;
}
