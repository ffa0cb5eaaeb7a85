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

/** Every field a zone of the new routes can carry, in the order they are written. */
export const ZONE_FIELDS = [
  "id",
  "name",
  "parent",
  "zone_type",
  "osm_id",
  "osm_link",
  "wikidata",
  "admin_level",
  "nb_children",
  "bbox",
  "label",
  "loc_name",
  "alt_name",
  "international_labels",
  "zip_codes",
  "country_code",
  "center",
  "is_generated",
  "tags",
] as const;
export type ZoneField = (typeof ZONE_FIELDS)[number];

/**
 * Without `fields=`: the old cosmogony_explorer fields (old clients of these routes keep working) and what a
 * map or a geocoder shows — the label, the country, the centre. Left out: the labels in every language
 * (~230, tens of kB a zone), the tags, the local/alternative names, zip codes, is_generated.
 */
export const DEFAULT_ZONE_FIELDS: readonly ZoneField[] = [
  "id",
  "name",
  "parent",
  "zone_type",
  "osm_id",
  "osm_link",
  "wikidata",
  "admin_level",
  "nb_children",
  "bbox",
  "label",
  "country_code",
  "center",
];

/**
 * What a client asked a zone to look like: its fields (`fields=`, the id always among them), the languages of
 * international_labels (`labels=`; given, the field is included) and the one language of name and label
 * (`lang=`; the query falls back to the local name and label).
 */
export interface ZoneShape {
  fields: ReadonlySet<ZoneField>;
  labels: LabelsChoice;
  lang: string | null;
}

export function zoneShape(query: { fields?: readonly ZoneField[]; labels?: LabelsChoice; lang?: string }): ZoneShape {
  const fields = new Set<ZoneField>(["id", ...(query.fields ?? DEFAULT_ZONE_FIELDS)]);
  if (query.labels !== undefined) fields.add("international_labels");
  return { fields, labels: query.labels, lang: query.lang ?? null };
}

/** The shape of the compatibility routes: the old fields, local names. */
export const COMPAT_SHAPE: ZoneShape = {
  fields: new Set<ZoneField>(["id", "name", "parent", "zone_type", "osm_id", "wikidata", "admin_level", "nb_children"]),
  labels: undefined,
  lang: null,
};

function pickLabels(labels: Record<string, string>, choice: LabelsChoice): Record<string, string> {
  if (!Array.isArray(choice)) return labels;
  return Object.fromEntries(choice.filter((l) => Object.hasOwn(labels, l)).map((l) => [l, labels[l] as string]));
}

function fieldValue(r: ZoneRow, field: ZoneField, shape: ZoneShape): unknown {
  switch (field) {
    case "osm_link":
      return osmLink(r.osm_id);
    case "international_labels":
      return pickLabels(r.international_labels ?? {}, shape.labels);
    case "zip_codes":
      return r.zip_codes ?? [];
    case "is_generated":
      return r.is_generated ?? false;
    case "tags":
      return r.tags ?? {};
    default:
      return r[field];
  }
}

/** `"field":` of every zone field, made once. */
const FIELD_KEYS = new Map(ZONE_FIELDS.map((f) => [f, `${JSON.stringify(f)}:`]));

/**
 * The JSON text of a zone of the new routes. bbox and center come from PostgreSQL as GeoJSON text and are spliced
 * as they are: parsing them (pg's json type parser) only to serialise them again was a good part of the API
 * process's work per answer on the hot routes, where Node is the bottleneck.
 */
export function zoneText(r: ZoneRow, shape: ZoneShape): string {
  let out = "{";
  for (const field of ZONE_FIELDS) {
    if (!shape.fields.has(field)) continue;
    const value =
      field === "bbox" || field === "center" ? (r[field] ?? "null") : JSON.stringify(fieldValue(r, field, shape));
    out += `${out.length > 1 ? "," : ""}${FIELD_KEYS.get(field)}${value}`;
  }
  if (r.score !== undefined) out += `,"score":${JSON.stringify(r.score)}`;
  return `${out}}`;
}

/** JSON text of an array of zones. */
export function zonesText(rows: ZoneRow[], shape: ZoneShape): string {
  return `[${rows.map((r) => zoneText(r, shape)).join(",")}]`;
}

/** The old cosmogony_explorer fields of a zone, as JSON text; the zone itself with its bbox too. */
export function compatZoneText(r: ZoneRow, withBbox = false): string {
  const old = JSON.stringify(oldFields(r));
  return withBbox ? `${old.slice(0, -1)},"bbox":${r.bbox ?? "null"}}` : old;
}

/** JSON text of an array of zones in the old fields. */
export function compatZonesText(rows: ZoneRow[]): string {
  return `[${rows.map((r) => compatZoneText(r)).join(",")}]`;
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
