// Writes one PMTiles v3 archive from tiles given in ascending tile id order (clustered). Tile bytes go to a
// temporary data file as they come, so memory holds only the directory (four numbers per run of tiles) and one
// hash per distinct tile; identical tiles are stored once (a zone's interior tiles are all the same square) and
// consecutive ids with the same bytes become one entry with a run length.
//
// Layout (spec order): header | root directory | JSON metadata | leaf directories | tile data.
import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { finished, pipeline } from "node:stream/promises";
import { gzipSync } from "node:zlib";
import {
  Compression,
  Entries,
  encodeDirectory,
  encodeHeader,
  FIRST_REQUEST_BYTES,
  HEADER_BYTES,
  type Header,
  type TileType,
} from "./format.ts";

/** Entries per leaf directory to start with; doubled until the root directory fits the first request. */
const FIRST_LEAF_SIZE = 4096;

export interface ArchiveInfo {
  tileType: TileType;
  /** How the tiles given to add() are compressed. */
  tileCompression: Compression;
  minZoom: number;
  maxZoom: number;
  bounds: [number, number, number, number];
  center: [number, number];
  centerZoom: number;
  /** The JSON metadata (TileJSON-like: name, vector_layers, attribution…). */
  metadata: Record<string, unknown>;
}

export interface ArchiveSummary {
  addressedTiles: number;
  tileEntries: number;
  tileContents: number;
  tileDataBytes: number;
  /** Sum of the bytes of every addressed tile, as if each were stored (what deduplication saved). */
  addressedBytes: number;
  archiveBytes: number;
  leafDirectories: number;
}

export class PmtilesWriter {
  private readonly entries = new Entries();
  /** content hash → where its bytes are in the tile data */
  private readonly contents = new Map<string, { offset: number; length: number }>();
  private readonly data: WriteStream;
  private dataBytes = 0;
  private addressed = 0;
  private addressedBytes = 0;
  private lastId = -1;

  /** `dataFile`: where tile bytes wait until finish() (removed by finish() and abort()). */
  constructor(private readonly dataFile: string) {
    this.data = createWriteStream(dataFile);
  }

  /** Adds a tile (ids strictly ascending); `hash` identifies its content (equal hash = equal bytes). */
  async add(tileId: number, tile: Buffer, hash: string): Promise<void> {
    if (!(tileId > this.lastId)) throw new RangeError(`tile id ${tileId} after ${this.lastId}: ids must ascend`);
    if (tile.length === 0) throw new RangeError(`tile id ${tileId} is empty: leave empty tiles out`);
    let at = this.contents.get(hash);
    if (!at) {
      at = { offset: this.dataBytes, length: tile.length };
      this.contents.set(hash, at);
      this.dataBytes += tile.length;
      if (!this.data.write(tile)) await once(this.data, "drain");
    }
    this.addressed++;
    this.addressedBytes += tile.length;
    const e = this.entries;
    const last = e.size - 1;
    if (last >= 0 && e.tileId[last] + e.runLength[last] === tileId && e.offset[last] === at.offset) {
      e.runLength[last]++;
    } else {
      e.push(tileId, at.offset, at.length, 1);
    }
    this.lastId = tileId;
  }

  /** Writes the archive to `out` (through `out`'s temporary sibling `partial`, renamed at the end). */
  async finish(out: string, partial: string, info: ArchiveInfo): Promise<ArchiveSummary> {
    try {
      this.data.end();
      await once(this.data, "close");
      const { root, leaves, leafCount } = this.directories();
      const metadata = gzipSync(Buffer.from(JSON.stringify(info.metadata)));
      const header: Header = {
        rootDirectoryOffset: HEADER_BYTES,
        rootDirectoryLength: root.length,
        metadataOffset: HEADER_BYTES + root.length,
        metadataLength: metadata.length,
        leafDirectoriesOffset: HEADER_BYTES + root.length + metadata.length,
        leafDirectoriesLength: leaves.length,
        tileDataOffset: HEADER_BYTES + root.length + metadata.length + leaves.length,
        tileDataLength: this.dataBytes,
        addressedTiles: this.addressed,
        tileEntries: this.entries.size,
        tileContents: this.contents.size,
        clustered: true,
        internalCompression: Compression.Gzip,
        tileCompression: info.tileCompression,
        tileType: info.tileType,
        minZoom: info.minZoom,
        maxZoom: info.maxZoom,
        bounds: info.bounds,
        centerZoom: info.centerZoom,
        center: info.center,
      };
      const file = createWriteStream(partial);
      for (const part of [encodeHeader(header), root, metadata, leaves]) {
        if (!file.write(part)) await once(file, "drain");
      }
      await pipeline(createReadStream(this.dataFile), file);
      await rename(partial, out);
      return {
        addressedTiles: this.addressed,
        tileEntries: this.entries.size,
        tileContents: this.contents.size,
        tileDataBytes: this.dataBytes,
        addressedBytes: this.addressedBytes,
        archiveBytes: header.tileDataOffset + this.dataBytes,
        leafDirectories: leafCount,
      };
    } finally {
      await rm(partial, { force: true });
      await rm(this.dataFile, { force: true });
    }
  }

  /** Stops writing and removes the temporary data file. */
  async abort(): Promise<void> {
    // A write still queued fails on the destroyed stream ("Cannot call write after a stream was destroyed"): with
    // no listener that error was uncaught and killed the process before the export's own error was reported.
    // That error is expected here and says nothing the caller needs (the file goes): swallowed, and not allowed to
    // stand in for the error that made the caller abort.
    this.data.on("error", () => {});
    this.data.destroy();
    await finished(this.data).catch(() => {});
    await rm(this.dataFile, { force: true });
  }

  /** The root directory alone if it fits the first request with the header; else leaves of growing size. */
  private directories(): { root: Buffer; leaves: Buffer; leafCount: number } {
    const e = this.entries;
    const whole = encodeDirectory(e);
    if (HEADER_BYTES + whole.length <= FIRST_REQUEST_BYTES)
      return { root: whole, leaves: Buffer.alloc(0), leafCount: 0 };
    for (let leafSize = FIRST_LEAF_SIZE; ; leafSize *= 2) {
      const pointers = new Entries();
      const leaves: Buffer[] = [];
      let offset = 0;
      for (let from = 0; from < e.size; from += leafSize) {
        const leaf = encodeDirectory(e, from, Math.min(e.size, from + leafSize));
        pointers.push(e.tileId[from], offset, leaf.length, 0);
        leaves.push(leaf);
        offset += leaf.length;
      }
      const root = encodeDirectory(pointers);
      if (HEADER_BYTES + root.length <= FIRST_REQUEST_BYTES) {
        return { root, leaves: Buffer.concat(leaves), leafCount: leaves.length };
      }
    }
  }
}
