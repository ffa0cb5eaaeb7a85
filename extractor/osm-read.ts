// The three passes over the PBF, each keeping only what the next step needs (bounded memory: never every
// node of the file). Pass 1: admin (and postal-code) relations; pass 2: the relations' member ways; pass 3: those ways'
// nodes (coordinates only), the admin_centre/label member nodes (with tags) and the place nodes. Blocks
// are assumed to hold one kind of element each, so every pass inflates only the blocks it needs; a file
// breaking that assumption is read again without it.
import { childLogger } from "../core/log.ts";
import { startProgress } from "../core/progress.ts";
import { MISSING_COORD, WayNodes } from "./boundary.ts";
import { collectGarbage, WORTH_COLLECTING } from "./collect-garbage.ts";
import {
  IdSet,
  type OsmNode,
  type OsmRelation,
  type Pass,
  type PassResult,
  readPbf,
  type TagPredicate,
  type Tags,
} from "./pbf/index.ts";
import { RelationStore, wayMemberCount } from "./relation-store.ts";

export interface OsmInput {
  /** Administrative relations (boundary=administrative with an admin_level). */
  relations: OsmRelation[];
  /** Postal-code boundaries (boundary=postal_code with a postal_code tag): zip codes for the zones they overlap. */
  postalRelations: OsmRelation[];
  placeNodes: OsmNode[];
  /** The relations' member ways, their nodes resolved to coordinates. */
  ways: WayNodes;
  /** admin_centre / label member nodes the file holds, with their tags ({} for untagged ones). */
  centerNodes: Map<number, CenterNode>;
  /** How much of the file the passes inflated. */
  blobs: ReadBlobs;
}

/** The file's data blobs; blobs inflated whole and up to their first group only, summed over the passes. */
export interface ReadBlobs {
  inFile: number;
  decoded: number;
  peeked: number;
  /** Passed over unread: no wanted kind, or (sorted file) no wanted id and no place key in the blob. */
  skipped: number;
  /** Batches of relations passes 2 and 3 were run for (RelationsRead.batches; 1: all relations at once). */
  batches: number;
}

export interface CenterNode {
  lon: number;
  lat: number;
  tags: OsmNode["tags"];
}

const log = childLogger("osm-read");

/** Place values read in pass 3: suburb-like ones always become zones, city-like ones only capitals (Voronoi). */
export const SUBURB_PLACES = ["suburb", "quarter", "neighbourhood"];
export const CITY_PLACES = ["city", "town", "village"];

export const ADMIN_RELATIONS: TagPredicate[] = [
  [{ key: "boundary", values: ["administrative"] }, { key: "admin_level" }],
];
export const POSTAL_CODE_RELATIONS: TagPredicate[] = [
  [{ key: "boundary", values: ["postal_code"] }, { key: "postal_code" }],
];
export const PLACE_NODES: TagPredicate[] = [
  [{ key: "place", values: SUBURB_PLACES }, { key: "name" }],
  [{ key: "place", values: CITY_PLACES }, { key: "name" }, { key: "capital", values: ["yes"] }],
];

async function runPass(
  label: string,
  file: string,
  pass: Pass,
  { threads }: { threads?: number },
): Promise<PassResult> {
  const bar = startProgress({ label, unit: "MB" });
  let last = 0;
  let handed = 0;
  const onRelation = pass.onRelation;
  if (onRelation) {
    pass = {
      ...pass,
      onRelation: (r) => {
        handed++;
        onRelation(r);
      },
    };
  }
  try {
    const result = await readPbf(file, pass, {
      threads,
      onProgress(read, total) {
        bar.setTotal(Math.round(total / 1e6));
        bar.update(Math.round(read / 1e6), read);
        last = read;
      },
    });
    bar.stop(
      `${label}: ${result.relations.length + handed} relations, ${result.wayTable?.ids.length ?? result.ways.length} ways, ${pass.nodes?.coordsAt ? `${pass.nodes.coordsAt.lon.length} nodes wanted by id` : `${result.coords.size} node positions`}, ${(last / 1e6).toFixed(1)} MB read, ${result.blobs.decoded} of ${result.blobs.total} blobs inflated (${result.blobs.peeked} peeked, ${result.blobs.skipped} skipped unread)`,
    );
    return result;
  } catch (err) {
    bar.stop(`${label} failed`);
    throw err;
  }
}

/**
 * Pass 2: the member ways, as rows of node keys (a node's position in the sorted set of wanted node ids,
 * which pass 3 fills with coordinates). Its own function so that the pass's arrays of node ids are
 * garbage once the keys are computed, not kept alive across pass 3.
 */
async function readWays(file: string, wayIds: number[], centerIds: number[], opts: PassOptions) {
  const wantedWays = IdSet.from(wayIds);
  const p2 = await runPass("pass 2/3 boundary ways", file, { ...opts.pass, ways: wantedWays, waysAsTable: true }, opts);
  const { ids: keptWayIds, start, refs } = p2.wayTable!;
  // Row of each way by its position in the (sorted) set of wanted ids: a binary search in a small typed
  // array is cheaper than a Map keyed by ids beyond 2^31.
  const rowAt = new Int32Array(wantedWays.size).fill(-1);
  for (let w = 0; w < keptWayIds.length; w++) rowAt[wantedWays.positionOf(keptWayIds[w])] = w; // later wins
  const rows = {
    get(wayId: number): number | undefined {
      const p = wantedWays.positionOf(wayId);
      return p >= 0 && rowAt[p] >= 0 ? rowAt[p] : undefined;
    },
  };
  // Every node id wanted: the ways' nodes and the centre nodes.
  const refCount = refs.length;
  const all = IdSet.sharedArray(refCount + centerIds.length);
  all.set(refs);
  all.set(centerIds, refCount);
  const wanted = IdSet.adopt(all);
  // A node's key is its position in the sorted set: equal ids, equal keys; coordinates are stored by key.
  const keys = new Uint32Array(wanted.positionsOf(refs).buffer);
  const centerKeys = wanted.positionsOf(Float64Array.from(centerIds));
  return { rows, start, keys, wanted, centerKeys, mixedBlocks: p2.mixedBlocks, blobs: p2.blobs };
}

/** The keys the predicates test, each once. */
function predicateKeys(predicates: TagPredicate[]): string[] {
  return [...new Set(predicates.flatMap((p) => p.map((c) => c.key)))];
}

/** Whether tags satisfy any predicate (what the decoder's tag filter tests, on a decoded node). */
function matchesAny(tags: Tags, predicates: TagPredicate[]): boolean {
  return predicates.some((p) =>
    p.every((c) => Object.hasOwn(tags, c.key) && (c.values === undefined || c.values.includes(tags[c.key]))),
  );
}

export interface PassOptions {
  threads?: number;
  /** Options given to every pass (singleKindBlocks). */
  pass: Pick<Pass, "singleKindBlocks">;
}

export async function readOsm(file: string, opts: { threads?: number } = {}): Promise<OsmInput> {
  for (const singleKindBlocks of [true, false]) {
    const pass = singleKindBlocks ? { singleKindBlocks } : {};
    try {
      const read = await readRelations(file, { threads: opts.threads, pass });
      for await (const batch of read.batches(Number.POSITIVE_INFINITY)) return { ...batch, blobs: read.blobs };
    } catch (err) {
      if (!(err instanceof MixedBlocksError) || !singleKindBlocks) throw err;
      // Files written by some tools mix element kinds in a block: nothing is wrong with them, so debug, not a warning.
      log.debug({ file }, "blocks holding several kinds of elements: reading the file again, inflating every block");
    }
  }
  throw new Error("unreachable: the second read assumes nothing of the blocks");
}

/**
 * A pass decoded a block that the earlier passes, trusting its first group's kind (singleKindBlocks), had passed
 * over: what they skipped may have held wanted elements. The reader must start again without the assumption.
 */
export class MixedBlocksError extends Error {
  constructor(file: string) {
    super(`${file}: blocks holding several kinds of elements (read again without assuming one kind a block)`);
  }
}

/**
 * The file after pass 1: its admin and postal-code relations, and the rest of the read to come, in batches of
 * relations (`batches`).
 */
export interface RelationsRead {
  /** Administrative relations, in file order (in memory or on disk: RelationStore). */
  relations: RelationStore;
  postalRelations: OsmRelation[];
  /** Way members of the relations (admin and postal), counted once per relation: what the batches will read. */
  memberWays: number;
  /**
   * Way nodes the read of every relation at once is taken to bring: FIRST_GUESS_NODES_PER_WAY a way member, but never
   * more than the file's way blobs can hold (a node ref takes at least a byte of them: PassResult.wayBlobBytes).
   */
  wayNodes: number;
  /**
   * The file is sorted by type then id (its header says so): a batch's passes skip the blobs without its ids.
   * Otherwise each batch inflates every way and node blob.
   */
  sorted: boolean;
  /** How much of the file the passes inflated, growing as the batches are read. */
  blobs: ReadBlobs;
  /**
   * Passes 2 and 3 for consecutive runs of the admin relations (ids ascending, the order the zones are built in),
   * each run's member ways estimated at most `maxWayNodes` way nodes (at least one relation a batch): each batch is
   * an OsmInput of those relations alone (the first one also holds the postal-code relations and the place nodes),
   * its way and node tables garbage once the next is asked for. Throws MixedBlocksError when a pass finds a block
   * holding several kinds of elements while the passes assumed one a block.
   */
  batches(maxWayNodes: number): AsyncGenerator<OsmInput>;
}

/**
 * Way nodes a way member of a relation is taken to bring before a batch has been read, unless the file's way blobs
 * are too small to hold that many (RelationsRead.wayNodes); then: the batches' way nodes over their relations' way
 * members (a way shared by neighbours and levels is read once a batch).
 */
export const FIRST_GUESS_NODES_PER_WAY = 256;

/** Bytes a batch's tables take at least a way node: its key, a node's two coordinates. */
const TABLE_BYTES_PER_WAY_NODE = 12;

/**
 * Pass 1. `relations`: where the admin relations go (default: all in memory); postal-code relations stay in memory
 * (few on real data).
 */
export async function readRelations(
  file: string,
  opts: PassOptions,
  relations = new RelationStore(),
): Promise<RelationsRead> {
  const postalRelations: OsmRelation[] = [];
  let p1: PassResult;
  try {
    p1 = await runPass(
      "pass 1/3 admin and postal-code relations",
      file,
      {
        ...opts.pass,
        relations: [...ADMIN_RELATIONS, ...POSTAL_CODE_RELATIONS],
        onRelation: (r) => (matchesAny(r.tags, ADMIN_RELATIONS) ? relations.add(r) : postalRelations.push(r)),
        // the place nodes' keys: pass 3 then passes over node blobs without them and without boundary nodes
        peekKeys: predicateKeys(PLACE_NODES),
      },
      opts,
    );
    if (p1.mixedBlocks) throw new MixedBlocksError(file);
  } catch (err) {
    relations.close();
    throw err;
  }
  const blobs: ReadBlobs = {
    inFile: p1.blobs.total,
    decoded: p1.blobs.decoded,
    peeked: p1.blobs.peeked,
    skipped: p1.blobs.skipped,
    batches: 0,
  };
  let memberWays = postalRelations.reduce((n, r) => n + wayMemberCount(r), 0);
  for (let n = 0; n < relations.size; n++) memberWays += relations.wayMembers(n);
  // The guess alone overestimates boundary data ~10x (a member way is often shared, or absent from an extract; a way
  // has ~160 nodes): bound it by what the file holds, so that a file that fits is read at once.
  const wayNodes = Math.min(memberWays * FIRST_GUESS_NODES_PER_WAY, p1.wayBlobBytes);
  const firstNodesPerWay = memberWays > 0 ? wayNodes / memberWays : FIRST_GUESS_NODES_PER_WAY;

  async function* batches(maxWayNodes: number): AsyncGenerator<OsmInput> {
    // Relation ids ascending: the order (and so the ids) zonesBuilt gives the zones.
    const sorted = relations.byId();
    let membersRead = 0;
    let wayNodesRead = 0;
    let next = 0;
    let first = true;
    let garbageBytes = 0;
    try {
      while (next < sorted.length || first) {
        // The batch before's way and node tables are garbage: typed arrays, external memory V8 frees only in a major
        // collection, which a main thread allocating little heap meanwhile would not run before many batches more.
        if (garbageBytes >= WORTH_COLLECTING) collectGarbage();
        const nodesPerWay = membersRead > 0 ? wayNodesRead / membersRead : firstNodesPerWay;
        const postal = first ? postalRelations : [];
        let members = postal.reduce((n, r) => n + wayMemberCount(r), 0);
        const from = next;
        while (next < sorted.length) {
          const more = relations.wayMembers(sorted[next]);
          if (next > from && (members + more) * nodesPerWay > maxWayNodes) break;
          members += more;
          next++;
        }
        const batch = await readBatch(
          file,
          sorted.slice(from, next).map((n) => relations.get(n)),
          postal,
          first,
          opts,
        );
        if (batch.mixedBlocks) throw new MixedBlocksError(file);
        for (const b of batch.blobs) {
          blobs.decoded += b.decoded;
          blobs.peeked += b.peeked;
          blobs.skipped += b.skipped;
        }
        blobs.batches++;
        membersRead += members;
        wayNodesRead += batch.ways.node.length;
        garbageBytes = batch.ways.node.length * TABLE_BYTES_PER_WAY_NODE;
        first = false;
        yield batch.input;
      }
    } finally {
      relations.close();
    }
  }
  return { relations, postalRelations, memberWays, wayNodes, sorted: p1.sorted, blobs, batches };
}

/** Passes 2 and 3 for some admin relations (and postal ones), with the file's place nodes when `places`. */
async function readBatch(
  file: string,
  relations: OsmRelation[],
  postalRelations: OsmRelation[],
  places: boolean,
  opts: PassOptions,
) {
  const wayIds: number[] = [];
  const centerIds: number[] = [];
  for (const r of relations) {
    for (const m of r.members) {
      if (m.type === "way") wayIds.push(m.ref);
      else if (m.type === "node" && (m.role === "admin_centre" || m.role === "label")) centerIds.push(m.ref);
    }
  }
  for (const r of postalRelations) for (const m of r.members) if (m.type === "way") wayIds.push(m.ref);

  const {
    rows,
    start,
    keys,
    wanted,
    centerKeys,
    mixedBlocks,
    blobs: p2Blobs,
  } = await readWays(file, wayIds, centerIds, opts);
  // Coordinates by key, written by the decode workers straight into shared memory.
  const sharedInt32 = () => new Int32Array(new SharedArrayBuffer(Math.max(wanted.size, 1) * 4), 0, wanted.size);
  const lon = sharedInt32().fill(MISSING_COORD);
  const lat = sharedInt32().fill(MISSING_COORD);
  const p3 = await runPass(
    "pass 3/3 boundary nodes + places",
    file,
    { ...opts.pass, nodes: { ids: wanted, tags: places ? PLACE_NODES : undefined, coordsAt: { lon, lat } } },
    opts,
  );
  const ways = new WayNodes(rows, start, keys, lon, lat);

  const tagsOf = new Map<number, OsmNode["tags"]>();
  for (const n of p3.nodes) tagsOf.set(n.id, n.tags);
  const centerNodes = new Map<number, CenterNode>();
  for (let c = 0; c < centerIds.length; c++) {
    const key = centerKeys[c];
    if (lon[key] === MISSING_COORD) continue;
    centerNodes.set(centerIds[c], { lon: lon[key] / 1e7, lat: lat[key] / 1e7, tags: tagsOf.get(centerIds[c]) ?? {} });
  }
  // Tagged nodes kept for their id (boundary and centre nodes) come too: keep the place nodes.
  const placeNodes = places ? p3.nodes.filter((n) => matchesAny(n.tags, PLACE_NODES)) : [];
  const input: OsmInput = { relations, postalRelations, placeNodes, ways, centerNodes, blobs: emptyBlobs() };
  return { input, ways, mixedBlocks: mixedBlocks || p3.mixedBlocks, blobs: [p2Blobs, p3.blobs] };
}

function emptyBlobs(): ReadBlobs {
  return { inFile: 0, decoded: 0, peeked: 0, skipped: 0, batches: 0 };
}
