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
import { multiPolygonEwkb } from "./ewkb.ts";
import { fromGeoJsonCoords } from "./geometry.ts";
import type { DraftZone, FlatMultiPolygon, MultiPolygonCoords, Position, ZoneType } from "./types.ts";

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
        // COSMO_EXTRACT_KEEP_SCHEMA=1 leaves the scratch schema for inspection (EXPLAIN, debugging).
        if (!process.env.COSMO_EXTRACT_KEEP_SCHEMA)
          await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
      } finally {
        client.release();
      }
    },
  };
}

function copyLine(z: DraftZone): string {
  const ewkb = z.geometry ? multiPolygonEwkb(z.geometry).toString("hex") : "\\N";
  const lon = z.center ? String(z.center[0]) : "\\N";
  const lat = z.center ? String(z.center[1]) : "\\N";
  // osm ids, hex and numbers hold no tab, newline or backslash: no COPY escaping needed.
  return `${z.id}\t${z.osmType}:${z.osmNumericId}\t${ewkb}\t${lon}\t${lat}\n`;
}

/** COPY every zone in, build geometries, index them. */
export async function loadZones(ws: Workspace, zones: DraftZone[]): Promise<void> {
  const stream = ws.client.query(copyFrom("COPY zones_in (id, osm_id, geom, lon, lat) FROM STDIN"));
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

/**
 * zone id → ids of the zones covering it, most specific (smallest area) first. The covers tests dominate the
 * run time on large inputs: they are split over `parallel` connections (the scratch tables are ordinary
 * tables, visible to every session once committed).
 */
export async function findInclusions(ws: Workspace, db: Database, parallel = 1): Promise<Map<number, number[]>> {
  const slices = Math.max(1, parallel);
  const query = sql("inclusions.sql");
  const runSlice = async (i: number) => {
    if (i === 0) return (await ws.client.query<{ zone: number; container: number }>(query, [slices, 0])).rows;
    const client = await db.pool.connect();
    try {
      await client.query(`SET search_path = ${ident(ws.schema)}, public; SET statement_timeout = 0`);
      return (await client.query<{ zone: number; container: number }>(query, [slices, i])).rows;
    } finally {
      await client.query("RESET search_path; RESET statement_timeout").catch(() => undefined);
      client.release();
    }
  };
  const parts = await Promise.all(Array.from({ length: slices }, (_, i) => runSlice(i)));
  const pairs = new Map<number, { container: number; area: number }[]>();
  const area = await zoneAreas(ws);
  for (const rows of parts) {
    for (const r of rows) {
      const list = pairs.get(r.zone);
      const item = { container: r.container, area: area.get(r.container) ?? 0 };
      if (list) list.push(item);
      else pairs.set(r.zone, [item]);
    }
  }
  const out = new Map<number, number[]>();
  for (const [zone, list] of pairs) {
    list.sort((a, b) => a.area - b.area || a.container - b.container);
    out.set(
      zone,
      list.map((x) => x.container),
    );
  }
  return out;
}

async function zoneAreas(ws: Workspace): Promise<Map<number, number>> {
  const { rows } = await ws.client.query<{ id: number; area: number }>("SELECT id, area FROM zones");
  return new Map(rows.map((r) => [r.id, r.area]));
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
export async function voronoiCells(ws: Workspace, places: Map<number, number>): Promise<Map<number, FlatMultiPolygon>> {
  if (places.size === 0) return new Map();
  const ids = [...places.keys()];
  const { rows } = await ws.client.query<{ id: number; geojson: string }>(sql("voronoi.sql"), [
    ids,
    ids.map((id) => places.get(id)),
  ]);
  return new Map(
    rows.map((r) => [
      r.id,
      fromGeoJsonCoords((JSON.parse(r.geojson) as { coordinates: MultiPolygonCoords }).coordinates),
    ]),
  );
}
