// The in-memory index of bulk locate: the bounding box of every lookup piece of a version (zone_pieces), with
// the piece's row address (ctid) and its zone, in a packed R-tree (flatbush), and for point queries a uniform
// grid built from the tree's boxes at load (PointGrid). It answers "which pieces may cover this point" in a
// fraction of a microsecond, without the database; the exact test of those few pieces stays in
// PostGIS, which fetches each by its ctid (covered-pairs.sql) instead of probing its GiST index. The GiST
// probe was most of the database's time per point (see docs/api.md, "Bulk locate"). Pieces that are exactly
// their box (cells of large zones, sql/piece-boxes.sql) answer the points well inside them here (surelyCovers).
//
// Memory: ~60 bytes a piece and ~55 for the grid (~26 MB for the 228 k pieces of the 12×12 grid). Building it is one sequential scan
// of zone_pieces (about a second on the grid); the built index is also kept in a file per build of the table
// (`dir`, config api.locateIndexDir), which the next process reads instead of the scan.
//
// How long what is loaded stays valid — the one place that says it:
// - The file: as long as its stamp (sql/piece-index-stamp.sql: cluster, database, table, file node, size) is that
//   of the version's zone_pieces now, read before every load; any other stamp, and a file that is truncated or has
//   any byte changed (CRC-32 over the whole file), is rebuilt from the table and written again.
// - The loaded index, and the zone table loaded with it (zone-table.ts): for the life of the process's locator of
//   that version (locate.ts: one `cosmo locate` run; in the API, while the version is among the last MAX_VERSIONS
//   located in; a version's zones are never rewritten). A published version's zone_pieces is never rewritten
//   either, so its ctids stay valid. Should it be rebuilt all the same, covered-pairs.sql sees the first pair
//   whose ctid no longer holds the piece of that zone, and locate.ts reloads the index from the table (`fresh`);
//   the answers given here from box pieces are not checked again in between.
import { readdir, readFile, stat, unlink, utimes } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import Flatbush from "flatbush";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { childLogger } from "../../core/log.ts";
import type { ServedRef } from "../../core/serving/served-dataset.ts";
import { loadSql } from "../../core/sql.ts";
import { writeLocalFile } from "../../core/storage.ts";
import { NEAR_CUT_DEGREES } from "../queries.ts";

const log = childLogger("locate");

/**
 * How far inside a box piece a point must be for surelyCovers(): twice the distance within which
 * api/sql/piece-covers.sql answers a cut piece's point on the zone's full boundary, so that the few ulps of
 * rounding in either distance (~1e-15° here) never put a point PostgreSQL would refer to the full boundary on
 * this side of the line.
 */
export const SURE_MARGIN_DEGREES = 2 * NEAR_CUT_DEGREES;

export interface PieceIndex {
  /** Number of pieces. */
  readonly size: number;
  /** Number of pieces that are exactly their box. */
  readonly boxPieces: number;
  /** Where it was read from: its file (kept by an earlier run) or the table. */
  readonly from: "file" | "table";
  /** Its point grid's cells and entries (PointGrid.size). */
  readonly gridSize: { cells: number; entries: number };
  /** Pieces whose box, grown by NEAR_CUT_DEGREES, holds the point (edges included): indexes into the arrays. */
  candidates(lon: number, lat: number): number[];
  /**
   * Whether the piece covers the point for certain, without PostgreSQL: the piece is exactly its box and the
   * point is more than SURE_MARGIN_DEGREES inside it. Why that is piece-covers.sql's answer, hence ST_Covers on
   * the zone's full boundary: such a point is farther than NEAR_CUT_DEGREES from the piece's boundary, so
   * piece-covers.sql tests the piece itself (exact or cut alike), and a rectangle covers a point inside it. (The
   * tile cells' check in importer/sql/lookup-fill-cells.sql — the pieces' areas add up to the zone's within 1e-10
   * — is not what makes it sound: it does not prove a box's edge is the zone's to the last bit; points on or next
   * to an edge go to PostgreSQL, which answers them on the full boundary.)
   */
  surelyCovers(piece: number, lon: number, lat: number): boolean;
  /** The piece's ctid: its block and its offset in the block. */
  block(piece: number): number;
  offset(piece: number): number;
  zoneId(piece: number): number;
}

/** Binary COPY: signature, flags, header extension length. */
const COPY_HEADER_BYTES = 11 + 4 + 4;
/**
 * One tuple of piece-boxes.sql: field count, then ctid (6 bytes), zone_id (8), four float8 and is_box (1), each
 * with its length.
 */
const TUPLE_BYTES = 2 + (4 + 6) + (4 + 8) + 4 * (4 + 8) + (4 + 1);
const FIELDS = 7;

/** The columns of an index, as read from the table and as kept in its file. */
interface IndexColumns {
  tree: Flatbush;
  blocks: Uint32Array;
  offsets: Uint16Array;
  zones: Float64Array;
  /** Per piece, its slot in `inner` when it is exactly its box, else -1. */
  boxSlot: Int32Array;
  /** Per box piece (4 a slot): its box shrunk by SURE_MARGIN_DEGREES, min x, min y, max x, max y. */
  inner: Float64Array;
}

/** Cells a piece's box may meet on average, beyond which PointGrid leaves point queries to the R-tree. */
const MAX_CELLS_A_PIECE = 64;

/**
 * A uniform grid over the boxes of an index, for its point queries (candidates()): about one cell a piece, each
 * listing the pieces whose box meets it. A point looks at its cell's few boxes instead of walking the R-tree from
 * its root (~1 µs a point, most of the Node CPU of finding a batch's pairs). Built when an index is loaded (from
 * the R-tree's own boxes: the file keeps only the tree), in two passes over the boxes; ~50 bytes a piece more.
 * A box covers the cells from that of its min corner to that of its max corner: a cell's index is a rounded,
 * hence non-decreasing, function of the coordinate, so a point inside a box (edges included) falls in one of them.
 */
export class PointGrid {
  /** The R-tree itself when the boxes are too large for a grid (see the constructor); else null. */
  private readonly tree: Flatbush | null;
  private readonly boxes: Float64Array;
  private readonly start: Uint32Array;
  private readonly items: Uint32Array;
  private readonly side: number;
  private readonly x0: number;
  private readonly y0: number;
  private readonly x1: number;
  private readonly y1: number;
  private readonly cw: number;
  private readonly ch: number;

  constructor(tree: Flatbush, pieces: number) {
    const { minX, minY, maxX, maxY } = tree;
    const empty = pieces === 0 || ![minX, minY, maxX, maxY].every(Number.isFinite);
    this.side = empty ? 0 : Math.max(1, Math.ceil(Math.sqrt(pieces)));
    [this.x0, this.y0, this.x1, this.y1] = empty ? [1, 1, 0, 0] : [minX, minY, maxX, maxY];
    this.cw = (this.x1 - this.x0) / this.side;
    this.ch = (this.y1 - this.y0) / this.side;
    const boxes = new Float64Array(4 * pieces);
    if (!empty)
      tree.search(minX, minY, maxX, maxY, (k, a, b, c, d) => {
        boxes[4 * k] = a;
        boxes[4 * k + 1] = b;
        boxes[4 * k + 2] = c;
        boxes[4 * k + 3] = d;
        return false;
      });
    this.boxes = boxes;
    const span = (k: number) => {
      const i0 = this.column(boxes[4 * k]!);
      const j0 = this.row(boxes[4 * k + 1]!);
      return [i0, j0, this.column(boxes[4 * k + 2]!), this.row(boxes[4 * k + 3]!)] as const;
    };
    let entries = 0;
    for (let k = 0; k < pieces && this.side > 0; k++) {
      const [i0, j0, i1, j1] = span(k);
      entries += (i1 - i0 + 1) * (j1 - j0 + 1);
    }
    // pieces whose boxes each span much of the extent (not lookup pieces, cut down to small boxes, but nothing
    // forbids it): the R-tree answers, rather than a grid of about pieces² entries
    this.tree = entries > MAX_CELLS_A_PIECE * pieces ? tree : null;
    const g = this.tree ? 0 : this.side;
    const start = new Uint32Array(g * g + 1);
    const each = (visit: (cell: number, k: number) => void) => {
      for (let k = 0; k < pieces && g > 0; k++) {
        const [i0, j0, i1, j1] = span(k);
        for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) visit(j * g + i, k);
      }
    };
    each((cell) => {
      start[cell + 1]!++;
    });
    for (let c = 0; c < g * g; c++) start[c + 1]! += start[c]!;
    const items = new Uint32Array(start[g * g]!);
    const fill = start.slice(0, g * g);
    each((cell, k) => {
      items[fill[cell]!++] = k;
    });
    this.start = start;
    this.items = items;
  }

  /** Cells, and entries (a piece once per cell its box meets): a point tests entries / cells boxes on average. */
  get size(): { cells: number; entries: number } {
    return this.tree ? { cells: 0, entries: 0 } : { cells: this.side * this.side, entries: this.items.length };
  }

  private column(x: number): number {
    return this.cw > 0 ? Math.min(this.side - 1, Math.floor((x - this.x0) / this.cw)) : 0;
  }

  private row(y: number): number {
    return this.ch > 0 ? Math.min(this.side - 1, Math.floor((y - this.y0) / this.ch)) : 0;
  }

  /** The pieces whose box holds the point (edges included), as the R-tree's search would find them. */
  search(x: number, y: number): number[] {
    if (this.tree) return this.tree.search(x, y, x, y);
    const found: number[] = [];
    if (!(x >= this.x0 && x <= this.x1 && y >= this.y0 && y <= this.y1)) return found;
    const cell = this.row(y) * this.side + this.column(x);
    const b = this.boxes;
    for (let e = this.start[cell]!, end = this.start[cell + 1]!; e < end; e++) {
      const k = this.items[e]!;
      if (x >= b[4 * k]! && y >= b[4 * k + 1]! && x <= b[4 * k + 2]! && y <= b[4 * k + 3]!) found.push(k);
    }
    return found;
  }
}

class LoadedPieceIndex implements PieceIndex {
  private readonly grid: PointGrid;

  constructor(
    private readonly c: IndexColumns,
    readonly from: "file" | "table",
  ) {
    this.grid = new PointGrid(c.tree, c.zones.length);
  }

  get size(): number {
    return this.c.zones.length;
  }

  get boxPieces(): number {
    return this.c.inner.length / 4;
  }

  get gridSize(): { cells: number; entries: number } {
    return this.grid.size;
  }

  candidates(lon: number, lat: number): number[] {
    return this.grid.search(lon, lat);
  }

  surelyCovers(piece: number, lon: number, lat: number): boolean {
    const slot = this.c.boxSlot[piece] as number;
    if (slot < 0) return false;
    const inner = this.c.inner;
    const at = 4 * slot;
    return lon > inner[at]! && lat > inner[at + 1]! && lon < inner[at + 2]! && lat < inner[at + 3]!;
  }

  block(piece: number): number {
    return this.c.blocks[piece] as number;
  }

  offset(piece: number): number {
    return this.c.offsets[piece] as number;
  }

  zoneId(piece: number): number {
    return this.c.zones[piece] as number;
  }
}

/** Growable columns filled from the COPY stream (the number of pieces is not known in advance). */
export class PieceColumns {
  n = 0;
  blocks = new Uint32Array(1 << 16);
  offsets = new Uint16Array(1 << 16);
  zones = new Float64Array(1 << 16);
  boxes = new Float64Array(4 << 16);
  isBox = new Uint8Array(1 << 16);

  /** The tuple at `at` (each field after its int32 length, fixed in this query). */
  push(buf: Buffer, at: number): void {
    if (this.n === this.zones.length) this.grow();
    const n = this.n++;
    this.blocks[n] = buf.readUInt32BE(at + 2 + 4);
    this.offsets[n] = buf.readUInt16BE(at + 2 + 4 + 4);
    // zone ids are below 2^53 (JavaScript numbers everywhere else): two halves, no BigInt per piece
    this.zones[n] = buf.readInt32BE(at + 2 + 10 + 4) * 2 ** 32 + buf.readUInt32BE(at + 2 + 10 + 4 + 4);
    let o = at + 2 + 10 + 12 + 4;
    for (let k = 0; k < 4; k++, o += 12) this.boxes[4 * n + k] = buf.readDoubleBE(o);
    this.isBox[n] = buf[o] as number;
  }

  private grow(): void {
    const size = this.zones.length * 2;
    const grown = <T extends Uint32Array | Uint16Array | Uint8Array | Float64Array>(a: T, made: T): T => {
      made.set(a);
      return made;
    };
    this.blocks = grown(this.blocks, new Uint32Array(size));
    this.offsets = grown(this.offsets, new Uint16Array(size));
    this.zones = grown(this.zones, new Float64Array(size));
    this.boxes = grown(this.boxes, new Float64Array(4 * size));
    this.isBox = grown(this.isBox, new Uint8Array(size));
  }
}

function badCopy(what: string): Error {
  return new Error(`unexpected binary COPY data from piece-boxes.sql: ${what}`);
}

const NOTHING = Buffer.alloc(0);

/**
 * Reads the tuples of the COPY stream as they arrive (PostgreSQL sends one message a tuple, so most chunks are
 * one whole tuple); a tuple split across chunks waits for the rest in `rest`.
 */
export async function readPieceColumns(stream: AsyncIterable<Buffer>): Promise<PieceColumns> {
  const cols = new PieceColumns();
  let rest = NOTHING;
  let headerSeen = false;
  let ended = false;
  for await (const chunk of stream) {
    let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    if (!headerSeen) {
      if (buf.length < COPY_HEADER_BYTES) {
        rest = Buffer.from(buf);
        continue;
      }
      buf = buf.subarray(COPY_HEADER_BYTES + buf.readUInt32BE(15));
      headerSeen = true;
    }
    let at = 0;
    while (at + 2 <= buf.length) {
      const fields = buf.readInt16BE(at);
      if (fields === -1) {
        ended = true;
        at += 2;
        break;
      }
      if (fields !== FIELDS) throw badCopy(`${fields} fields in a tuple`);
      if (at + TUPLE_BYTES > buf.length) break;
      cols.push(buf, at);
      at += TUPLE_BYTES;
    }
    // copied: the stream may reuse the chunk's memory
    rest = at === buf.length ? NOTHING : Buffer.from(buf.subarray(at));
  }
  if (!ended) throw badCopy("no trailer");
  return cols;
}

/** The binary COPY of piece-boxes.sql for a version: what readPieceColumns reads. */
export function pieceBoxesCopy(ref: ServedRef) {
  return copyTo(loadSql(import.meta.url, "sql/piece-boxes.sql", { schema: ref.schema }));
}

function indexOf(cols: PieceColumns): IndexColumns {
  const n = cols.n;
  const tree = new Flatbush(Math.max(n, 1));
  // grown by the distance within which a cut piece defers to the full boundary: a point that near a piece is
  // one covering-pieces.sql would test against it
  const g = NEAR_CUT_DEGREES;
  const m = SURE_MARGIN_DEGREES;
  const b = cols.boxes;
  const boxSlot = new Int32Array(n).fill(-1);
  let boxPieces = 0;
  for (let k = 0; k < n; k++) if (cols.isBox[k]) boxSlot[k] = boxPieces++;
  const inner = new Float64Array(4 * boxPieces);
  for (let k = 0; k < n; k++) {
    tree.add(b[4 * k]! - g, b[4 * k + 1]! - g, b[4 * k + 2]! + g, b[4 * k + 3]! + g);
    const slot = boxSlot[k] as number;
    if (slot < 0) continue;
    // a box thinner than twice the margin is left empty (min > max): it surely covers nothing
    inner.set([b[4 * k]! + m, b[4 * k + 1]! + m, b[4 * k + 2]! - m, b[4 * k + 3]! - m], 4 * slot);
  }
  if (n === 0) tree.add(Infinity, Infinity, Infinity, Infinity); // flatbush needs one box; it holds no point
  tree.finish();
  return {
    tree,
    blocks: cols.blocks.slice(0, n),
    offsets: cols.offsets.slice(0, n),
    zones: cols.zones.slice(0, n),
    boxSlot,
    inner,
  };
}

async function scanPieces(pool: pg.Pool, ref: ServedRef): Promise<IndexColumns> {
  const client = await pool.connect();
  let cols: PieceColumns;
  try {
    cols = await readPieceColumns(client.query(pieceBoxesCopy(ref)));
  } finally {
    client.release();
  }
  return indexOf(cols);
}

// ---- the file of an index ----------------------------------------------------------------------------------
// "COSMOPX1", the header's length (uint32 LE), the header (JSON: the stamp and the counts), then each column as
// its bytes in memory (this machine's byte order, named in the header), each from an 8-byte boundary, and last
// the CRC-32 (uint32 LE) of everything before it.

const MAGIC = Buffer.from("COSMOPX1", "latin1");
/** Index files kept in a directory, the most recently used (a test run makes one per test database). */
const KEEP_FILES = 8;
const FILE_SUFFIX = ".pieces";

/** The stamp of a build of zone_pieces (sql/piece-index-stamp.sql), as text. */
type Stamp = string;

export interface FileHeader {
  stamp: Stamp;
  endianness: string;
  pieces: number;
  boxPieces: number;
  treeBytes: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Where each column of the file starts, and where the CRC is. */
function fileLayout(headerStart: number, h: FileHeader) {
  let at = align8(headerStart);
  const next = (bytes: number) => {
    const start = at;
    at = align8(at + bytes);
    return start;
  };
  const blocks = next(4 * h.pieces);
  const offsets = next(2 * h.pieces);
  const zones = next(8 * h.pieces);
  const boxSlot = next(4 * h.pieces);
  const inner = next(32 * h.boxPieces);
  const tree = next(h.treeBytes);
  return { blocks, offsets, zones, boxSlot, inner, tree, crc: at, total: at + 4 };
}

async function readStamp(pool: pg.Pool, ref: ServedRef): Promise<Stamp | null> {
  const { rows } = await pool.query<Record<string, string>>(loadSql(import.meta.url, "sql/piece-index-stamp.sql"), [
    ref.schema,
  ]);
  const row = rows[0];
  return row ? [row.cluster, row.database, row.table, row.file_node, row.bytes].join(" ") : null;
}

/** The file of a version's index: one per cluster, database and schema (the stamp inside names the build). */
export function pieceIndexFile(dir: string, stamp: Stamp, ref: ServedRef): string {
  const [cluster, database] = stamp.split(" ");
  return join(dir, `${cluster}-${database}-${ref.schema}${FILE_SUFFIX}`);
}

/**
 * The header of an index file and where its columns are, when it is whole (its CRC and length right); else what
 * is wrong with it. Exported for the tests, which alter files.
 */
export function indexFileLayout(buf: Buffer): { header: FileHeader; at: ReturnType<typeof fileLayout> } | string {
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return "not an index file";
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) return "checksum";
  const headerBytes = buf.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  let header: FileHeader;
  try {
    header = JSON.parse(buf.toString("utf8", headerStart, headerStart + headerBytes)) as FileHeader;
  } catch {
    return "header";
  }
  const at = fileLayout(headerStart + headerBytes, header);
  return at.total === buf.length ? { header, at } : "length";
}

/** The index kept in `file` when it is whole and of the build `stamp`; null otherwise (absent, stale, damaged). */
async function readIndexFile(file: string, stamp: Stamp): Promise<IndexColumns | null> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOENT") log.warn({ err: String(err), file }, "locate index unreadable");
    return null;
  }
  const read = indexFileLayout(buf);
  if (typeof read === "string") {
    log.warn({ file, why: read }, "locate index file damaged: rebuilt from the table");
    return null;
  }
  const { header: h, at } = read;
  if (h.stamp !== stamp || h.endianness !== endianness()) return null; // another build of the pieces
  // the typed arrays need 8-byte aligned offsets in their buffer: a copy when the read one is not
  const data = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
  const ab = data.buffer;
  const o = data.byteOffset;
  return {
    tree: Flatbush.from(ab, o + at.tree),
    blocks: new Uint32Array(ab, o + at.blocks, h.pieces),
    offsets: new Uint16Array(ab, o + at.offsets, h.pieces),
    zones: new Float64Array(ab, o + at.zones, h.pieces),
    boxSlot: new Int32Array(ab, o + at.boxSlot, h.pieces),
    inner: new Float64Array(ab, o + at.inner, 4 * h.boxPieces),
  };
}

/** Writes the index to `file` (whole or not at all: a temporary file renamed), then drops the least used ones. */
async function writeIndexFile(file: string, dir: string, stamp: Stamp, c: IndexColumns): Promise<void> {
  const h: FileHeader = {
    stamp,
    endianness: endianness(),
    pieces: c.zones.length,
    boxPieces: c.inner.length / 4,
    treeBytes: c.tree.data.byteLength,
  };
  const header = Buffer.from(JSON.stringify(h), "utf8");
  const headerStart = MAGIC.length + 4;
  const at = fileLayout(headerStart + header.length, h);
  const buf = Buffer.alloc(at.total);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(header.length, MAGIC.length);
  header.copy(buf, headerStart);
  const put = (a: ArrayBufferView, start: number) => {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(buf, start);
  };
  put(c.blocks, at.blocks);
  put(c.offsets, at.offsets);
  put(c.zones, at.zones);
  put(c.boxSlot, at.boxSlot);
  put(c.inner, at.inner);
  put(new Uint8Array(c.tree.data), at.tree); // a built tree's own buffer, from its start
  buf.writeUInt32LE(crc32(buf.subarray(0, at.crc)), at.crc);
  // its own temporary name (two loads of one version at once, two pools of a process, each write their own), and
  // the leftovers of a process killed mid-write removed
  await writeLocalFile(file, buf);
  const files = await readdir(dir);
  const kept = await Promise.all(
    files
      .filter((f) => f.endsWith(FILE_SUFFIX))
      .map(async (f) => ({ f, used: (await stat(join(dir, f)).catch(() => null))?.mtimeMs ?? 0 })),
  );
  kept.sort((a, b) => b.used - a.used);
  for (const { f } of kept.slice(KEEP_FILES))
    if (join(dir, f) !== file) await unlink(join(dir, f)).catch(() => undefined);
}

export interface PieceIndexOptions {
  /** Directory of the index files (config api.locateIndexDir); unset or "": built from the table, not kept. */
  dir?: string;
  /** Built from the table whatever the file holds (the loaded index turned out stale), and written again. */
  fresh?: boolean;
}

export async function loadPieceIndex(pool: pg.Pool, ref: ServedRef, opts: PieceIndexOptions = {}): Promise<PieceIndex> {
  const dir = opts.dir;
  // read before the scan: a build replaced during the scan leaves a file of the old stamp, rebuilt next time
  // a database that refuses the stamp's query (a role without pg_control_system) locates all the same, unkept; a
  // database that is down fails the scan just after, with its own error
  const stamp = dir
    ? await readStamp(pool, ref).catch((err: unknown) => {
        log.warn({ err: String(err) }, "locate index: no stamp of the pieces, the index is not kept");
        return null;
      })
    : null;
  if (!dir || stamp === null) return new LoadedPieceIndex(await scanPieces(pool, ref), "table");
  const file = pieceIndexFile(dir, stamp, ref);
  if (!opts.fresh) {
    const kept = await readIndexFile(file, stamp);
    if (kept) {
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined); // recently used: kept by writeIndexFile's pruning
      return new LoadedPieceIndex(kept, "file");
    }
  }
  const built = await scanPieces(pool, ref);
  // not keeping it (a read-only or full disk) costs the next run the scan, nothing else
  await writeIndexFile(file, dir, stamp, built).catch((err) =>
    log.warn({ err: String(err), file }, "locate index not kept"),
  );
  return new LoadedPieceIndex(built, "table");
}
