// Shared by the extractor's tests: made-up working zones, small synthetic PBFs, reading outputs and checking them
// in PostGIS.
import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import type { Zone } from "../../core/cosmogony/model.ts";
import { readZones } from "../../core/cosmogony/reader.ts";
import type { Database } from "../../core/db.ts";
import { projectPath } from "../../core/paths.ts";
import { fixture } from "../../core/testing.ts";
import { multiPolygonBBox } from "../geometry.ts";
import type { DraftZone } from "../types.ts";

/**
 * A working zone with neutral values (relation 1000 + id, named z<id>), `over` replacing any of them; its bbox is
 * its geometry's unless given, as in the zones the extractor builds (zones.ts).
 */
export function draftZone(id: number, over: Partial<DraftZone> = {}): DraftZone {
  return {
    id,
    osmType: "relation",
    osmNumericId: 1000 + id,
    adminLevel: null,
    zoneType: null,
    name: `z${id}`,
    label: "",
    zipCodes: [],
    center: null,
    geometry: null,
    bbox: over.geometry ? multiPolygonBBox(over.geometry) : null,
    tags: {},
    centerTags: {},
    parent: null,
    wikidata: null,
    isGenerated: false,
    countryCode: null,
    ...over,
  };
}

export async function readAll(path: string): Promise<Zone[]> {
  const out: Zone[] = [];
  for await (const z of readZones(path)) out.push(z);
  return out;
}

/**
 * Zones whose parent does not cover them (GEOS covers on the made-valid geometries; the center point for
 * zones without a geometry), as "child ⊄ parent" strings: [] when the hierarchy is sound. Voronoi cells are
 * computed intersections with their parent, whose new vertices can sit 1e-16° off the parent's edges: for
 * generated zones the parent is grown by 1e-9° (0.1 mm) first; relation zones are checked exactly.
 */
export async function parentsNotCovering(db: Database, zones: Zone[], table: string): Promise<string[]> {
  await db.pool.query(
    `CREATE TABLE ${table} (id bigint PRIMARY KEY, osm_id text, parent bigint, generated bool, geom geometry, center geometry)`,
  );
  const rows = zones.map((z) => ({
    id: z.id,
    osm_id: z.osm_id,
    parent: z.parent,
    generated: z.is_generated,
    geometry: z.geometry,
    center: z.center,
  }));
  await db.pool.query(
    `INSERT INTO ${table}
     SELECT (z->>'id')::bigint, z->>'osm_id', (z->>'parent')::bigint, (z->>'generated')::bool,
            CASE WHEN jsonb_typeof(z->'geometry') = 'object' THEN ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(z->'geometry'), 4326)) END,
            CASE WHEN jsonb_typeof(z->'center') = 'object' THEN ST_SetSRID(ST_GeomFromGeoJSON(z->'center'), 4326) END
     FROM jsonb_array_elements($1::jsonb) z`,
    [JSON.stringify(rows)],
  );
  const { rows: bad } = await db.pool.query<{ c: string; p: string }>(
    `SELECT c.osm_id AS c, p.osm_id AS p FROM ${table} c JOIN ${table} p ON p.id = c.parent
     WHERE NOT ST_Covers(CASE WHEN c.generated THEN ST_Buffer(p.geom, 1e-9) ELSE p.geom END, coalesce(c.geom, c.center))
     ORDER BY c.id`,
  );
  return bad.map((r) => `${r.c} ⊄ ${r.p}`);
}

/** Squares as OSM data: each a closed way of 4 new nodes (ids from `firstNode`), as OPL lines (nodes, then ways). */
export function oplSquares(squares: { way: number; x0: number; y0: number; x1: number; y1: number }[]): string[] {
  const nodes: string[] = [];
  const ways: string[] = [];
  let n = 1;
  for (const s of squares) {
    const ids: number[] = [];
    for (const [x, y] of [
      [s.x0, s.y0],
      [s.x1, s.y0],
      [s.x1, s.y1],
      [s.x0, s.y1],
    ]) {
      nodes.push(`n${n} v1 x${x} y${y}`);
      ids.push(n++);
    }
    ways.push(`w${s.way} v1 N${[...ids, ids[0]].map((i) => `n${i}`).join(",")}`);
  }
  return [...nodes, ...ways];
}

/** A relation as an OPL line: tags (OPL-escaped) and one outer way. */
export function oplRelation(id: number, tags: Record<string, string>, outerWay: number): string {
  const esc = (v: string) => v.replace(/[^A-Za-z0-9_:.-]/g, (c) => `%${c.codePointAt(0)!.toString(16)}%`);
  const t = Object.entries(tags)
    .map(([k, v]) => `${esc(k)}=${esc(v)}`)
    .join(",");
  return `r${id} v1 T${t} Mw${outerWay}@outer`;
}

/** Writes OPL lines as a .osm.pbf with osmium (an independent writer). */
export function pbfFromOpl(lines: string[], path: string): string {
  const opl = `${path}.opl`;
  writeFileSync(opl, `${lines.join("\n")}\n`);
  execFileSync("osmium", ["cat", opl, "-o", path, "--overwrite"]);
  return path;
}

/**
 * A GRID×GRID grid of Luxembourg copies written to `out` by the benchmarks' generator (bench/extract/make-big.ts),
 * with `filler` times the boundary nodes in buildings, roads and POIs (0: boundaries only).
 */
export async function makeBigPbf(out: string, grid: number, filler = 0): Promise<string> {
  await promisify(execFile)(process.execPath, [
    "--import",
    "tsx",
    projectPath("bench/extract/make-big.ts"),
    fixture("luxembourg_filtered.osm.pbf"),
    out,
    String(grid),
    String(filler),
  ]);
  return out;
}
