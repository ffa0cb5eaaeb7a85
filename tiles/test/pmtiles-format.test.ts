// The PMTiles v3 encoding against the `pmtiles` package (the reference reader that MapLibre's pmtiles protocol
// uses) as the oracle: tile ids, and whole archives read back tile by tile — one small enough for a root
// directory only, one that needs leaf directories.
import { join } from "node:path";
import { PMTiles, tileIdToZxy as refIdToZxy, zxyToTileId as refZxyToId } from "pmtiles";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../core/seeded-random.ts";
import { tmpDir } from "../../core/testing.ts";
import {
  Compression,
  decodeDirectory,
  decodeHeader,
  Entries,
  encodeDirectory,
  encodeHeader,
  HEADER_BYTES,
  type Header,
  TileType,
  tileIdToZxy,
  zxyToTileId,
} from "../pmtiles/format.ts";
import { PmtilesWriter } from "../pmtiles/writer.ts";
import { FileSource } from "./pmtiles-source.ts";

describe("tile ids", () => {
  it("match the reference on every tile of z0-z7 and on random tiles up to z26, both ways", () => {
    for (let z = 0; z <= 7; z++) {
      const n = 2 ** z;
      for (let x = 0; x < n; x++) {
        for (let y = 0; y < n; y++) {
          const id = zxyToTileId(z, x, y);
          expect(id).toBe(refZxyToId(z, x, y));
          expect(tileIdToZxy(id)).toEqual([z, x, y]);
        }
      }
    }
    const random = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      const z = 8 + Math.floor(random() * 19);
      const x = Math.floor(random() * 2 ** z);
      const y = Math.floor(random() * 2 ** z);
      const id = zxyToTileId(z, x, y);
      expect(id).toBe(refZxyToId(z, x, y));
      expect(tileIdToZxy(id)).toEqual(refIdToZxy(id));
    }
  });

  it("refuse tiles outside the zoom's grid and zooms beyond exact doubles", () => {
    expect(() => zxyToTileId(3, 8, 0)).toThrow(/outside the zoom's 8×8 grid/);
    expect(() => zxyToTileId(27, 0, 0)).toThrow(/outside 0\.\.26/);
    expect(() => tileIdToZxy(-1)).toThrow(RangeError);
  });
});

describe("header and directories", () => {
  it("decode to what was encoded, offsets past 4 GiB included", () => {
    const h: Header = {
      rootDirectoryOffset: HEADER_BYTES,
      rootDirectoryLength: 321,
      metadataOffset: 448,
      metadataLength: 99,
      leafDirectoriesOffset: 547,
      leafDirectoriesLength: 2 ** 33 + 5,
      tileDataOffset: 2 ** 33 + 552,
      tileDataLength: 2 ** 40,
      addressedTiles: 123_456_789,
      tileEntries: 1_000_000,
      tileContents: 654_321,
      clustered: true,
      internalCompression: Compression.Gzip,
      tileCompression: Compression.Gzip,
      tileType: TileType.Mvt,
      minZoom: 0,
      maxZoom: 14,
      bounds: [-179.9999999, -85.0511287, 179.9999999, 85.0511287],
      centerZoom: 6,
      center: [6.1296, 49.6116],
    };
    expect(decodeHeader(encodeHeader(h))).toEqual(h);

    const e = new Entries();
    const random = seededRandom(3);
    let id = 0;
    let offset = 0;
    for (let i = 0; i < 5000; i++) {
      id += 1 + Math.floor(random() * 40);
      const length = 1 + Math.floor(random() * 5000);
      // most tiles follow the previous one's bytes; some point back to an earlier (deduplicated) content
      const at = random() < 0.2 && i > 0 ? e.offset[Math.floor(random() * i)] : offset;
      e.push(id, at, length, 1 + Math.floor(random() * 3));
      if (at === offset) offset += length;
      id += e.runLength[i] - 1;
    }
    e.push(id + 1, 2 ** 35, 17, 1);
    expect(decodeDirectory(encodeDirectory(e))).toEqual(e);
  });
});

/** A synthetic archive: `tiles` ids from z0 up with contents drawn from `distinct` kinds; runs of equal tiles. */
async function syntheticArchive(tiles: number, distinct: number) {
  const dir = tmpDir("pmtiles");
  const writer = new PmtilesWriter(join(dir, "data.tmp"));
  const random = seededRandom(tiles);
  const content = (k: number) => Buffer.from(`tile content ${k} `.repeat(1 + (k % 7)));
  const expected = new Map<number, Buffer>();
  let kind = 0;
  let id = 0;
  for (let i = 0; i < tiles; i++) {
    if (random() < 0.5) kind = Math.floor(random() * distinct); // else: same as the previous tile (a run)
    id += random() < 0.8 ? 1 : 2 + Math.floor(random() * 50); // gaps are empty tiles
    const bytes = content(kind);
    await writer.add(id, bytes, `k${kind}`);
    expected.set(id, bytes);
  }
  const out = join(dir, "synthetic.pmtiles");
  const summary = await writer.finish(out, join(dir, "partial.tmp"), {
    tileType: TileType.Mvt,
    tileCompression: Compression.None,
    minZoom: 0,
    maxZoom: tileIdToZxy(id)[0],
    bounds: [-180, -85, 180, 85],
    center: [0, 0],
    centerZoom: 0,
    metadata: { name: "synthetic", vector_layers: [] },
  });
  return { out, summary, expected, lastId: id };
}

async function expectReadBack(archive: Awaited<ReturnType<typeof syntheticArchive>>) {
  const reader = new PMTiles(new FileSource(archive.out));
  const header = await reader.getHeader();
  expect(header).toMatchObject({
    specVersion: 3,
    clustered: true,
    numAddressedTiles: archive.expected.size,
    numTileEntries: archive.summary.tileEntries,
    numTileContents: archive.summary.tileContents,
  });
  expect(await reader.getMetadata()).toEqual({ name: "synthetic", vector_layers: [] });
  for (let id = 0; id <= archive.lastId + 1; id++) {
    const want = archive.expected.get(id);
    // every tile, and the first id of every gap
    if (!want && id > 0 && !archive.expected.has(id - 1)) continue;
    const [z, x, y] = tileIdToZxy(id);
    const got = await reader.getZxy(z, x, y);
    if (!want) expect(got, `tile id ${id} is empty`).toBeUndefined();
    else expect(Buffer.from(got?.data ?? new ArrayBuffer(0)).equals(want), `tile id ${id}`).toBe(true);
  }
}

describe("archives", () => {
  it("a small archive: root directory only; equal tiles stored once, consecutive ones as runs", async () => {
    const archive = await syntheticArchive(3000, 40);
    expect(archive.summary.leafDirectories).toBe(0);
    expect(archive.summary.tileContents).toBe(40);
    expect(archive.summary.tileEntries).toBeLessThan(archive.summary.addressedTiles);
    await expectReadBack(archive);
  });

  it("a large archive: leaf directories, every tile still found", async () => {
    const archive = await syntheticArchive(40_000, 4000);
    expect(archive.summary.leafDirectories).toBeGreaterThan(1);
    await expectReadBack(archive);
  });

  it("tiles out of order or empty are refused", async () => {
    const writer = new PmtilesWriter(join(tmpDir("pmtiles"), "data.tmp"));
    await writer.add(5, Buffer.from("a"), "a");
    await expect(writer.add(5, Buffer.from("b"), "b")).rejects.toThrow(/ids must ascend/);
    await expect(writer.add(6, Buffer.alloc(0), "e")).rejects.toThrow(/leave empty tiles out/);
    await writer.abort();
  });
});
