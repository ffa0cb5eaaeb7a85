// Bulk locate, shared by `cosmo locate` and POST /zones/locate, and the one shape of a located point, as a JSON
// object (JSON lines, HTTP) or a CSV row.
// A batch of points is located in three steps: the in-memory index of the version's lookup pieces
// (piece-index.ts) lists the pieces whose box holds each point, and answers itself the pairs of a point well inside
// a piece that is exactly its box (PieceIndex.surelyCovers, ~30 % of the pairs on the grid); one SQL round trip
// tests the other (piece, point) pairs exactly (covered-pairs.sql, the test of covering-pieces.sql: the answer is
// ST_Covers on the full boundary); the covering zones are sorted and described from the version's zone table held
// in memory (zone-table.ts). Both structures are loaded once per version and process, on first use (the piece
// index from its file when it has one: piece-index.ts says how long each stays valid).
import type pg from "pg";
import { ZONE_TYPES } from "../../core/cosmogony/model.ts";
import { CosmoError, EXIT } from "../../core/errors.ts";
import type { ServedRef } from "../../core/serving/served-dataset.ts";
import { loadSql } from "../../core/sql.ts";
import { pieceCoversSql } from "../queries.ts";
import { csvField } from "./files.ts";
import { loadPieceIndex, type PieceIndex, type PieceIndexOptions } from "./piece-index.ts";
import type { LocatePoint } from "./points.ts";
import { type LocatedZone, ZoneTable } from "./zone-table.ts";

export type { LocatedZone } from "./zone-table.ts";

/** Points per SQL round trip: large enough that the round trip is nothing, small enough to stream. */
export const LOCATE_BATCH = 5000;

export interface LocateOptions {
  /** Every covering zone with its name (smallest first) instead of one zone id per type. */
  hierarchy: boolean;
  /** Language of the names (`name:<lang>` tag, else the zone's name). */
  lang?: string;
  /** Where the versions' piece indexes are kept across runs (config api.locateIndexDir); unset: not kept. */
  indexDir?: string;
}

/** A located point: `zones` (type → id of the smallest zone of that type, null if none) or `hierarchy`. */
export type LocateRecord = LocatePoint & ({ zones: Record<string, number | null> } | { hierarchy: LocatedZone[] });

const TYPES = [...ZONE_TYPES];
const NO_ZONE_OF_ANY_TYPE: Readonly<Record<string, number | null>> = Object.fromEntries(TYPES.map((t) => [t, null]));

interface Locator {
  pieces: PieceIndex;
  zones: ZoneTable;
}

/** Versions whose locator a process keeps (the served one, and the one before it while a switch settles). */
const MAX_VERSIONS = 2;
const locators = new WeakMap<pg.Pool, Map<string, Promise<Locator>>>();

/** A version without the lookup structure (imported before it existed) cannot be located in. */
function missingLookup(err: unknown, ref: ServedRef): unknown {
  if ((err as { code?: string }).code !== "42P01") return err;
  return new CosmoError(
    `dataset version ${ref.version} has no point lookup structure (imported before it existed): ` +
      `publish it (cosmo publish ${ref.version}) to build it, or locate in another version`,
    { exitCode: EXIT.input, cause: err },
  );
}

function locatorFor(pool: pg.Pool, ref: ServedRef, index: PieceIndexOptions): Promise<Locator> {
  let byVersion = locators.get(pool);
  if (!byVersion) {
    byVersion = new Map();
    locators.set(pool, byVersion);
  }
  let loc = byVersion.get(ref.schema);
  if (!loc) {
    if (byVersion.size >= MAX_VERSIONS) byVersion.delete(byVersion.keys().next().value as string);
    const loading = Promise.all([loadPieceIndex(pool, ref, index), ZoneTable.load(pool, ref)]).then(
      ([pieces, zones]) => ({ pieces, zones }),
      (err) => {
        throw missingLookup(err, ref);
      },
    );
    loc = loading;
    const versions = byVersion;
    loading.catch(() => {
      if (versions.get(ref.schema) === loading) versions.delete(ref.schema);
    });
    byVersion.set(ref.schema, loading);
  }
  return loc;
}

/** Loads the version's locate structures now (the CLI, before the first batch), not at the first batch. */
export async function prepareLocate(pool: pg.Pool, ref: ServedRef, indexDir?: string): Promise<void> {
  await locatorFor(pool, ref, { dir: indexDir });
}

function forget(pool: pg.Pool, ref: ServedRef, loc: Promise<Locator>): void {
  const byVersion = locators.get(pool);
  if (byVersion?.get(ref.schema) === loc) byVersion.delete(ref.schema);
}

/** PostgreSQL's type ids of the array elements below, named in an array's binary form. */
const TID_OID = 27;
const INT8_OID = 20;
const FLOAT8_OID = 701;

/**
 * A one-dimensional array parameter without nulls in PostgreSQL's binary form (pg sends a Buffer as a binary
 * parameter; the statement's cast, `$1::tid[]`, gives it its type), each element written by `write` at `at`.
 * Text literals cost Node a shortest-form conversion of every coordinate to text and a string per ctid (the
 * largest part of its work per point after the output), and PostgreSQL a parse of each.
 */
function binaryArray(
  oid: number,
  elementBytes: number,
  n: number,
  write: (v: DataView, at: number, k: number) => void,
): Buffer {
  const b = Buffer.allocUnsafe(20 + n * (4 + elementBytes));
  // a DataView writes big-endian values without Buffer's argument checks of each write (a few % of Node's work)
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  v.setInt32(0, 1); // dimensions
  v.setInt32(4, 0); // no nulls
  v.setInt32(8, oid);
  v.setInt32(12, n);
  v.setInt32(16, 1); // lower bound
  for (let k = 0, at = 20; k < n; k++, at += 4 + elementBytes) {
    v.setInt32(at, elementBytes);
    write(v, at + 4, k);
  }
  return b;
}

/** A float8[] parameter: every double exactly as it is. */
export function float8ArrayParam(values: number[]): Buffer {
  return binaryArray(FLOAT8_OID, 8, values.length, (v, at, k) => v.setFloat64(at, values[k] as number));
}

/**
 * The (piece, point) pairs of a batch PostgreSQL must test: the piece, and the point's index and coordinates, for
 * each pair; and the points the index itself found covered (`surePoint[j]` by the zone of piece `surePiece[j]`).
 */
export interface Pairs {
  pieces: number[];
  lons: number[];
  lats: number[];
  point: number[];
  surePoint: number[];
  surePiece: number[];
}

export function candidatePairs(index: PieceIndex, points: LocatePoint[]): Pairs {
  const pairs: Pairs = { pieces: [], lons: [], lats: [], point: [], surePoint: [], surePiece: [] };
  for (let k = 0; k < points.length; k++) {
    const { lon, lat } = points[k] as LocatePoint;
    const found = index.candidates(lon, lat);
    // the zones a box piece answered for this point: their other pieces have nothing to add (a point's zones
    // are a set), and are not sent
    let sure: number[] | null = null;
    for (let c = 0; c < found.length; c++) {
      const piece = found[c] as number;
      if (!index.surelyCovers(piece, lon, lat)) continue;
      const zone = index.zoneId(piece);
      if (sure === null) sure = [zone];
      else if (sure.includes(zone)) continue;
      else sure.push(zone);
      pairs.surePoint.push(k);
      pairs.surePiece.push(piece);
    }
    for (let c = 0; c < found.length; c++) {
      const piece = found[c] as number;
      if (sure?.includes(index.zoneId(piece))) continue;
      pairs.pieces.push(piece);
      pairs.lons.push(lon);
      pairs.lats.push(lat);
      pairs.point.push(k);
    }
  }
  return pairs;
}

const coveredPairsSql = new Map<string, string>();

function coveredPairs(pool: pg.Pool, ref: ServedRef, index: PieceIndex, pairs: Pairs): Promise<string> {
  let text = coveredPairsSql.get(ref.schema);
  if (!text) {
    const piece_covers = pieceCoversSql(ref.schema, "u.g");
    text = loadSql(import.meta.url, "sql/covered-pairs.sql", { schema: ref.schema, piece_covers });
    coveredPairsSql.set(ref.schema, text);
  }
  const n = pairs.pieces.length;
  const ctids = binaryArray(TID_OID, 6, n, (v, at, k) => {
    const piece = pairs.pieces[k] as number;
    v.setUint32(at, index.block(piece));
    v.setUint16(at + 4, index.offset(piece));
  });
  const zoneIds = binaryArray(INT8_OID, 8, n, (v, at, k) => {
    // zone ids are below 2^53: two halves, no BigInt per pair
    const id = index.zoneId(pairs.pieces[k] as number);
    const high = Math.floor(id / 2 ** 32);
    v.setInt32(at, high);
    v.setUint32(at + 4, id - high * 2 ** 32);
  });
  return pool
    .query<{ covered: string }>(text, [ctids, zoneIds, float8ArrayParam(pairs.lons), float8ArrayParam(pairs.lats)])
    .then(
      ({ rows }) => (rows[0] as { covered: string }).covered,
      (err) => {
        throw missingLookup(err, ref);
      },
    );
}

const COVERED = "1".charCodeAt(0);
const NO_ZONES: readonly number[] = Object.freeze([]) as readonly number[];

/** The ranks (zone-table.ts) of the zones covering each point, smallest first. */
async function coveringRanks(
  pool: pg.Pool,
  ref: ServedRef,
  points: LocatePoint[],
  indexDir: string | undefined,
): Promise<{ ranks: number[][]; zones: ZoneTable }> {
  for (let attempt = 1; ; attempt++) {
    // after a stale index, the table is read again, not a file of it
    const loading = locatorFor(pool, ref, { dir: indexDir, fresh: attempt > 1 });
    const { pieces, zones } = await loading;
    // most points are in no zone: they share one empty list
    const ranks: number[][] = new Array(points.length).fill(NO_ZONES);
    const pairs = candidatePairs(pieces, points);
    const covered = pairs.point.length === 0 ? "" : await coveredPairs(pool, ref, pieces, pairs);
    if (covered.length !== pairs.point.length) {
      // a piece is no longer where the index saw it: the version's pieces were rebuilt since it was loaded
      forget(pool, ref, loading);
      if (attempt === 2)
        throw new Error(`the lookup pieces of dataset version ${ref.version} changed twice while locating`);
      continue;
    }
    const add = (piece: number, point: number) => {
      const zoneId = pieces.zoneId(piece);
      const rank = zones.rank(zoneId);
      if (rank === undefined) throw new Error(`lookup piece of zone ${zoneId}, not a zone of version ${ref.version}`);
      const own = ranks[point] as number[];
      if (own === NO_ZONES) ranks[point] = [rank];
      // a point on the cut between two pieces of one zone is covered by both
      else if (!own.includes(rank)) own.push(rank);
    };
    for (let j = 0; j < pairs.surePoint.length; j++) add(pairs.surePiece[j] as number, pairs.surePoint[j] as number);
    for (let pair = 0; pair < covered.length; pair++)
      if (covered.charCodeAt(pair) === COVERED) add(pairs.pieces[pair] as number, pairs.point[pair] as number);
    for (const own of ranks) if (own.length > 1) own.sort((a, b) => a - b);
    return { ranks, zones };
  }
}

/** A located batch: the covering zones of each point as ranks in the version's zone table, smallest first. */
export interface LocatedBatch {
  points: LocatePoint[];
  ranks: number[][];
  zones: ZoneTable;
  /** The zones' names in the language asked for (hierarchy only), where they have one. */
  names: Map<number, string> | null;
}

export async function locateRanks(
  pool: pg.Pool,
  ref: ServedRef,
  points: LocatePoint[],
  opts: LocateOptions,
): Promise<LocatedBatch> {
  const { ranks, zones } = await coveringRanks(pool, ref, points, opts.indexDir);
  const names = opts.hierarchy && opts.lang ? await zones.namesIn(opts.lang) : null;
  return { points, ranks, zones, names };
}

export async function locateBatch(
  pool: pg.Pool,
  ref: ServedRef,
  points: LocatePoint[],
  opts: LocateOptions,
): Promise<LocateRecord[]> {
  return locateRecords(await locateRanks(pool, ref, points, opts), opts);
}

function locateRecords({ points, ranks, zones, names }: LocatedBatch, opts: LocateOptions): LocateRecord[] {
  if (opts.hierarchy) {
    return points.map((p, k) => ({
      id: p.id,
      lon: p.lon,
      lat: p.lat,
      hierarchy: (ranks[k] as number[]).map((rank) => {
        const z = zones.zones[rank] as LocatedZone;
        return names ? { ...z, name: names.get(z.id) ?? z.name } : z;
      }),
    }));
  }
  return points.map((p, k) => {
    // a copy of one object of the same keys: a cheap clone (every point has this shape)
    const byType: Record<string, number | null> = { ...NO_ZONE_OF_ANY_TYPE };
    // smallest first: the first zone of each type is the most precise one
    for (const rank of ranks[k] as number[]) {
      const z = zones.zones[rank] as LocatedZone;
      if (z.zone_type && byType[z.zone_type] === null) byType[z.zone_type] = z.id;
    }
    return { id: p.id, lon: p.lon, lat: p.lat, zones: byType };
  });
}

/** Text of a located batch, the number of its points and of those in at least one zone (of a known type). */
export interface BatchText {
  text: string;
  points: number;
  located: number;
}

/** `"type":` for each zone type, in the order of a record's `zones`. */
const ZONE_KEYS = TYPES.map((t) => `${JSON.stringify(t)}:`);

/**
 * `"zones":{…}}` of a point in no zone: the same text for all of them (on random points of the grid, most points),
 * written once rather than a piece per type and point.
 */
const NO_ZONE_TEXT = `"zones":{${ZONE_KEYS.map((k) => `${k}null`).join(",")}}}`;

/** `"zones":{…}}` of a point from the rank of its first zone of each type (`first`, -1 for none). */
function zonesText(first: number[], zones: ZoneTable): string {
  let text = '"zones":{';
  for (let t = 0; t < TYPES.length; t++) {
    const rank = first[t] as number;
    text += `${t > 0 ? "," : ""}${ZONE_KEYS[t]}${rank < 0 ? "null" : (zones.zones[rank] as LocatedZone).id}`;
  }
  return `${text}}}`;
}

/**
 * The JSON records of a located batch (locateRecords()'s records as JSON.stringify writes them), each followed by
 * `separator` except the last when `last` is false: written straight from the ranks, like csvLines (the objects
 * of every record, then their stringification, were most of POST /zones/locate's work per point).
 */
function jsonRecords(batch: LocatedBatch, opts: LocateOptions, separator: string, last: boolean): BatchText {
  const { points, ranks, zones, names } = batch;
  const first = new Array<number>(TYPES.length);
  // a hierarchy repeats the same zones from point to point: each written once per batch
  const zoneTexts = opts.hierarchy ? new Map<number, string>() : null;
  let text = "";
  let located = 0;
  for (let k = 0; k < points.length; k++) {
    const p = points[k] as LocatePoint;
    const own = ranks[k] as number[];
    text += `{"id":${JSON.stringify(p.id)},"lon":${p.lon},"lat":${p.lat},`;
    if (zoneTexts) {
      text += '"hierarchy":[';
      for (let r = 0; r < own.length; r++) {
        const rank = own[r] as number;
        let zone = zoneTexts.get(rank);
        if (zone === undefined) {
          const z = zones.zones[rank] as LocatedZone;
          zone = JSON.stringify(names ? { ...z, name: names.get(z.id) ?? z.name } : z);
          zoneTexts.set(rank, zone);
        }
        text += r > 0 ? `,${zone}` : zone;
      }
      text += "]}";
      if (own.length > 0) located++;
    } else if (own.length === 0) {
      text += NO_ZONE_TEXT;
    } else {
      if (firstOfEachType(own, zones, first)) located++;
      // one string a point: its pieces joined in one template, not appended one by one
      text += zonesText(first, zones);
    }
    if (last || k < points.length - 1) text += separator;
  }
  return { text, points: points.length, located };
}

/** JSON lines, one record a point. */
export function jsonLines(batch: LocatedBatch, opts: LocateOptions): BatchText {
  return jsonRecords(batch, opts, "\n", true);
}

/** The records of located batches as the JSON array POST /zones/locate answers (`[` record, … `]`). */
export function jsonArray(batches: LocatedBatch[], opts: LocateOptions): string {
  const texts = batches.filter((b) => b.points.length > 0).map((b) => jsonRecords(b, opts, ",", false).text);
  return `[${texts.join(",")}]`;
}

/**
 * In `first`, by type slot, the rank of the point's first (smallest) zone of that type, -1 for none, from its
 * zones `own` smallest first; true when it has a zone of at least one type.
 */
function firstOfEachType(own: number[], zones: ZoneTable, first: number[]): boolean {
  first.fill(-1);
  let typed = false;
  for (let r = 0; r < own.length; r++) {
    const rank = own[r] as number;
    const t = zones.typeSlot(rank);
    if (t >= 0 && (first[t] as number) < 0) {
      first[t] = rank;
      typed = true;
    }
  }
  return typed;
}

/** CSV columns: id, lon, lat, then one per zone type (its id), and with `hierarchy` its name beside it. */
export function csvColumns(opts: LocateOptions): string[] {
  const perType = opts.hierarchy ? TYPES.flatMap((t) => [t, `${t}_name`]) : TYPES;
  return ["id", "lon", "lat", ...perType];
}

/**
 * CSV rows of csvColumns(), written straight from the ranks: a record object per point, then an array per row,
 * were most of what the garbage collector had to do in `cosmo locate` (the heaviest part of its work per point).
 * A point's zone of a type is the first (smallest) covering zone of that type.
 */
export function csvLines({ points, ranks, zones, names }: LocatedBatch, opts: LocateOptions): BatchText {
  const perType = opts.hierarchy ? 2 : 1;
  const nothing = ",".repeat(TYPES.length * perType);
  const first = new Array<number>(TYPES.length);
  let text = "";
  let located = 0;
  for (let k = 0; k < points.length; k++) {
    const p = points[k] as LocatePoint;
    text += p.csv ?? `${csvField(p.id)},${p.lon},${p.lat}`;
    const own = ranks[k] as number[];
    if (own.length === 0) {
      text += `${nothing}\n`;
      continue;
    }
    if (firstOfEachType(own, zones, first) || opts.hierarchy) located++;
    for (let t = 0; t < TYPES.length; t++) {
      const rank = first[t] as number;
      if (rank < 0) text += perType === 2 ? ",," : ",";
      else {
        const z = zones.zones[rank] as LocatedZone;
        text += `,${z.id}`;
        if (opts.hierarchy) text += `,${csvField(names?.get(z.id) ?? z.name)}`;
      }
    }
    text += "\n";
  }
  return { text, points: points.length, located };
}
