// readPbf: one streaming pass over a PBF file. The main thread frames blobs and reads them from disk; a
// pool of workers inflates and decodes them, filtering inside the worker; results are merged in file order.
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { blobRawSize } from "./blob.ts";
import {
  type BlockFilter,
  KIND_NODE,
  KIND_WAY,
  materializeRelations,
  materializeWays,
  type WayBatch,
  wantedKinds,
} from "./block.ts";
import { type NodeCoords, NodeCoordsBuilder } from "./coords.ts";
import { PbfError } from "./errors.ts";
import { type BlobFrame, readBlobs } from "./framing.ts";
import type { IdSet } from "./idset.ts";
import { type Decoder, inlineDecoder, workerPool } from "./pool.ts";
import type { BlobOutcome } from "./process.ts";
import type { All, OsmNode, OsmRelation, OsmWay, TagPredicate } from "./types.ts";

export interface Pass {
  /** Keep relations matching ANY predicate. */
  relations?: TagPredicate[];
  /**
   * Hands each kept relation to this function, in file order, instead of gathering them in result.relations: a
   * caller holding many moves them out of memory as they come.
   */
  onRelation?: (relation: OsmRelation) => void;
  /** Keep ways with these ids ("all": every way). */
  ways?: IdSet | All;
  /**
   * Deliver the kept ways as one flat table (result.wayTable: ids and node ids, no tags) instead of
   * objects: millions of node ids stay in one typed array instead of a JS array per way.
   */
  waysAsTable?: boolean;
  /**
   * Assume every block holds elements of one kind (as osmium, osmconvert and the planet dumps write them):
   * a block never seen before is then first inflated only up to its first group, and skipped when that
   * group's kind is not wanted; later passes with this option skip it on that guess. A block that breaks
   * the assumption is found when a later pass decodes it in full (`mixedBlocks`): the caller must then
   * redo its passes without the option.
   */
  singleKindBlocks?: boolean;
  /**
   * Keys (at most 31) whose presence in the string table of every blob peeked by this pass is remembered: a later
   * pass over a sorted file looking for nodes tagged with them then skips, unread, a node blob that lacks them and
   * holds none of its wanted ids (see `noWantedNode`). readOsm asks pass 1 for the place nodes' keys.
   */
  peekKeys?: string[];
  /** Keep nodes in ids OR matching any predicate ("all": every node). */
  nodes?: {
    ids?: IdSet | All;
    tags?: TagPredicate[];
    /**
     * Arrays on SharedArrayBuffers with one slot per id of `ids`, in its order: the workers write there
     * the coordinates (1e-7°) of the nodes kept for their id, and `coords` only holds the other kept
     * nodes. Slots of ids absent from the file keep what they held; a node id found twice in the file
     * (invalid input) leaves either position.
     */
    coordsAt?: { lon: Int32Array; lat: Int32Array };
  };
}

export interface PassResult {
  relations: OsmRelation[];
  ways: OsmWay[];
  /** The kept ways when the pass asked for waysAsTable (ways is then empty), else null. */
  wayTable: WayTable | null;
  /** Kept nodes that have tags. */
  nodes: OsmNode[];
  /** Coordinates of every kept node. */
  coords: NodeCoords;
  /** A block skipped by an earlier singleKindBlocks guess turned out to hold other kinds too. */
  mixedBlocks: boolean;
  /** The file's header says it is sorted by type then id (passes wanting some ids skip blobs without them). */
  sorted: boolean;
  /** The file's data blobs, how many this pass inflated whole, and how many only up to their first group. */
  blobs: BlobCounts;
  /**
   * Inflated bytes of the file's way blobs, as this pass and earlier ones found them (Infinity when a blob's kind
   * or size is unknown). A way's node refs are packed varints, at least a byte each: no pass over the file can
   * read more way nodes than this.
   */
  wayBlobBytes: number;
}

export interface BlobCounts {
  total: number;
  decoded: number;
  peeked: number;
  /** Neither read nor inflated: holding no wanted kind, or (sorted file) no wanted id and no wanted tag key. */
  skipped: number;
}

/** Ways in file order: the node ids of way i are refs[start[i]] … refs[start[i + 1] - 1]. */
export interface WayTable {
  ids: Float64Array;
  start: Uint32Array;
  refs: Float64Array;
}

export interface ReadOptions {
  /** Decode workers (default os.availableParallelism()); 0 decodes on the calling thread. */
  threads?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Which element kinds each blob of a file holds, learned by earlier passes over the same (unchanged) file:
 * a later pass skips blobs holding none of the kinds it wants without reading or inflating them. Typical
 * extract passes (relations, then their ways, then their nodes) then inflate each blob about once.
 */
const blobKinds = new Map<string, number[]>();
/**
 * What else the passes learn of a file: whether it is sorted by type then id (its header says so), the id of
 * each blob's first way or node, and which of the peek keys its string table holds (from the first group's peek).
 * A pass wanting ways only skips a way blob followed by another way blob when no wanted id lies between their
 * first ways: in a sorted file it holds nothing else. Likewise for node blobs, when none of its nodes can match
 * the pass's tag predicates either (a key they need is missing from the blob's string table).
 */
interface FileOrder {
  sorted: boolean;
  firstIds: number[];
  /** Per blob: bit i set when its string table holds peekKeys[i] (-1: unknown, as if it held them all). */
  keysFound: number[];
  peekKeys: string[];
  /** Per blob: its inflated size (blob.ts blobRawSize; -1: the blob does not say). */
  rawSizes: number[];
}
const fileOrder = new Map<string, FileOrder>();
/** Where each blob of a file lies (framing.ts FramingOptions.frames), learned by earlier passes. */
const blobFrames = new Map<string, BlobFrame[]>();
/** Flag of an index entry guessed from a blob's first group only (Pass.singleKindBlocks). */
const GUESSED = 8;
const MAX_INDEXED_FILES = 16;

function toFilter(pass: Pass): BlockFilter {
  const ids = (s: IdSet | All | undefined) => (s === undefined ? null : s === "all" ? "all" : s.ids);
  return {
    relations: pass.relations ?? null,
    ways: ids(pass.ways),
    nodeIds: ids(pass.nodes?.ids),
    nodeTags: pass.nodes?.tags ?? null,
    nodeCoordsAt: pass.nodes?.coordsAt ?? null,
    peekKeys: pass.peekKeys ?? null,
  };
}

export async function readPbf(path: string, pass: Pass, opts: ReadOptions = {}): Promise<PassResult> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    throw new PbfError(path, 0, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const indexKey = `${resolve(path)}:${st.size}:${st.mtimeMs}`;
  const known = blobKinds.get(indexKey) ?? [];
  const order: FileOrder = fileOrder.get(indexKey) ?? {
    sorted: false,
    firstIds: [],
    keysFound: [],
    peekKeys: pass.peekKeys ?? [],
    rawSizes: [],
  };
  const frames = blobFrames.get(indexKey) ?? [];
  const filter = toFilter(pass);
  const wanted = wantedKinds(filter);
  const trustGuesses = pass.singleKindBlocks === true;
  let mixedBlocks = false;
  const threads = opts.threads ?? availableParallelism();
  const decoder: Decoder = threads > 0 ? workerPool(threads, filter) : inlineDecoder(filter);
  // Enough blobs in flight to keep every worker busy while the main thread reads and merges.
  const maxInFlight = Math.max(2, threads * 3);

  const result = { relations: [] as OsmRelation[], ways: [] as OsmWay[], nodes: [] as OsmNode[] };
  const coords = new NodeCoordsBuilder();
  const kinds: number[] = [...known];
  const wayBatches: WayBatch[] = [];
  const pending: { seq: number; offset: number; end: number; outcome: Promise<BlobOutcome | null> }[] = [];
  const blobs: BlobCounts = { total: 0, decoded: 0, peeked: 0, skipped: 0 };

  const consume = async () => {
    const p = pending.shift();
    if (!p) return;
    let outcome: BlobOutcome | null;
    try {
      outcome = await p.outcome;
    } catch (e) {
      const msg = (e as Error).message;
      throw new PbfError(path, p.offset, p.seq === 0 ? `invalid OSMHeader blob: ${msg}` : `corrupt blob: ${msg}`);
    }
    if (outcome?.kind === "data") {
      blobs.decoded++;
      const r = outcome.result;
      const guess = known[p.seq];
      if (guess !== undefined && guess & GUESSED && (guess & ~GUESSED) !== r.kinds) mixedBlocks = true;
      kinds[p.seq] = r.kinds;
      coords.add(r.coordIds, r.coordLon, r.coordLat);
      for (const x of r.nodes) result.nodes.push(x);
      if (pass.waysAsTable) {
        if (r.ways.ids.length > 0) wayBatches.push(r.ways);
      } else materializeWays(r.ways, result.ways);
      if (pass.onRelation) {
        const relations: OsmRelation[] = [];
        materializeRelations(r.relations, relations);
        for (const rel of relations) pass.onRelation(rel);
      } else materializeRelations(r.relations, result.relations);
    } else if (outcome?.kind === "guessed") {
      blobs.peeked++;
      kinds[p.seq] = outcome.kinds | GUESSED;
      order.firstIds[p.seq] = outcome.firstId;
      order.keysFound[p.seq] = outcome.keysFound;
    } else if (outcome?.kind === "header") {
      kinds[p.seq] = 0;
      order.sorted = outcome.sorted;
    } else if (outcome) {
      kinds[p.seq] = 0;
    }
    opts.onProgress?.(p.end, st.size);
  };

  try {
    const trusted = (seq: number) => known[seq] !== undefined && (trustGuesses || !(known[seq] & GUESSED));
    const wantedWays = wanted === KIND_WAY && pass.ways !== undefined && pass.ways !== "all" ? pass.ways : null;
    const firstOf = (seq: number, kind: number) =>
      trusted(seq) && (known[seq] & ~GUESSED) === kind ? order.firstIds[seq] : Number.NaN;
    // Blob seq holds only elements of `kind` with ids in [its first, the next blob's first): the next blob
    // starts with the same kind (in a sorted file, a blob mixing kinds is the last of its kind: never skipped).
    const noWantedId = (seq: number, kind: number, ids: IdSet) =>
      order.sorted &&
      Number.isFinite(firstOf(seq, kind)) &&
      Number.isFinite(firstOf(seq + 1, kind)) &&
      !ids.hasIn(firstOf(seq, kind), firstOf(seq + 1, kind));
    const noWantedWay = (seq: number) => wantedWays !== null && noWantedId(seq, KIND_WAY, wantedWays);
    const wantedNodes = wanted === KIND_NODE && pass.nodes?.ids !== "all" ? (pass.nodes?.ids ?? null) : null;
    const nodeKeysAbsent = nodeTagsSkippable(pass, order);
    const noWantedNode = (seq: number) =>
      wantedNodes !== null &&
      nodeKeysAbsent?.(order.keysFound[seq] ?? -1) === true &&
      noWantedId(seq, KIND_NODE, wantedNodes);
    const skip = (seq: number) => {
      const skipped = seq > 0 && trusted(seq) && ((known[seq] & wanted) === 0 || noWantedWay(seq) || noWantedNode(seq));
      if (skipped) blobs.skipped++;
      return skipped;
    };
    for await (const blob of readBlobs(path, { skip, frames })) {
      const peek = trustGuesses && known[blob.seq] === undefined;
      if (blob.seq > 0) blobs.total++;
      if (blob.data) order.rawSizes[blob.seq] = blobRawSize(blob.data);
      const outcome = blob.data ? decoder.decode(blob.type, blob.data, peek) : Promise.resolve(null);
      outcome.catch(() => {}); // awaited in order by consume(); avoid unhandled-rejection noise meanwhile
      pending.push({ seq: blob.seq, offset: blob.offset, end: blob.end, outcome });
      while (pending.length >= maxInFlight) await consume();
    }
    while (pending.length) await consume();
  } finally {
    await decoder.close();
  }
  if (kinds.length > 0 && !kinds.includes(undefined as unknown as number)) {
    if (blobKinds.size >= MAX_INDEXED_FILES) blobKinds.delete(blobKinds.keys().next().value as string);
    blobKinds.set(indexKey, kinds);
    if (fileOrder.size >= MAX_INDEXED_FILES) fileOrder.delete(fileOrder.keys().next().value as string);
    fileOrder.set(indexKey, order);
    if (blobFrames.size >= MAX_INDEXED_FILES) blobFrames.delete(blobFrames.keys().next().value as string);
    blobFrames.set(indexKey, frames);
  }
  const wayTable = pass.waysAsTable ? concatWays(wayBatches) : null;
  const wayBlobBytes = blobBytesOf(KIND_WAY, kinds, order.rawSizes);
  return { ...result, wayTable, coords: coords.build(), mixedBlocks, sorted: order.sorted, blobs, wayBlobBytes };
}

/** Inflated bytes of the data blobs holding `kind` (a KIND_* bit); Infinity when a blob's kind or size is unknown. */
function blobBytesOf(kind: number, kinds: number[], rawSizes: number[]): number {
  let bytes = 0;
  for (let seq = 1; seq < kinds.length; seq++) {
    if (kinds[seq] === undefined) return Number.POSITIVE_INFINITY;
    if ((kinds[seq] & kind) === 0) continue;
    if (!(rawSizes[seq] >= 0)) return Number.POSITIVE_INFINITY;
    bytes += rawSizes[seq];
  }
  return bytes;
}

/**
 * For a pass wanting nodes by id and by tags: a test of a blob's peeked keys telling whether none of its nodes can
 * match the tag predicates (each needs a key the blob's string table lacks); null when the pass cannot skip node
 * blobs that way (it wants every node, or a predicate needs no key the peek looked for).
 */
function nodeTagsSkippable(pass: Pass, order: FileOrder): ((keysFound: number) => boolean) | null {
  const nodes = pass.nodes;
  if (!nodes || nodes.ids === "all" || nodes.ids === undefined) return null;
  const predicates = nodes.tags ?? [];
  // Per predicate: the peek-key bits of its keys (it matches only blobs holding all of them).
  const needs = predicates.map((p) =>
    p.reduce((bits, c) => (order.peekKeys.includes(c.key) ? bits | (1 << order.peekKeys.indexOf(c.key)) : bits), 0),
  );
  if (needs.some((bits) => bits === 0)) return null;
  return (keysFound) => needs.every((bits) => (keysFound & bits) !== bits);
}

function concatWays(batches: WayBatch[]): WayTable {
  let ways = 0;
  let refs = 0;
  for (const b of batches) {
    ways += b.ids.length;
    refs += b.refs.length;
  }
  const table: WayTable = {
    ids: new Float64Array(ways),
    start: new Uint32Array(ways + 1),
    refs: new Float64Array(refs),
  };
  let w = 0;
  let r = 0;
  for (const b of batches) {
    table.ids.set(b.ids, w);
    table.refs.set(b.refs, r);
    for (let i = 0; i < b.ids.length; i++) table.start[w + i + 1] = r + b.ends[i];
    w += b.ids.length;
    r += b.refs.length;
  }
  return table;
}
