// PostGIS adapter of the extractor: the zones go into a schema of their own (COPY), where GEOS checks and
// repairs their validity and answers the geometric questions — candidate containers (bbox index), centroids,
// Voronoi cells. Which candidate covers which is decided in TypeScript (covers.ts, exact), on the geometries
// as read or as repaired here.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "../core/db.ts";
import {
  decodeWkb,
  encodeFlatMultiPolygon,
  flatMultiPolygonByteSize,
  POINT_BYTES,
  SRID_WGS84,
  viewOf,
  writeFlatMultiPolygon,
  writePoint,
} from "../core/geometry/ewkb.ts";
import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { childLogger } from "../core/log.ts";
import { sqlFiles } from "../core/sql.ts";
import type { PostalBoundary } from "./build-zones.ts";
import { candidatePairs, type ZoneBox } from "./candidates.ts";
import { collectGarbage } from "./collect-garbage.ts";
import { CoversPool, type ZoneShape } from "./covers-tester.ts";
import { fromGeoJsonCoords, multiPolygonBBox } from "./geometry.ts";
import { type Candidate, type CoversTester, groupByContainer, resolveInclusions } from "./inclusion-plan.ts";
import type { SpilledGeometries } from "./spill.ts";
import { type DraftZone, hasBoundary, type MultiPolygonCoords, type Position, type ZoneType } from "./types.ts";

const log = childLogger("extract");
const sql = sqlFiles(import.meta.url);

export interface Workspace {
  schema: string;
  client: pg.PoolClient;
  /** The zones loaded (loadZones), by id: the inclusion tests run on their geometries. */
  zones: Map<number, DraftZone>;
  /** Area of each zone's valid boundary (loadZones; none for place zones), to order containers. */
  areas: Map<number, number>;
  drop(): Promise<void>;
}

/** Drops the scratch schemas of extractions that died without dropping theirs; returns their names. */
export async function dropStaleWorkspaces(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ schema: string }>(sql("stale-workspaces.sql"));
  for (const { schema } of rows) {
    try {
      await client.query(sql("workspace-drop.sql", { schema }));
    } finally {
      await client.query(sql("workspace-unlock.sql"), [schema]);
    }
  }
  if (rows.length) log.info({ schemas: rows.map((r) => r.schema) }, "dropped scratch schemas of dead extractions");
  return rows.map((r) => r.schema);
}

/**
 * A scratch schema on one connection (search_path set to it), dropped by `drop()`. The connection holds an
 * advisory lock on the schema's name while it lives, so that a later run can tell a crashed run's leftover
 * (dropped here first) from a run in progress, on this host or another one sharing the database.
 */
export async function openWorkspace(db: Database): Promise<Workspace> {
  const schema = `cosmo_extract_${process.pid}_${randomBytes(3).toString("hex")}`;
  const client = await db.pool.connect();
  try {
    await dropStaleWorkspaces(client);
    // locked before it exists: no cleanup elsewhere can take it for a leftover
    await client.query(sql("workspace-lock.sql"), [schema]);
    await client.query(sql("workspace-create.sql", { schema }));
    await client.query(sql("workspace-settings.sql", { schema }));
    await client.query(sql("schema.sql"));
  } catch (err) {
    await client.query(sql("workspace-unlock.sql"), [schema]).catch(() => undefined);
    client.release();
    throw err;
  }
  let dropped = false;
  return {
    schema,
    client,
    zones: new Map(),
    areas: new Map(),
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        // COSMO_EXTRACT_KEEP_SCHEMA=1 leaves the scratch schema for inspection (workspace-keep.sql).
        if (process.env.COSMO_EXTRACT_KEEP_SCHEMA) await client.query(sql("workspace-keep.sql", { schema }));
        else await client.query(sql("workspace-drop.sql", { schema }));
      } finally {
        await client.query(sql("workspace-unlock.sql"), [schema]).catch(() => undefined);
        await client.query(sql("workspace-reset.sql")).catch(() => undefined);
        client.release();
      }
    },
  };
}

// Binary COPY (PostgreSQL's own format): the geometry goes in as raw EWKB, sparing the hex encoding here
// and the hex parsing in the server (twice the bytes on the wire).
const COPY_SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

function copyHeader(): Buffer {
  const b = Buffer.alloc(COPY_SIGNATURE.length + 8);
  COPY_SIGNATURE.copy(b, 0);
  return b; // flags 0, header extension length 0
}

function copyTuple(z: DraftZone): Buffer {
  const osmId = Buffer.from(`${z.osmType}:${z.osmNumericId}`, "utf8");
  const geomSize = z.geometry ? flatMultiPolygonByteSize(z.geometry) : 0;
  const centerSize = z.center ? POINT_BYTES : 0;
  const b = Buffer.allocUnsafe(2 + 8 + 4 + osmId.length + 4 + geomSize + 4 + centerSize);
  const view = viewOf(b);
  let o = b.writeInt16BE(4, 0);
  o = b.writeInt32BE(4, o);
  o = b.writeInt32BE(z.id, o);
  o = b.writeInt32BE(osmId.length, o);
  o += osmId.copy(b, o);
  // EWKB straight into the tuple (no intermediate buffer: boundaries are most of the bytes)
  if (z.geometry) o = writeFlatMultiPolygon(view, b.writeInt32BE(geomSize, o), z.geometry, SRID_WGS84);
  else o = b.writeInt32BE(-1, o);
  if (z.center) writePoint(view, b.writeInt32BE(centerSize, o), z.center[0], z.center[1], SRID_WGS84);
  else b.writeInt32BE(-1, o);
  return b;
}

/**
 * Run `query` once per slice, slice i getting `params(i)`, on `slices` connections at once (the scratch
 * tables are ordinary tables, visible to every session once committed): the geometric SQL is CPU-bound
 * and PostgreSQL does not parallelise these statements by itself.
 */
async function runSliced<R extends pg.QueryResultRow>(
  ws: Workspace,
  db: Database,
  slices: number,
  query: string,
  params: (i: number) => unknown[],
): Promise<R[][]> {
  const extra = await sessionClients(ws, db, Math.max(1, slices) - 1);
  const clients = [ws.client, ...extra];
  try {
    return await Promise.all(clients.map(async (client, i) => (await client.query<R>(query, params(i))).rows));
  } finally {
    await releaseSessionClients(extra);
  }
}

/**
 * COPY every zone in, check the geometries (in `parallel` slices) and repair the invalid ones, index them.
 * The workspace keeps `zones` for the covers tests. `zones` is iterated once, as the COPY goes: given as a
 * generator that builds them (build-zones.ts zonesBuilt), the server stores each zone while the next are built.
 */
export async function loadZones(
  ws: Workspace,
  db: Database,
  zones: Iterable<DraftZone> | AsyncIterable<DraftZone>,
  parallel = 1,
): Promise<void> {
  const t0 = Date.now();
  const stream = ws.client.query(copyFrom(sql("copy-zones.sql")));
  await pipeline(
    Readable.from(
      (async function* () {
        yield copyHeader();
        for await (const z of zones) {
          ws.zones.set(z.id, z);
          yield copyTuple(z);
        }
        yield Buffer.from([0xff, 0xff]); // trailer
      })(),
    ),
    stream,
  );
  const tCopy = Date.now();
  const slices = Math.max(1, parallel);
  const checked = await runSliced<{ id: number; is_valid: boolean; area: number }>(
    ws,
    db,
    slices,
    sql("validate.sql"),
    (i) => [slices, i],
  );
  const invalid: number[] = [];
  for (const rows of checked) {
    for (const r of rows) {
      ws.areas.set(r.id, r.area);
      if (!r.is_valid) invalid.push(r.id);
    }
  }
  if (invalid.length > 0) {
    const repaired = await ws.client.query<{ id: number; area: number }>(sql("repair.sql"), [invalid]);
    for (const r of repaired.rows) ws.areas.set(r.id, r.area);
  }
  const tValid = Date.now();
  await ws.client.query(sql("index.sql"));
  log.info(
    {
      copySeconds: (tCopy - t0) / 1000,
      validSeconds: (tValid - tCopy) / 1000,
      indexSeconds: (Date.now() - tValid) / 1000,
    },
    "zones loaded: COPY, validity, indexes",
  );
}

/** A repaired boundary read back from PostGIS (Polygon or MultiPolygon WKB) as flat rings. */
function flatFromWkb(wkb: Buffer): FlatMultiPolygon {
  const g = decodeWkb(wkb);
  if (g.type === "Point") throw new Error("WKB geometry type 1: a (multi)polygon was expected");
  return fromGeoJsonCoords(g.type === "Polygon" ? [g.coordinates] : g.coordinates);
}

/** Which engine decides the covers tests of the inclusion search (see findInclusions). */
export type CoversEngine = "exact" | "geos";

/**
 * zone id → ids of the zones covering it, most specific (smallest area) first. The candidate pairs come
 * from the boxes (candidates.ts); the covers tests, chosen by `resolveInclusions` (transitivity spares most of them),
 * run on the geometries as read, or as PostGIS repaired them:
 *   - "exact" (default): in TypeScript on this thread and `parallel - 1` workers (covers-tester.ts: exact
 *     orientation predicates, and much faster than GEOS 3.11's relate on the boundaries zones share with
 *     their containers); checked against GEOS on the fixtures and the benchmark grid (no difference);
 *   - "geos": ST_Covers in PostGIS, as upstream cosmogony (GEOS covers), split over `parallel` connections.
 * `spilled`: where the zones whose rings left memory after the load (DraftZone.ringsSpilled) have them; the exact
 * tests then run group of candidate components by group (`inComponents`), each group's rings read back for it
 * (`spilled.groups` is set to the number of groups).
 */
export async function findInclusions(
  ws: Workspace,
  db: Database,
  parallel = 1,
  engine: CoversEngine = "exact",
  spilled?: { rings: SpilledGeometries; groupVertices: number; groups?: number },
): Promise<Map<number, number[]>> {
  const t0 = Date.now();
  const repaired = new Map<number, FlatMultiPolygon | null>();
  /** Rings of spilled zones read back for the group of components under test. */
  const readBack = new Map<number, FlatMultiPolygon>();
  const shape = (id: number): ZoneShape => {
    const z = ws.zones.get(id);
    let area = repaired.has(id) ? (repaired.get(id) ?? null) : (z?.geometry ?? null);
    if (area === null && z?.ringsSpilled && !repaired.has(id)) {
      area = readBack.get(id) ?? null;
      if (area === null) throw new Error(`inclusions: zone ${id}'s rings were not read back for its test`);
    }
    return { area, point: z?.center ?? null };
  };
  // started first: the workers load their code while the candidates are found
  const tester = engine === "geos" ? await geosCoversTester(ws, db, parallel) : new CoversPool(shape, parallel);
  let rows: Candidate[];
  try {
    for (const r of (await ws.client.query<{ id: number; wkb: Buffer | null }>(sql("repaired.sql"))).rows) {
      repaired.set(r.id, r.wkb ? flatFromWkb(r.wkb) : null);
    }
    const boxes: ZoneBox[] = [];
    for (const [id, z] of ws.zones) {
      // a zone's bbox is its boundary's as read (zones.ts); a repaired boundary's is computed again
      const repair = repaired.get(id);
      const bbox = repair !== undefined ? (repair ? multiPolygonBBox(repair) : null) : z.bbox;
      boxes.push({ id, bbox, point: hasBoundary(z) ? null : z.center });
    }
    rows = candidatePairs(boxes);
  } catch (err) {
    await tester.close();
    throw err;
  }
  const area = (id: number) => ws.areas.get(id) ?? 0;
  const tCandidates = Date.now();
  let tests = 0;
  let batches = 0;
  let groups = 1;
  let out: Map<number, number[]>;
  const search = (candidates: Candidate[]) =>
    resolveInclusions(candidates, area, (pairs) => {
      tests += pairs.length;
      batches++;
      return tester.test(pairs);
    });
  try {
    if (spilled && engine === "exact") {
      const forget = "forgetContainers" in tester ? () => tester.forgetContainers() : async () => {};
      const r = await inComponents(rows, spilled.rings, spilled.groupVertices, readBack, search, forget);
      out = r.inclusions;
      groups = r.groups;
      spilled.groups = r.groups;
    } else out = await search(rows);
  } finally {
    await tester.close();
  }
  // the rings read back (inComponents' buffer, an eighth of the budget) are garbage now, but only a major collection
  // frees them, and the steps after allocate too little to run one soon (GRID 8: 65 MB held into the labels)
  if (spilled && engine === "exact") collectGarbage();
  log.info(
    {
      engine,
      candidates: rows.length,
      repaired: repaired.size,
      tests,
      batches,
      groups,
      candidatesSeconds: (tCandidates - t0) / 1000,
      testsSeconds: (Date.now() - tCandidates) / 1000,
    },
    "inclusions: covers tests run",
  );
  return out;
}

/**
 * The inclusion search run over the candidate pairs' connected components (a zone and its candidate containers
 * are always in one: a country with its subdivisions), components gathered into groups of at most `groupVertices`
 * spilled positions (a larger component is a group of its own), each group's spilled rings read back into
 * `readBack` for its search: views of one shared buffer (which the covers workers read in place), sized to the
 * largest group and overwritten by the next group's rings. So the rings in `readBack` are valid during their group's
 * search only: the map is emptied after it, and `groupDone` must make every thread drop what it kept of them
 * (CoversPool.forgetContainers: its container indexes are views of the buffer). The same
 * answer as one search over every pair: a zone's tests and implications only involve its own component; the map
 * is rebuilt in the order one search gives (zones by their first candidate pair).
 */
export async function inComponents(
  rows: Candidate[],
  rings: SpilledGeometries,
  groupVertices: number,
  readBack: Map<number, FlatMultiPolygon>,
  search: (rows: Candidate[]) => Promise<Map<number, number[]>>,
  groupDone: () => Promise<void>,
): Promise<{ inclusions: Map<number, number[]>; groups: number }> {
  let ids = 0;
  for (const r of rows) ids = Math.max(ids, r.container + 1, r.zone + 1);
  const up = Int32Array.from({ length: ids }, (_, i) => i);
  const root = (x: number): number => {
    let r = x;
    while (up[r] !== r) {
      up[r] = up[up[r]];
      r = up[r];
    }
    return r;
  };
  for (const r of rows) {
    const a = root(r.container);
    const b = root(r.zone);
    if (a !== b) up[Math.max(a, b)] = Math.min(a, b);
  }
  const components = new Map<number, Candidate[]>();
  for (const r of rows) {
    const k = root(r.zone);
    const list = components.get(k);
    if (list) list.push(r);
    else components.set(k, [r]);
  }

  // the groups first, so that one buffer, sized to the largest, takes every group's rings in turn
  const planned: { pairs: Candidate[]; members: Set<number>; vertices: number }[] = [];
  let group = { pairs: [] as Candidate[], members: new Set<number>(), vertices: 0 };
  for (const pairs of components.values()) {
    const ids = new Set<number>();
    for (const r of pairs) {
      ids.add(r.container);
      ids.add(r.zone);
    }
    let v = 0;
    for (const id of ids) v += rings.vertexCount(id);
    if (group.vertices > 0 && group.vertices + v > groupVertices) {
      planned.push(group);
      group = { pairs: [], members: new Set(), vertices: 0 };
    }
    for (const r of pairs) group.pairs.push(r);
    for (const id of ids) group.members.add(id);
    group.vertices += v;
  }
  if (group.pairs.length > 0) planned.push(group);

  // One buffer for every group, not one a group: a group's buffer would be freed only once every thread has
  // collected every view of it, and a view can outlive the collection of groupDone (a heap snapshot at GRID 8 found
  // the closure context of the covers pool's last batch, which holds its rings, kept by V8's own roots, not by any
  // object): then the next group's buffer was made beside it, at GRID 24 two of 128 MB at once, the extract's peak
  // RSS. A group's rings overwrite the last one's once all its tests are done and every thread dropped its indexes.
  const largest = planned.reduce((m, g) => Math.max(m, g.vertices), 0);
  const buffer = new Float64Array(new SharedArrayBuffer(16 * largest));
  const found = new Map<number, number[]>();
  for (const g of planned) {
    let used = 0;
    const into = (numbers: number) => {
      const ring = buffer.subarray(used, used + numbers);
      used += numbers;
      return ring;
    };
    for (const id of g.members) if (rings.has(id)) readBack.set(id, rings.read(id, { into }));
    try {
      for (const [zone, containers] of await search(g.pairs)) found.set(zone, containers);
    } finally {
      readBack.clear();
    }
    await groupDone();
  }

  const inclusions = new Map<number, number[]>();
  for (const r of rows) {
    const containers = found.get(r.zone);
    if (containers && !inclusions.has(r.zone)) inclusions.set(r.zone, containers);
  }
  return { inclusions, groups: planned.length };
}

/**
 * Covers tests by ST_Covers (covers.sql) on `parallel` connections. A container's tests stay on one
 * connection (its prepared form is reused); containers go, largest group first, to the connection with the
 * fewest tests so far, so that no connection idles.
 */
async function geosCoversTester(
  ws: Workspace,
  db: Database,
  parallel: number,
): Promise<{ test: CoversTester; close(): Promise<void> }> {
  const extra = await sessionClients(ws, db, Math.max(1, parallel) - 1);
  const clients = [ws.client, ...extra];
  const coversSql = sql("covers.sql");
  const test: CoversTester = async (pairs) => {
    const groups = groupByContainer(pairs);
    const slices: Candidate[][] = clients.map(() => []);
    for (const g of [...groups.values()].sort((a, b) => b.length - a.length || a[0].container - b[0].container)) {
      let best = 0;
      for (let i = 1; i < slices.length; i++) if (slices[i].length < slices[best].length) best = i;
      for (const p of g) slices[best].push(p);
    }
    const parts = await Promise.all(
      slices.map(async (slice, i) => {
        if (slice.length === 0) return [];
        slice.sort((a, b) => a.container - b.container || a.zone - b.zone);
        const r = await clients[i].query<Candidate>(coversSql, [
          slice.map((p) => p.container),
          slice.map((p) => p.zone),
        ]);
        return r.rows;
      }),
    );
    return parts.flat();
  };
  return { test, close: () => releaseSessionClients(extra) };
}

/** `n` more connections working in the scratch schema. */
async function sessionClients(ws: Workspace, db: Database, n: number): Promise<pg.PoolClient[]> {
  const out: pg.PoolClient[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const client = await db.pool.connect();
      out.push(client);
      await client.query(sql("workspace-settings.sql", { schema: ws.schema }));
    }
  } catch (err) {
    await releaseSessionClients(out);
    throw err;
  }
  return out;
}

async function releaseSessionClients(clients: pg.PoolClient[]): Promise<void> {
  for (const client of clients) {
    await client.query(sql("workspace-reset.sql")).catch(() => undefined);
    client.release();
  }
}

/** Every covering pair, each candidate tested (inclusions.sql): the reference `findInclusions` must match. */
export async function findInclusionsExhaustive(ws: Workspace): Promise<Map<number, number[]>> {
  const { rows } = await ws.client.query<Candidate>(sql("inclusions.sql"), [1, 0]);
  const out = new Map<number, number[]>();
  for (const r of rows) {
    const l = out.get(r.zone);
    if (l) l.push(r.container);
    else out.set(r.zone, [r.container]);
  }
  const area = (id: number) => ws.areas.get(id) ?? 0;
  for (const l of out.values()) l.sort((a, b) => area(a) - area(b) || a - b);
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

/**
 * Voronoi cells for places (id → parent id); places whose cell comes out empty are absent from the result.
 * Places are split by parent zone over `parallel` connections (a parent's places stay together).
 */
export async function voronoiCells(
  ws: Workspace,
  db: Database,
  places: Map<number, number>,
  parallel = 1,
): Promise<Map<number, FlatMultiPolygon>> {
  if (places.size === 0) return new Map();
  const slices = Math.max(1, Math.min(parallel, places.size));
  const ids: number[][] = Array.from({ length: slices }, () => []);
  for (const [id, parent] of places) ids[parent % slices].push(id);
  const parts = await runSliced<{ id: number; geojson: string }>(ws, db, slices, sql("voronoi.sql"), (i) => [
    ids[i],
    ids[i].map((id) => places.get(id)),
  ]);
  const out = new Map<number, FlatMultiPolygon>();
  for (const rows of parts) {
    for (const r of rows) {
      out.set(r.id, fromGeoJsonCoords((JSON.parse(r.geojson) as { coordinates: MultiPolygonCoords }).coordinates));
    }
  }
  return out;
}

/**
 * Zip codes from postal-code boundaries (postcodes.sql, upstream's rule: more than 5 % of a postal-code area
 * inside the zone) for the zones `zoneIds` (zones with a boundary and no zip tag), their ids split over
 * `parallel` connections. zone id → its codes, sorted, each once; zones that get none are absent.
 */
export async function postalCodes(
  ws: Workspace,
  db: Database,
  boundaries: PostalBoundary[],
  zoneIds: number[],
  parallel = 1,
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (boundaries.length === 0 || zoneIds.length === 0) return out;
  const ewkb = boundaries.map((b) => encodeFlatMultiPolygon(b.geometry));
  await ws.client.query(sql("postcodes-load.sql"), [
    boundaries.map((_, i) => i),
    boundaries.map((b) => b.codes.join(";")),
    ewkb,
  ]);
  const slices = Math.max(1, Math.min(parallel, zoneIds.length));
  const ids: number[][] = Array.from({ length: slices }, () => []);
  for (const id of zoneIds) ids[id % slices].push(id);
  const parts = await runSliced<{ id: number; codes: string[] }>(ws, db, slices, sql("postcodes.sql"), (i) => [ids[i]]);
  for (const rows of parts) {
    for (const r of rows) out.set(r.id, [...new Set(r.codes.flatMap((c) => c.split(";")))].sort());
  }
  return out;
}
