// bench-export's pure parts on an archive written by the real writer (big enough for leaf directories): the tile
// list read back from the directories is every tile added, at byte ranges holding its bytes; the counts see the
// runs and the shared contents; a Range header built for a tile, sent to the bench's nginx, answers its bytes.
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { tmpDir } from "../../../core/testing.ts";
import { Compression, TileType, zxyToTileId } from "../../../tiles/pmtiles/format.ts";
import { PmtilesWriter } from "../../../tiles/pmtiles/writer.ts";
import { FileSource } from "../../../tiles/test/pmtiles-source.ts";
import { startStaticNginx } from "../../serve/nginx.ts";
import { archiveCounts, archiveTiles, drawTiles, rangeHeader, tileEntries, tilePath } from "../archive.ts";

const Z = 9;
const TILES = 40_000;
/** A fixed pseudo-random number per tile: lengths and id gaps irregular enough to need leaf directories. */
const scramble = (i: number) => Math.imul(i + 1, 2654435761) >>> 16;
/** Tiles 100..149 are one run of identical bytes; every 7th tile shares one content with the others of its kind. */
function content(i: number): Buffer {
  if (i >= 100 && i < 150) return Buffer.from("interior");
  if (i % 7 === 0) return Buffer.from("sea");
  return Buffer.from(`tile ${i} ${"x".repeat(scramble(i) % 300)}`);
}

let dir: string;
let archive: string;
let added: Map<number, Buffer>;
let leafDirectories: number;

beforeAll(async () => {
  dir = tmpDir("bench-export");
  // nginx's worker (nobody, under root) must read the archive
  chmodSync(dir, 0o755);
  archive = join(dir, "a.pmtiles");
  const writer = new PmtilesWriter(join(dir, "data"));
  added = new Map();
  // ids of the zoom with gaps, except around the run (equal neighbours must be consecutive ids to make one)
  let id = zxyToTileId(Z, 0, 0) - 1;
  for (let i = 0; i < TILES; i++) {
    id += i >= 100 && i < 150 ? 1 : 1 + (scramble(i) % 3);
    const bytes = content(i);
    added.set(id, bytes);
    await writer.add(id, bytes, bytes.toString("hex"));
  }
  const summary = await writer.finish(archive, join(dir, "partial"), {
    tileType: TileType.Mvt,
    tileCompression: Compression.None,
    minZoom: Z,
    maxZoom: Z,
    bounds: [-180, -85, 180, 85],
    center: [0, 0],
    centerZoom: Z,
    metadata: {},
  });
  leafDirectories = summary.leafDirectories;
});

describe("bench-export archive reading", () => {
  test("the tile list from the directories is every tile added, each range holding its bytes", async () => {
    expect(leafDirectories, "the archive must exercise leaf directories").toBeGreaterThan(0);
    const { header, entries } = await tileEntries(new FileSource(archive));
    const tiles = archiveTiles(header, entries);
    const file = readFileSync(archive);
    expect(tiles).toHaveLength(TILES);
    const seen = new Set<number>();
    for (const t of tiles) {
      const id = zxyToTileId(t.z, t.x, t.y);
      seen.add(id);
      expect(file.subarray(t.offset, t.offset + t.length).equals(added.get(id) as Buffer), `${t.z}/${t.x}/${t.y}`).toBe(
        true,
      );
    }
    expect(seen.size).toBe(TILES);
  });

  test("counts: tiles, distinct contents, entries and run-length entries", async () => {
    const { entries } = await tileEntries(new FileSource(archive));
    const c = archiveCounts(entries);
    const distinct = new Set([...added.values()].map((b) => b.toString("hex")));
    expect(c.tiles).toBe(TILES);
    expect(c.distinct).toBe(distinct.size);
    // the 50 identical tiles are one entry; "sea" tiles are never next to each other
    expect(c.runEntries).toBe(1);
    expect(c.entries).toBe(TILES - 49);
    expect(c.sumOfTileBytes).toBe([...added.values()].reduce((s, b) => s + b.length, 0));
    expect(c.tileDataBytes).toBe([...distinct].reduce((s, h) => s + h.length / 2, 0));
  });

  test("a tile's Range header, sent to nginx, answers exactly its bytes", async () => {
    const { header, entries } = await tileEntries(new FileSource(archive));
    const drawn = drawTiles(archiveTiles(header, entries), 20, 1901);
    expect(new Set(drawn.map(tilePath)).size).toBeGreaterThan(1);
    expect(drawTiles(archiveTiles(header, entries), 20, 1901)).toEqual(drawn);
    const nginx = await startStaticNginx(dir);
    try {
      for (const t of drawn) {
        const res = await fetch(`${nginx.url}/a.pmtiles`, { headers: { range: rangeHeader(t) } });
        expect(res.status).toBe(206);
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.equals(added.get(zxyToTileId(t.z, t.x, t.y)) as Buffer)).toBe(true);
      }
    } finally {
      nginx.stop();
    }
  });
});
