// The in-memory index of bulk locate: the bounding box of every lookup piece of a version (zone_pieces), with
// the piece's row address (ctid) and its zone, in a packed R-tree (flatbush). It answers "which pieces may
// cover this point" in a microsecond, without the database; the exact test of those few pieces stays in
// PostGIS, which fetches each by its ctid (covered-pairs.sql) instead of probing its GiST index. The GiST
// probe was most of the database's time per point (see docs/api.md, "Bulk locate").
//
// Memory: ~50 bytes a piece (~45 MB for the 832 k pieces of the 12×12 grid); loading it is one sequential scan
// of zone_pieces (about a second on the grid). A published version's zone_pieces is never rewritten, so a
// ctid stays valid; covered-pairs.sql still checks every pair's zone, and a mismatch reloads the index.
import Flatbush from "flatbush";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { ServedRef } from "../../core/serving/served-dataset.ts";
import { loadSql } from "../../core/sql.ts";
import { NEAR_CUT_DEGREES } from "../queries.ts";

export interface PieceIndex {
  /** Number of pieces. */
  readonly size: number;
  /** Pieces whose box, grown by NEAR_CUT_DEGREES, holds the point (edges included): indexes into the arrays. */
  candidates(lon: number, lat: number): number[];
  /** The piece's ctid: its block and its offset in the block. */
  block(piece: number): number;
  offset(piece: number): number;
  zoneId(piece: number): number;
}

/** Binary COPY: signature, flags, header extension length. */
const COPY_HEADER_BYTES = 11 + 4 + 4;
/** One tuple of piece-boxes.sql: field count, then ctid (6 bytes), zone_id (8), four float8, each with its length. */
const TUPLE_BYTES = 2 + (4 + 6) + (4 + 8) + 4 * (4 + 8);
const FIELDS = 6;

class LoadedPieceIndex implements PieceIndex {
  constructor(
    private readonly boxes: Flatbush,
    private readonly blocks: Uint32Array,
    private readonly offsets: Uint16Array,
    private readonly zones: Float64Array,
  ) {}

  get size(): number {
    return this.zones.length;
  }

  candidates(lon: number, lat: number): number[] {
    return this.boxes.search(lon, lat, lon, lat);
  }

  block(piece: number): number {
    return this.blocks[piece] as number;
  }

  offset(piece: number): number {
    return this.offsets[piece] as number;
  }

  zoneId(piece: number): number {
    return this.zones[piece] as number;
  }
}

/** Growable columns filled from the COPY stream (the number of pieces is not known in advance). */
export class PieceColumns {
  n = 0;
  blocks = new Uint32Array(1 << 16);
  offsets = new Uint16Array(1 << 16);
  zones = new Float64Array(1 << 16);
  boxes = new Float64Array(4 << 16);

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
  }

  private grow(): void {
    const size = this.zones.length * 2;
    const grown = <T extends Uint32Array | Uint16Array | Float64Array>(a: T, made: T): T => {
      made.set(a);
      return made;
    };
    this.blocks = grown(this.blocks, new Uint32Array(size));
    this.offsets = grown(this.offsets, new Uint16Array(size));
    this.zones = grown(this.zones, new Float64Array(size));
    this.boxes = grown(this.boxes, new Float64Array(4 * size));
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

export async function loadPieceIndex(pool: pg.Pool, ref: ServedRef): Promise<PieceIndex> {
  const client = await pool.connect();
  let cols: PieceColumns;
  try {
    cols = await readPieceColumns(client.query(pieceBoxesCopy(ref)));
  } finally {
    client.release();
  }
  const n = cols.n;
  const boxes = new Flatbush(Math.max(n, 1));
  // grown by the distance within which a cut piece defers to the full boundary: a point that near a piece is
  // one covering-pieces.sql would test against it
  const g = NEAR_CUT_DEGREES;
  const b = cols.boxes;
  for (let k = 0; k < n; k++) boxes.add(b[4 * k]! - g, b[4 * k + 1]! - g, b[4 * k + 2]! + g, b[4 * k + 3]! + g);
  if (n === 0) boxes.add(Infinity, Infinity, Infinity, Infinity); // flatbush needs one box; it holds no point
  boxes.finish();
  return new LoadedPieceIndex(boxes, cols.blocks.slice(0, n), cols.offsets.slice(0, n), cols.zones.slice(0, n));
}
