// What a PMTiles client knows once it holds an archive's directories, read with the `pmtiles` package (the reader
// MapLibre's pmtiles protocol uses): every addressed tile with the byte range of its content in the file, and
// the archive's counts (tiles, distinct contents, directory entries, entries that are runs). The bench then
// reads tiles as such a client does, one `Range: bytes=a-b` request per tile.
import { type Entry, type Header, PMTiles, type Source, tileIdToZxy } from "pmtiles";

export interface ArchiveTile {
  z: number;
  x: number;
  y: number;
  /** Absolute offset of the tile's bytes in the archive file, and their length. */
  offset: number;
  length: number;
}

export interface ArchiveCounts {
  /** Tiles addressed (a run of n identical consecutive tiles counts n). */
  tiles: number;
  /** Distinct tile contents stored (identical tiles share one). */
  distinct: number;
  /** Tile entries in the directories, and those of them covering more than one tile. */
  entries: number;
  runEntries: number;
  /** What the tiles would take stored one by one, and the tile data as stored. */
  sumOfTileBytes: number;
  tileDataBytes: number;
}

/** The header and every tile entry (run length ≥ 1), in tile id order, from the root directory and its leaves. */
export async function tileEntries(source: Source): Promise<{ header: Header; entries: Entry[] }> {
  const reader = new PMTiles(source);
  const header = await reader.getHeader();
  const entries: Entry[] = [];
  const walk = async (offset: number, length: number): Promise<void> => {
    for (const e of await reader.cache.getDirectory(source, offset, length, header)) {
      // run length 0: a pointer to a leaf directory, its offset relative to the leaf directories' section
      if (e.runLength === 0) await walk(header.leafDirectoryOffset + e.offset, e.length);
      else entries.push(e);
    }
  };
  await walk(header.rootDirectoryOffset, header.rootDirectoryLength);
  return { header, entries };
}

/** Every addressed tile with its absolute byte range (a run's tiles share one). */
export function archiveTiles(header: Header, entries: Entry[]): ArchiveTile[] {
  const tiles: ArchiveTile[] = [];
  for (const e of entries) {
    for (let k = 0; k < e.runLength; k++) {
      const [z, x, y] = tileIdToZxy(e.tileId + k);
      tiles.push({ z, x, y, offset: header.tileDataOffset + e.offset, length: e.length });
    }
  }
  return tiles;
}

/** The counts of the report's archive row. */
export function archiveCounts(entries: Entry[]): ArchiveCounts {
  const contents = new Map<number, number>();
  let tiles = 0;
  let sumOfTileBytes = 0;
  let runEntries = 0;
  for (const e of entries) {
    contents.set(e.offset, e.length);
    tiles += e.runLength;
    sumOfTileBytes += e.runLength * e.length;
    if (e.runLength > 1) runEntries++;
  }
  return {
    tiles,
    distinct: contents.size,
    entries: entries.length,
    runEntries,
    sumOfTileBytes,
    tileDataBytes: [...contents.values()].reduce((s, l) => s + l, 0),
  };
}

/** The Range header reading exactly one tile (HTTP ranges are inclusive at both ends). */
export function rangeHeader(t: Pick<ArchiveTile, "offset" | "length">): string {
  return `bytes=${t.offset}-${t.offset + t.length - 1}`;
}

/** The plain-file peer's path of a tile (as the tile server's URLs). */
export function tilePath(t: Pick<ArchiveTile, "z" | "x" | "y">): string {
  return `/tiles/${t.z}/${t.x}/${t.y}.pbf`;
}

/** `count` tiles drawn at random with a seeded generator (the same draw every run), repeats allowed. */
export function drawTiles(tiles: ArchiveTile[], count: number, seed: number): ArchiveTile[] {
  if (tiles.length === 0) throw new Error("bench-export: the archive has no tile");
  let s = seed >>> 0;
  const out: ArchiveTile[] = [];
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(tiles[s % tiles.length] as ArchiveTile);
  }
  return out;
}
