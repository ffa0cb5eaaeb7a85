// PostGIS adapter of the extractor: the zones go into a schema of their own (COPY), and the geometric
// questions — which zone covers which, centroids, Voronoi cells — are answered there by GEOS.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "../core/db.ts";
import { ident } from "../core/db.ts";
import { loadSql } from "../core/sql.ts";
import type { DraftZone, MultiPolygonCoords, Position, ZoneType } from "./types.ts";

const sql = (name: string) => loadSql(import.meta.url, `sql/${name}`);

export interface Workspace {
  schema: string;
  client: pg.PoolClient;
  drop(): Promise<void>;
}

/** A scratch schema on one connection (search_path set to it), dropped by `drop()`. */
export async function openWorkspace(db: Database): Promise<Workspace> {
  const schema = `cosmo_extract_${process.pid}_${randomBytes(3).toString("hex")}`;
  const client = await db.pool.connect();
  try {
    await client.query(`CREATE SCHEMA ${ident(schema)}`);
    // Batch work: no statement timeout, whatever the pool's default is.
    await client.query(`SET search_path = ${ident(schema)}, public; SET statement_timeout = 0`);
    await client.query(sql("schema.sql"));
  } catch (err) {
    client.release();
    throw err;
  }
  let dropped = false;
  return {
    schema,
    client,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
      } finally {
        client.release();
      }
    },
  };
}

function copyLine(z: DraftZone): string {
  const geojson = z.geometry ? JSON.stringify({ type: "MultiPolygon", coordinates: z.geometry }) : "\\N";
  const lon = z.center ? String(z.center[0]) : "\\N";
  const lat = z.center ? String(z.center[1]) : "\\N";
  // osm ids and GeoJSON numbers hold no tab, newline or backslash: no COPY escaping needed.
  return `${z.id}\t${z.osmType}:${z.osmNumericId}\t${geojson}\t${lon}\t${lat}\n`;
}

/** COPY every zone in, build geometries, index them. */
export async function loadZones(ws: Workspace, zones: DraftZone[]): Promise<void> {
  const stream = ws.client.query(copyFrom("COPY zones_in (id, osm_id, geojson, lon, lat) FROM STDIN"));
  await pipeline(
    Readable.from(
      (function* () {
        for (const z of zones) yield copyLine(z);
      })(),
    ),
    stream,
  );
  await ws.client.query(sql("load.sql"));
}

/** zone id → ids of the zones covering it, most specific (smallest area) first. */
export async function findInclusions(ws: Workspace): Promise<Map<number, number[]>> {
  const { rows } = await ws.client.query<{ zone: number; container: number }>(sql("inclusions.sql"));
  const out = new Map<number, number[]>();
  for (const r of rows) {
    const list = out.get(r.zone);
    if (list) list.push(r.container);
    else out.set(r.zone, [r.container]);
  }
  return out;
}

export async function centroids(ws: Workspace): Promise<Map<number, Position>> {
  const { rows } = await ws.client.query<{ id: number; lon: number; lat: number }>(sql("centroids.sql"));
  return new Map(rows.map((r) => [r.id, [r.lon, r.lat] as Position]));
}

export async function setTypes(ws: Workspace, zones: DraftZone[]): Promise<void> {
  const typed = zones.filter((z) => z.zoneType !== null);
  await ws.client.query(sql("set-types.sql"), [typed.map((z) => z.id), typed.map((z) => z.zoneType as ZoneType)]);
}

/** Voronoi cells for places (id → parent id); places whose cell comes out empty are absent from the result. */
export async function voronoiCells(
  ws: Workspace,
  places: Map<number, number>,
): Promise<Map<number, MultiPolygonCoords>> {
  if (places.size === 0) return new Map();
  const ids = [...places.keys()];
  const { rows } = await ws.client.query<{ id: number; geojson: string }>(sql("voronoi.sql"), [
    ids,
    ids.map((id) => places.get(id)),
  ]);
  return new Map(rows.map((r) => [r.id, (JSON.parse(r.geojson) as { coordinates: MultiPolygonCoords }).coordinates]));
}
