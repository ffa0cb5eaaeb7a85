// Volumetric checks (what the old cosmogony dashboard did): for each reference row, the number of zones of the
// row's type anywhere below the row's zone, against the expected range.
import { loadSql } from "../core/sql.ts";
import type { ReferenceRow, ReferenceTable } from "./reference.ts";
import type { VolumetricRow } from "./report-schema.ts";
import type { Workspace } from "./workspace.ts";

interface CountRow {
  wikidata: string;
  root_id: number;
  root_osm_id: string;
  root_name: string;
  root_country: string | null;
  zone_type: string | null;
  n: number;
}

export interface RootCounts {
  zoneId: number;
  osmId: string;
  name: string;
  byType: Map<string, number>;
}

/** wikidata id → the zone found for it and its descendant counts per zone type. */
export async function descendantCounts(
  ws: Workspace,
  table: string,
  wikidataIds: string[],
): Promise<Map<string, RootCounts>> {
  const { rows } = await ws.query<CountRow>(loadSql(import.meta.url, "sql/volumetric.sql"), { zones: table }, [
    [...new Set(wikidataIds)],
  ]);
  const out = new Map<string, RootCounts>();
  for (const r of rows) {
    let entry = out.get(r.wikidata);
    if (!entry) {
      entry = { zoneId: r.root_id, osmId: r.root_osm_id, name: r.root_name, byType: new Map() };
      out.set(r.wikidata, entry);
    }
    if (r.zone_type !== null) entry.byType.set(r.zone_type, r.n);
  }
  return out;
}

export function evaluateRow(row: ReferenceRow, counts: Map<string, RootCounts>): VolumetricRow {
  const root = counts.get(row.wikidataId);
  if (!root) {
    return {
      columns: row.columns,
      total: null,
      status: "skip",
      knownFailure: row.knownFailure,
      zoneId: null,
      osmId: null,
      reason: `no zone with wikidata ${row.wikidataId} in the dataset`,
    };
  }
  const total = root.byType.get(row.zoneType) ?? 0;
  const ok = total >= row.expectedMin && total <= row.expectedMax;
  return {
    columns: row.columns,
    total,
    status: ok ? "ok" : "ko",
    knownFailure: row.knownFailure,
    zoneId: root.zoneId,
    osmId: root.osmId,
    reason: ok ? null : `${total} ${row.zoneType} zones, expected ${row.expectedMin}–${row.expectedMax}`,
  };
}

/** Every reference row evaluated, in the reference file's order (that order is the old dashboard's). */
export async function volumetricRows(
  ws: Workspace,
  table: string,
  reference: ReferenceTable,
): Promise<VolumetricRow[]> {
  const counts = await descendantCounts(
    ws,
    table,
    reference.rows.map((r) => r.wikidataId),
  );
  return reference.rows.map((r) => evaluateRow(r, counts));
}
