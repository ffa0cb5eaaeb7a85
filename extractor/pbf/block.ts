// Decoding of one OSMData PrimitiveBlock (osmformat.proto) with the pass's filter applied while decoding:
// ids and tag predicates are tested on string-table indices and raw varints, and strings are only turned
// into JS strings for the elements that are kept, so a pass that keeps little costs little more than
// walking the varints.

import { IdCursor } from "./idset.ts";
import { type CompiledPredicates, matchBlockStrings } from "./predicate.ts";
import { ProtoError, ProtoReader, utf8 } from "./proto.ts";
import type { All, OsmMember, OsmNode, OsmRelation, OsmWay, Tags } from "./types.ts";

/** The pass as the workers see it (plain data: IdSets are passed as their shared sorted arrays). */
export interface BlockFilter {
  relations: CompiledPredicates | null;
  ways: Float64Array | All | null;
  nodeIds: Float64Array | All | null;
  nodeTags: CompiledPredicates | null;
  /**
   * Shared arrays indexed like nodeIds: a node kept for its id has its coordinates written there (by
   * whichever worker decodes it) instead of being sent back; null: every kept node is sent back.
   */
  nodeCoordsAt?: { lon: Int32Array; lat: Int32Array } | null;
  /** Keys whose presence in a peeked block's string table is reported (Pass.peekKeys). */
  peekKeys?: string[] | null;
}

/** Element kinds found in a block (used to skip blocks in later passes over the same file). */
export const KIND_NODE = 1;
export const KIND_WAY = 2;
export const KIND_RELATION = 4;

/** The element kinds a pass wants (KIND_* bits). */
export function wantedKinds(filter: BlockFilter): number {
  return (
    (filter.nodeIds !== null || filter.nodeTags !== null ? KIND_NODE : 0) |
    (filter.ways !== null ? KIND_WAY : 0) |
    (filter.relations !== null ? KIND_RELATION : 0)
  );
}

export interface BlockResult {
  kinds: number;
  /** Every kept node: id and coordinates in 1e-7 degrees (OSM's native precision). */
  coordIds: Float64Array;
  coordLon: Int32Array;
  coordLat: Int32Array;
  /** Kept nodes that carry tags. */
  nodes: OsmNode[];
  /**
   * Kept ways and relations in flat typed arrays: structured-cloning millions of numbers in JS arrays
   * across threads costs ~10× more than transferring typed arrays and building the arrays on arrival.
   */
  ways: WayBatch;
  relations: RelationBatch;
}

export interface WayBatch {
  ids: Float64Array;
  /** refs of way i are refs[ends[i-1] .. ends[i]). */
  ends: Uint32Array;
  refs: Float64Array;
  tags: Tags[];
}

export interface RelationBatch {
  ids: Float64Array;
  ends: Uint32Array;
  refs: Float64Array;
  /** 0 node, 1 way, 2 relation (osmformat.proto MemberType). */
  types: Uint8Array;
  roles: string[];
  tags: Tags[];
}

// Field keys of the osmformat.proto messages decoded here: (field number << 3) | wire type, where the wire
// type is 0 (varint) or 2 (length-delimited, which includes packed repeated fields); see WireType in proto.ts.
// They stay enums declared in this file so the switches below compile to comparisons with literals.

export enum PrimitiveBlockKey {
  StringTable = (1 << 3) | 2,
  PrimitiveGroup = (2 << 3) | 2,
  Granularity = 17 << 3,
  LatOffset = 19 << 3,
  LonOffset = 20 << 3,
}

enum StringTableKey {
  S = (1 << 3) | 2,
}

/** PrimitiveGroup's fields by number (each group holds one kind of element). */
export enum GroupField {
  Nodes = 1,
  DenseNodes = 2,
  Ways = 3,
  Relations = 4,
}

enum NodeKey {
  Id = 1 << 3,
  Keys = (2 << 3) | 2,
  Vals = (3 << 3) | 2,
  Lat = 8 << 3,
  Lon = 9 << 3,
}

enum DenseNodesKey {
  Id = (1 << 3) | 2,
  Lat = (8 << 3) | 2,
  Lon = (9 << 3) | 2,
  KeysVals = (10 << 3) | 2,
}

enum WayKey {
  Id = 1 << 3,
  Keys = (2 << 3) | 2,
  Vals = (3 << 3) | 2,
  Refs = (8 << 3) | 2,
}

enum RelationKey {
  Id = 1 << 3,
  Keys = (2 << 3) | 2,
  Vals = (3 << 3) | 2,
  RolesSid = (8 << 3) | 2,
  Memids = (9 << 3) | 2,
  Types = (10 << 3) | 2,
}

const MEMBER_TYPES: OsmMember["type"][] = ["node", "way", "relation"];
const EMPTY_WAYS: WayBatch = {
  ids: new Float64Array(0),
  ends: new Uint32Array(0),
  refs: new Float64Array(0),
  tags: [],
};
const EMPTY_RELATIONS: RelationBatch = { ...EMPTY_WAYS, types: new Uint8Array(0), roles: [] };

class Block {
  readonly buf: Uint8Array;
  strStart: Int32Array = new Int32Array(0);
  strEnd: Int32Array = new Int32Array(0);
  strCount = 0;
  private strCache: (string | undefined)[] = [];
  granularity = 100;
  latOffset = 0;
  lonOffset = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  str(i: number): string {
    if (i >= this.strCount) throw new ProtoError(`string index ${i} outside the string table (${this.strCount})`);
    let s = this.strCache[i];
    if (s === undefined) {
      s = utf8(this.buf, this.strStart[i], this.strEnd[i]);
      this.strCache[i] = s;
    }
    return s;
  }

  readStringTable(r: ProtoReader): void {
    const starts: number[] = [];
    const ends: number[] = [];
    for (let key = r.key(); key !== 0; key = r.key()) {
      if (key === StringTableKey.S) {
        starts.push(r.lengthDelimited());
        ends.push(r.pos);
      } else r.skip(key);
    }
    this.strStart = Int32Array.from(starts);
    this.strEnd = Int32Array.from(ends);
    this.strCount = starts.length;
    this.strCache = new Array(starts.length);
  }

  /** Nanodegrees → 1e-7 degree fixed point. */
  fixedLat(v: number): number {
    return Math.round((this.latOffset + this.granularity * v) / 100);
  }
  fixedLon(v: number): number {
    return Math.round((this.lonOffset + this.granularity * v) / 100);
  }
}

/** Growable scratch buffers for the kept nodes' coordinates. */
class CoordSink {
  ids = new Float64Array(1024);
  lon = new Int32Array(1024);
  lat = new Int32Array(1024);
  n = 0;
  push(id: number, lon: number, lat: number): void {
    if (this.n === this.ids.length) {
      const cap = this.n * 2;
      const ids = new Float64Array(cap);
      ids.set(this.ids);
      const lo = new Int32Array(cap);
      lo.set(this.lon);
      const la = new Int32Array(cap);
      la.set(this.lat);
      this.ids = ids;
      this.lon = lo;
      this.lat = la;
    }
    this.ids[this.n] = id;
    this.lon[this.n] = lon;
    this.lat[this.n] = lat;
    this.n++;
  }
}

/** A growable Float64Array. */
class F64 {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.n * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  take(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

class WaySink {
  ids = new F64();
  ends: number[] = [];
  refs = new F64();
  tags: Tags[] = [];
  take(): WayBatch {
    return { ids: this.ids.take(), ends: Uint32Array.from(this.ends), refs: this.refs.take(), tags: this.tags };
  }
}

class RelationSink {
  ids = new F64();
  ends: number[] = [];
  refs = new F64();
  types: number[] = [];
  roles: string[] = [];
  tags: Tags[] = [];
  take(): RelationBatch {
    return {
      ids: this.ids.take(),
      ends: Uint32Array.from(this.ends),
      refs: this.refs.take(),
      types: Uint8Array.from(this.types),
      roles: this.roles,
      tags: this.tags,
    };
  }
}

/** Builds the public objects from a block's batches (on the main thread, in file order). */
export function materializeWays(b: WayBatch, out: OsmWay[]): void {
  let start = 0;
  for (let i = 0; i < b.ids.length; i++) {
    const end = b.ends[i];
    const refs = new Array<number>(end - start);
    for (let j = start; j < end; j++) refs[j - start] = b.refs[j];
    out.push({ type: "way", id: b.ids[i], refs, tags: b.tags[i] });
    start = end;
  }
}

export function materializeRelations(b: RelationBatch, out: OsmRelation[]): void {
  let start = 0;
  for (let i = 0; i < b.ids.length; i++) {
    const end = b.ends[i];
    const members = new Array<OsmMember>(end - start);
    for (let j = start; j < end; j++)
      members[j - start] = { type: MEMBER_TYPES[b.types[j]], ref: b.refs[j], role: b.roles[j] };
    out.push({ type: "relation", id: b.ids[i], tags: b.tags[i], members });
    start = end;
  }
}

/** Reusable arrays for one element's key/value string indices. */
class KeyVals {
  keys = new Int32Array(64);
  vals = new Int32Array(64);
  n = 0;
  push(k: number, v: number): void {
    if (this.n === this.keys.length) {
      const keys = new Int32Array(this.n * 2);
      keys.set(this.keys);
      const vals = new Int32Array(this.n * 2);
      vals.set(this.vals);
      this.keys = keys;
      this.vals = vals;
    }
    this.keys[this.n] = k;
    this.vals[this.n] = v;
    this.n++;
  }
}

export function decodeBlock(buf: Uint8Array, filter: BlockFilter): BlockResult {
  const block = new Block(buf);
  const top = new ProtoReader(buf);
  const groups: [number, number][] = [];
  // The string table and the scaling fields may come after the groups: collect groups first.
  for (let key = top.key(); key !== 0; key = top.key()) {
    switch (key) {
      case PrimitiveBlockKey.StringTable:
        block.readStringTable(top.message());
        break;
      case PrimitiveBlockKey.PrimitiveGroup: {
        const start = top.lengthDelimited();
        groups.push([start, top.pos]);
        break;
      }
      case PrimitiveBlockKey.Granularity:
        block.granularity = top.uint32();
        break;
      case PrimitiveBlockKey.LatOffset:
        block.latOffset = top.int64();
        break;
      case PrimitiveBlockKey.LonOffset:
        block.lonOffset = top.int64();
        break;
      default:
        top.skip(key); // date_granularity (18) and unknown fields
    }
  }

  const result: BlockResult = {
    kinds: 0,
    coordIds: new Float64Array(0),
    coordLon: new Int32Array(0),
    coordLat: new Int32Array(0),
    nodes: [],
    ways: EMPTY_WAYS,
    relations: EMPTY_RELATIONS,
  };
  const ways = new WaySink();
  const relations = new RelationSink();
  // A predicate whose strings are absent from this block's table rules out the whole kind here.
  let relMatch = filter.relations ? matchBlockStrings(filter.relations, block) : null;
  if (relMatch?.never) relMatch = null;
  let nodeMatch = filter.nodeTags ? matchBlockStrings(filter.nodeTags, block) : null;
  if (nodeMatch?.never) nodeMatch = null;
  const wantNodes =
    filter.nodeIds === "all" || (filter.nodeIds !== null && filter.nodeIds.length > 0) || nodeMatch !== null;
  const coords = new CoordSink();
  const kv = new KeyVals();
  const nodeCursor = filter.nodeIds && filter.nodeIds !== "all" ? new IdCursor(filter.nodeIds) : null;
  const wayCursor = filter.ways && filter.ways !== "all" ? new IdCursor(filter.ways) : null;

  for (const [start, end] of groups) {
    const g = new ProtoReader(buf, start, end);
    for (let key = g.key(); key !== 0; key = g.key()) {
      const field = key >>> 3;
      if (field === GroupField.Nodes) {
        result.kinds |= KIND_NODE;
        if (wantNodes) decodeNode(g.message(), block, filter, nodeCursor, nodeMatch, kv, coords, result.nodes);
        else g.skip(key);
      } else if (field === GroupField.DenseNodes) {
        result.kinds |= KIND_NODE;
        if (wantNodes) decodeDense(g.message(), block, filter, nodeCursor, nodeMatch, kv, coords, result.nodes);
        else g.skip(key);
      } else if (field === GroupField.Ways) {
        result.kinds |= KIND_WAY;
        if (filter.ways !== null) decodeWay(g.message(), block, filter.ways, wayCursor, ways);
        else g.skip(key);
      } else if (field === GroupField.Relations) {
        result.kinds |= KIND_RELATION;
        if (relMatch) decodeRelation(g.message(), block, relMatch, kv, relations);
        else g.skip(key);
      } else {
        g.skip(key); // changesets (5) and unknown fields
      }
    }
  }
  result.coordIds = coords.ids.slice(0, coords.n);
  result.coordLon = coords.lon.slice(0, coords.n);
  result.coordLat = coords.lat.slice(0, coords.n);
  result.ways = ways.take();
  result.relations = relations.take();
  return result;
}

type BlockMatch = ReturnType<typeof matchBlockStrings>;

function tagsOf(block: Block, kv: KeyVals): Tags {
  const tags: Tags = {};
  for (let i = 0; i < kv.n; i++) tags[block.str(kv.keys[i])] = block.str(kv.vals[i]);
  return tags;
}

/** Reads packed uint32 keys and vals fields into kv (they are parallel arrays). */
function readKeysVals(keys: ProtoReader | null, vals: ProtoReader | null, kv: KeyVals): void {
  kv.n = 0;
  if (!keys) return;
  if (!vals) throw new ProtoError("element has keys but no vals");
  while (keys.pos < keys.end) {
    if (vals.pos >= vals.end) throw new ProtoError("element has more keys than vals");
    kv.push(keys.uint32(), vals.uint32());
  }
}

function decodeNode(
  r: ProtoReader,
  block: Block,
  filter: BlockFilter,
  cursor: IdCursor | null,
  match: BlockMatch | null,
  kv: KeyVals,
  coords: CoordSink,
  out: OsmNode[],
): void {
  let id = 0;
  let lat = 0;
  let lon = 0;
  let keys: ProtoReader | null = null;
  let vals: ProtoReader | null = null;
  for (let key = r.key(); key !== 0; key = r.key()) {
    switch (key) {
      case NodeKey.Id:
        id = r.sint64();
        break;
      case NodeKey.Keys:
        keys = r.message();
        break;
      case NodeKey.Vals:
        vals = r.message();
        break;
      case NodeKey.Lat:
        lat = r.sint64();
        break;
      case NodeKey.Lon:
        lon = r.sint64();
        break;
      default:
        r.skip(key);
    }
  }
  readKeysVals(keys, vals, kv);
  const at = cursor ? cursor.find(id) : -1;
  const keep = filter.nodeIds === "all" || at >= 0 || match?.test(kv.keys, kv.vals, kv.n) === true;
  if (!keep) return;
  const flon = block.fixedLon(lon);
  const flat = block.fixedLat(lat);
  const coordsAt = filter.nodeCoordsAt;
  if (coordsAt && at >= 0) {
    coordsAt.lon[at] = flon;
    coordsAt.lat[at] = flat;
  } else coords.push(id, flon, flat);
  if (kv.n > 0) out.push({ type: "node", id, lon: flon / 1e7, lat: flat / 1e7, tags: tagsOf(block, kv) });
}

function decodeDense(
  r: ProtoReader,
  block: Block,
  filter: BlockFilter,
  cursor: IdCursor | null,
  match: BlockMatch | null,
  kv: KeyVals,
  coords: CoordSink,
  out: OsmNode[],
): void {
  let ids: ProtoReader | null = null;
  let lats: ProtoReader | null = null;
  let lons: ProtoReader | null = null;
  let keysVals: ProtoReader | null = null;
  for (let key = r.key(); key !== 0; key = r.key()) {
    switch (key) {
      case DenseNodesKey.Id:
        ids = r.message();
        break;
      case DenseNodesKey.Lat:
        lats = r.message();
        break;
      case DenseNodesKey.Lon:
        lons = r.message();
        break;
      case DenseNodesKey.KeysVals:
        keysVals = r.message();
        break;
      default:
        r.skip(key); // denseinfo (5)
    }
  }
  if (!ids) return;
  if (!lats || !lons) throw new ProtoError("dense nodes without lat/lon");
  const all = filter.nodeIds === "all";
  const coordsAt = filter.nodeCoordsAt;
  let id = 0;
  let lat = 0;
  let lon = 0;
  while (ids.pos < ids.end) {
    id += ids.sint64();
    if (lats.pos >= lats.end || lons.pos >= lons.end) throw new ProtoError("dense nodes have fewer lat/lon than ids");
    lat += lats.sint64();
    lon += lons.sint64();
    // keys_vals: (key, val)* 0 per node; absent altogether when no node in the block has tags.
    kv.n = 0;
    if (keysVals) {
      if (keysVals.pos >= keysVals.end) throw new ProtoError("dense keys_vals shorter than the ids");
      for (let k = keysVals.uint32(); k !== 0; k = keysVals.uint32()) {
        if (keysVals.pos >= keysVals.end) throw new ProtoError("dense keys_vals ends inside a node's tags");
        kv.push(k, keysVals.uint32());
        if (keysVals.pos >= keysVals.end) throw new ProtoError("dense keys_vals ends inside a node's tags");
      }
    }
    const at = cursor ? cursor.find(id) : -1;
    const keep = all || at >= 0 || match?.test(kv.keys, kv.vals, kv.n) === true;
    if (!keep) continue;
    const flon = block.fixedLon(lon);
    const flat = block.fixedLat(lat);
    if (coordsAt && at >= 0) {
      coordsAt.lon[at] = flon;
      coordsAt.lat[at] = flat;
    } else coords.push(id, flon, flat);
    if (kv.n > 0) out.push({ type: "node", id, lon: flon / 1e7, lat: flat / 1e7, tags: tagsOf(block, kv) });
  }
}

function decodeWay(
  r: ProtoReader,
  block: Block,
  want: Float64Array | All,
  cursor: IdCursor | null,
  out: WaySink,
): void {
  let id = 0;
  let keys: ProtoReader | null = null;
  let vals: ProtoReader | null = null;
  let refs: ProtoReader | null = null;
  for (let key = r.key(); key !== 0; key = r.key()) {
    switch (key) {
      case WayKey.Id:
        id = r.int64();
        // Fields are written in field order, so the id comes first: leave unwanted ways right away.
        if (want !== "all" && !cursor?.has(id)) return;
        break;
      case WayKey.Keys:
        keys = r.message();
        break;
      case WayKey.Vals:
        vals = r.message();
        break;
      case WayKey.Refs:
        refs = r.message();
        break;
      default:
        r.skip(key); // info (4), lat/lon of LocationsOnWays (9, 10)
    }
  }
  if (want !== "all" && !cursor?.has(id)) return; // id written after other fields (unusual but legal)
  const kv = new KeyVals();
  readKeysVals(keys, vals, kv);
  if (refs) {
    let ref = 0;
    while (refs.pos < refs.end) {
      ref += refs.sint64();
      out.refs.push(ref);
    }
  }
  out.ids.push(id);
  out.ends.push(out.refs.n);
  out.tags.push(tagsOf(block, kv));
}

function decodeRelation(r: ProtoReader, block: Block, match: BlockMatch, kv: KeyVals, out: RelationSink): void {
  let id = 0;
  let keys: ProtoReader | null = null;
  let vals: ProtoReader | null = null;
  let roles: ProtoReader | null = null;
  let memids: ProtoReader | null = null;
  let types: ProtoReader | null = null;
  for (let key = r.key(); key !== 0; key = r.key()) {
    switch (key) {
      case RelationKey.Id:
        id = r.int64();
        break;
      case RelationKey.Keys:
        keys = r.message();
        break;
      case RelationKey.Vals:
        vals = r.message();
        break;
      case RelationKey.RolesSid:
        roles = r.message();
        break;
      case RelationKey.Memids:
        memids = r.message();
        break;
      case RelationKey.Types:
        types = r.message();
        break;
      default:
        r.skip(key); // info (4)
    }
  }
  readKeysVals(keys, vals, kv);
  if (!match.test(kv.keys, kv.vals, kv.n)) return;
  if (memids) {
    if (!roles || !types) throw new ProtoError(`relation ${id}: members without roles or types`);
    let ref = 0;
    while (memids.pos < memids.end) {
      ref += memids.sint64();
      if (roles.pos >= roles.end || types.pos >= types.end) {
        throw new ProtoError(`relation ${id}: fewer roles/types than members`);
      }
      const role = block.str(roles.uint32());
      const t = types.uint32();
      if (t > 2) throw new ProtoError(`relation ${id}: unknown member type ${t}`);
      out.refs.push(ref);
      out.types.push(t);
      out.roles.push(role);
    }
  }
  out.ids.push(id);
  out.ends.push(out.refs.n);
  out.tags.push(tagsOf(block, kv));
}
