// Reads a loaded dataset version back as cosmogony zones, exactly as the file had them (geometries from
// geom_4326 via WKB, every double intact), so the round-trip tests can compare a loaded version with the file
// it came from (through helpers.ts#zonesOf). Test-only: `cosmo diff` compares versions in SQL
// (dashboard/sql/diff-*.sql) and `cosmo import` never reads a version back as zones.
import type pg from "pg";
import type { MultiPolygonGeometry, PointGeometry, Zone } from "../../core/cosmogony/model.ts";
import { decodeWkb } from "../../core/geometry/ewkb.ts";
import { ident } from "../../core/sql.ts";

interface ZoneRow {
  id: number;
  osm_id: string;
  admin_level: number | null;
  zone_type: Zone["zone_type"];
  name: string;
  loc_name: string;
  alt_name: string;
  label: string;
  international_labels: Record<string, string>;
  zip_codes: string[];
  center: string | null;
  bbox: string | null;
  geom_4326: string | null;
  tags: Record<string, string>;
  center_tags: Record<string, string>;
  parent: number | null;
  wikidata: string | null;
  is_generated: boolean;
  country_code: string | null;
}

export function rowToZone(r: ZoneRow): Zone {
  let bbox: Zone["bbox"] = null;
  if (r.bbox) {
    const ring = (decodeWkb(r.bbox).coordinates as [number, number][][])[0];
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }
  return {
    id: r.id,
    osm_id: r.osm_id,
    admin_level: r.admin_level,
    zone_type: r.zone_type,
    name: r.name,
    loc_name: r.loc_name,
    alt_name: r.alt_name,
    label: r.label,
    international_labels: r.international_labels,
    zip_codes: r.zip_codes,
    center: r.center ? (decodeWkb(r.center) as PointGeometry) : null,
    geometry: r.geom_4326 ? (decodeWkb(r.geom_4326) as MultiPolygonGeometry) : null,
    bbox,
    tags: r.tags,
    center_tags: r.center_tags,
    parent: r.parent,
    wikidata: r.wikidata,
    is_generated: r.is_generated,
    country_code: r.country_code,
  };
}

/** Zones of the dataset in `schema` (e.g. "zones_v3"), by id, in batches through a cursor-like keyset scan. */
export async function* datasetZones(pool: pg.Pool, schema: string, batch = 1000): AsyncGenerator<Zone> {
  let after = -1;
  for (;;) {
    const { rows } = await pool.query<ZoneRow>(
      `SELECT id, osm_id, admin_level, zone_type, name, loc_name, alt_name, label, international_labels, zip_codes,
              center, bbox, geom_4326, tags, center_tags, parent, wikidata, is_generated, country_code
         FROM ${ident(schema)}.zones WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, batch],
    );
    for (const r of rows) yield rowToZone(r);
    if (rows.length < batch) return;
    after = rows[rows.length - 1].id;
  }
}
