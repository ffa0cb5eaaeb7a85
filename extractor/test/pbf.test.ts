// The PBF decoder checked against osmium (an independent decoder) on the reference extracts.
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { PbfReader, PbfWriter } from "pbf";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture, tmpDir } from "../../core/testing.ts";
import { collectGarbage } from "../collect-garbage.ts";
import { IdSet, type Pass, type PassResult, PbfError, readPbf } from "../pbf/index.ts";
import { type OsmElement, parseOplLine } from "../pbf/opl.ts";
import { makeBigPbf } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cosmo-pbf-"));

function osmiumOpl(args: string[]): OsmElement[] {
  const out = execFileSync("osmium", [...args, "-f", "opl", "-o", "-"], { maxBuffer: 1 << 30 }).toString();
  return out
    .split("\n")
    .filter((l) => l)
    .map(parseOplLine);
}

const ADMIN = [[{ key: "boundary", values: ["administrative"] }]];

/** The extractor's pass sequence: admin relations, then their ways, then the nodes of both. */
async function boundaryPasses(
  file: string,
  threads: number,
): Promise<Omit<PassResult, "blobs" | "sorted" | "wayBlobBytes"> & { wayIds: IdSet }> {
  const rel = await readPbf(file, { relations: ADMIN }, { threads });
  const wayIds = IdSet.from(rel.relations.flatMap((r) => r.members.filter((m) => m.type === "way").map((m) => m.ref)));
  const ways = await readPbf(file, { ways: wayIds }, { threads });
  const nodeIds = IdSet.from([
    ...rel.relations.flatMap((r) => r.members.filter((m) => m.type === "node").map((m) => m.ref)),
    ...ways.ways.flatMap((w) => w.refs),
  ]);
  const nodes = await readPbf(file, { nodes: { ids: nodeIds, tags: [[{ key: "place" }]] } }, { threads });
  return {
    relations: rel.relations,
    ways: ways.ways,
    wayTable: null,
    mixedBlocks: false,
    nodes: nodes.nodes,
    coords: nodes.coords,
    wayIds,
  };
}

/** Compares a pass result with osmium's objects, field by field. */
function expectSameAs(result: Omit<PassResult, "blobs" | "sorted" | "wayBlobBytes">, expected: OsmElement[]): void {
  const nodes = expected.filter((e) => e.type === "node");
  const ways = expected.filter((e) => e.type === "way");
  const rels = expected.filter((e) => e.type === "relation");
  expect(result.relations).toEqual(rels);
  expect(result.ways).toEqual(ways);
  expect(result.coords.size).toBe(nodes.length);
  // One assertion for all nodes (an expect() per node would dominate the test's time).
  let maxErr = 0;
  const missing: number[] = [];
  for (const n of nodes) {
    const c = result.coords.get(n.id);
    if (!c) missing.push(n.id);
    else maxErr = Math.max(maxErr, Math.abs(c[0] - n.lon), Math.abs(c[1] - n.lat));
  }
  expect(missing).toEqual([]);
  expect(maxErr).toBeLessThan(1e-7);
  const tagged = nodes.filter((n) => Object.keys(n.tags).length > 0);
  expect(result.nodes.map((n) => n.id)).toEqual(tagged.map((n) => n.id));
  result.nodes.forEach((n, i) => {
    expect(n.tags).toEqual(tagged[i].tags);
    expect(Math.abs(n.lon - tagged[i].lon) + Math.abs(n.lat - tagged[i].lat)).toBeLessThan(1e-7);
  });
}

/** Offsets of the blobs of a PBF file, by walking its length prefixes (independently of the decoder). */
function blobOffsets(file: string): number[] {
  const buf = readFileSync(file);
  const offsets: number[] = [];
  for (let pos = 0; pos < buf.length; ) {
    offsets.push(pos);
    const hlen = buf.readUInt32BE(pos);
    const header = new PbfReader(buf.subarray(pos + 4, pos + 4 + hlen));
    const { size } = header.readFields(
      (tag, h: { size: number }, r) => {
        if (tag === 3) h.size = r.readVarint();
        else r.skip(r.type);
      },
      { size: 0 },
    );
    pos += 4 + hlen + size;
  }
  return offsets;
}

/** A blob framed as it stands in a file: length of its header, an "OSMData" BlobHeader, then the blob. */
function osmDataFrame(blobBytes: Uint8Array): Buffer {
  const blobHeader = new PbfWriter();
  blobHeader.writeStringField(1, "OSMData");
  blobHeader.writeVarintField(3, blobBytes.length);
  const headerBytes = blobHeader.finish();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerBytes.length);
  return Buffer.concat([len, headerBytes, blobBytes]);
}

async function pbfErrorOf(p: Promise<unknown>): Promise<PbfError> {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(PbfError);
  return e as PbfError;
}

const ALL_PASS: Pass = { relations: [[]], ways: "all", nodes: { ids: "all" } };

describe.each(["luxembourg_filtered.osm.pbf", "gatineau.osm.pbf"])("%s", (name) => {
  const file = fixture(name);
  let everything: OsmElement[];
  beforeAll(() => {
    everything = osmiumOpl(["cat", file]);
  });

  it("decodes every node, way and relation exactly as osmium does", async () => {
    const result = await readPbf(file, ALL_PASS, { threads: 2 });
    expect(result.relations.length).toBeGreaterThan(0);
    expectSameAs(result, everything);
  });

  it("keeps the administrative boundaries, their ways and nodes as osmium tags-filter does", async () => {
    const result = await boundaryPasses(file, 2);
    const expected = osmiumOpl(["tags-filter", file, "r/boundary=administrative"]);
    // osmium also adds relations that are members of the matched ones; the pass keeps only matching ones.
    const isAdmin = (e: OsmElement) => e.type !== "relation" || e.tags.boundary === "administrative";
    const place = everything.filter((e) => e.type === "node" && e.tags.place);
    const expectedNodes = new Map(
      [...expected.filter((e) => e.type === "node"), ...place].map((n) => [n.id, n] as const),
    );
    expectSameAs(result, [
      ...[...expectedNodes.values()].sort((a, b) => a.id - b.id),
      ...expected.filter((e) => e.type !== "node" && isAdmin(e)),
    ]);
  });
});

describe("readPbf", () => {
  const lux = fixture("luxembourg_filtered.osm.pbf");

  it("gives identical results with 1 and 2 threads and on the calling thread", async () => {
    const one = await boundaryPasses(lux, 1);
    const two = await boundaryPasses(lux, 2);
    const inline = await readPbf(lux, ALL_PASS, { threads: 0 });
    const all2 = await readPbf(lux, ALL_PASS, { threads: 2 });
    expect(two.relations).toEqual(one.relations);
    expect(two.ways).toEqual(one.ways);
    expect(two.nodes).toEqual(one.nodes);
    expect(two.coords.size).toBe(one.coords.size);
    const refs = one.ways.flatMap((w) => w.refs);
    expect(refs.map((r) => two.coords.get(r))).toEqual(refs.map((r) => one.coords.get(r)));
    expect(inline.relations).toEqual(all2.relations);
    expect(inline.ways).toEqual(all2.ways);
    expect(inline.nodes).toEqual(all2.nodes);
  });

  it("delivers ways as a flat table and id-wanted node coordinates into shared arrays, on request", async () => {
    const rel = await readPbf(lux, { relations: ADMIN }, { threads: 2 });
    const wayIds = IdSet.from(
      rel.relations.flatMap((r) => r.members.filter((m) => m.type === "way").map((m) => m.ref)),
    );
    const asObjects = await readPbf(lux, { ways: wayIds }, { threads: 2 });
    const asTable = await readPbf(lux, { ways: wayIds, waysAsTable: true }, { threads: 2 });
    expect(asTable.ways).toEqual([]);
    const t = asTable.wayTable!;
    const fromTable = Array.from(t.ids, (id, i) => ({
      id,
      refs: Array.from(t.refs.subarray(t.start[i], t.start[i + 1])),
    }));
    expect(fromTable).toEqual(asObjects.ways.map((w) => ({ id: w.id, refs: w.refs })));

    const missingId = 2 ** 50; // not in the file: its slot keeps its initial value
    const ids = IdSet.from([...t.refs, missingId]);
    const shared = () => new Int32Array(new SharedArrayBuffer(ids.size * 4)).fill(-1);
    const coordsAt = { lon: shared(), lat: shared() };
    for (const threads of [0, 2]) {
      coordsAt.lon.fill(-1);
      coordsAt.lat.fill(-1);
      const place = [[{ key: "place" }]];
      const plain = await readPbf(lux, { nodes: { ids, tags: place } }, { threads });
      const into = await readPbf(lux, { nodes: { ids, tags: place, coordsAt } }, { threads });
      expect(into.nodes).toEqual(plain.nodes); // tagged nodes are still delivered
      const expected = Array.from(ids.ids, (id) => plain.coords.get(id) ?? [-1e-7, -1e-7]);
      expect(Array.from(ids.ids, (_, i) => [coordsAt.lon[i] / 1e7, coordsAt.lat[i] / 1e7])).toEqual(expected);
      expect(coordsAt.lon[ids.positionOf(missingId)]).toBe(-1);
      // Only nodes kept for their tags alone are left in coords.
      const byTagsOnly = plain.nodes.filter((n) => !ids.has(n.id));
      expect(into.coords.size).toBe(byTagsOnly.length);
    }
  });

  it("decodes plain (non-dense) nodes and uncompressed blobs", async () => {
    const plain = join(dir, "plain.osm.pbf");
    execFileSync("osmium", [
      "cat",
      lux,
      "-o",
      plain,
      "-f",
      "pbf,pbf_dense_nodes=false,pbf_compression=none",
      "--overwrite",
    ]);
    expectSameAs(await readPbf(plain, ALL_PASS, { threads: 2 }), osmiumOpl(["cat", plain]));
  });

  it("looks up coordinates in a file whose nodes are not sorted by id", async () => {
    const opl = execFileSync("osmium", ["cat", fixture("gatineau.osm.pbf"), "-f", "opl", "-o", "-"]).toString();
    const lines = opl.split("\n").filter((l) => l);
    const nodes = lines.filter((l) => l.startsWith("n")).reverse();
    const unsorted = join(dir, "unsorted.osm.pbf");
    execFileSync("osmium", ["cat", "-F", "opl", "-", "-o", unsorted, "-f", "pbf", "--overwrite"], {
      input: [...nodes, ...lines.filter((l) => !l.startsWith("n"))].join("\n"),
    });
    const expected = osmiumOpl(["cat", unsorted]);
    expect(expected[0].id).toBeGreaterThan(expected[1].id); // really unsorted
    expectSameAs(await readPbf(unsorted, ALL_PASS, { threads: 2 }), expected);
  });

  it("bounds, from pass 1 alone (way blobs peeked, not inflated), the way nodes any pass can read", async () => {
    const compressed = join(dir, "bound.osm.pbf");
    copyFileSync(lux, compressed); // a path never read: pass 1 learns the way blobs by their peek
    const uncompressed = join(dir, "bound-plain.osm.pbf");
    execFileSync("osmium", ["cat", lux, "-o", uncompressed, "-f", "pbf,pbf_compression=none", "--overwrite"]);
    for (const file of [compressed, uncompressed]) {
      const p1 = await readPbf(file, { relations: ADMIN, singleKindBlocks: true }, { threads: 1 });
      const all = await readPbf(file, { ways: "all", waysAsTable: true }, { threads: 1 });
      const wayNodes = all.wayTable!.refs.length;
      expect(wayNodes).toBeGreaterThan(100_000);
      // an upper bound (a ref takes at least a byte), and a close one (not 256 a way member: ~10x)
      expect(p1.wayBlobBytes).toBeGreaterThanOrEqual(wayNodes);
      expect(p1.wayBlobBytes).toBeLessThan(3 * wayNodes);
    }
  });

  it("passes over a blob it framed before without reading its length and header again", async () => {
    const path = join(dir, "framed.osm.pbf");
    copyFileSync(lux, path);
    const sameTime = () => utimesSync(path, 1e9, 1e9); // the file counts as unchanged with its size and time
    sameTime();
    const rel = await readPbf(path, { relations: ADMIN, singleKindBlocks: true }, { threads: 1 });
    const wayIds = IdSet.from(
      rel.relations.flatMap((r) => r.members.filter((m) => m.type === "way").map((m) => m.ref)),
    );
    const expected = await readPbf(lux, { ways: wayIds }, { threads: 1 });
    // the first node blob's header garbled in place: a pass wanting ways would fail on it if it read it again
    const nodeBlob = blobOffsets(path)[1];
    const headerLength = readFileSync(path).readUInt32BE(nodeBlob);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(headerLength, 0xff), 0, headerLength, nodeBlob + 4);
    closeSync(fd);
    sameTime();
    const ways = await readPbf(path, { ways: wayIds, singleKindBlocks: true }, { threads: 1 });
    expect(ways.blobs.skipped).toBeGreaterThan(0);
    expect(ways.ways).toEqual(expected.ways);
    // a fresh read of the garbled file names the blob
    copyFileSync(path, join(dir, "garbled.osm.pbf"));
    await expect(readPbf(join(dir, "garbled.osm.pbf"), { ways: wayIds }, { threads: 1 })).rejects.toThrow(
      /corrupt blob header/,
    );
  });

  it("lets each pass's shared id set go once the pass ends: the decode workers collect it", async () => {
    const ids = 8_000_000; // 64 MB of ids a pass, shared with the workers
    const passes = 12;
    const rssAfterPass = async () => {
      const wanted = IdSet.sharedArray(ids);
      for (let i = 0; i < ids; i++) wanted[i] = 2 * i;
      const set = IdSet.adopt(wanted);
      await readPbf(lux, { nodes: { ids: set } }, { threads: 2 });
      collectGarbage(); // this thread's hold on the set
      return process.memoryUsage().rss;
    };
    const first = await rssAfterPass();
    let last = first;
    for (let p = 1; p < passes; p++) last = await rssAfterPass();
    // held by the workers until they collect it, each pass's set stayed: (passes - 1) × 64 MB more
    expect(last - first).toBeLessThan(256 * 1024 ** 2);
  }, 120_000);

  it("does not reuse what it learned about a file's blobs once the file has changed", async () => {
    const path = join(dir, "changing.osm.pbf");
    copyFileSync(lux, path);
    await readPbf(path, ALL_PASS, { threads: 1 }); // learns which blobs hold ways, relations, nodes
    copyFileSync(fixture("gatineau.osm.pbf"), path);
    const ways = await readPbf(path, { ways: "all" }, { threads: 1 });
    expect(ways.ways.map((w) => w.id)).toEqual(
      osmiumOpl(["cat", fixture("gatineau.osm.pbf"), "-t", "way"]).map((w) => w.id),
    );
  });

  it("reports progress up to the file size", async () => {
    const seen: number[] = [];
    const size = readFileSync(lux).length;
    await readPbf(lux, { relations: ADMIN }, { threads: 2, onProgress: (done, total) => seen.push(done, total) });
    expect(seen.at(-2)).toBe(size);
    expect(seen.at(-1)).toBe(size);
  });

  it("rejects a file that is not a PBF at offset 0", async () => {
    const garbage = join(dir, "garbage.osm.pbf");
    writeFileSync(garbage, "<?xml version='1.0'?><osm></osm>\n".repeat(50));
    const e = await pbfErrorOf(readPbf(garbage, ALL_PASS, { threads: 2 }));
    expect(e.offset).toBe(0);
    expect(e.file).toBe(garbage);
    expect(e.message).toMatch(/garbage\.osm\.pbf: byte 0: not an OSM PBF file/);
    expect(e.message).not.toContain("\n");
    expect(e.exitCode).toBe(2);
    const empty = join(dir, "empty.osm.pbf");
    writeFileSync(empty, "");
    expect((await pbfErrorOf(readPbf(empty, ALL_PASS))).message).toMatch(
      /byte 0: not an OSM PBF file: the file is empty/,
    );
  });

  it("names the blob that a truncated file cuts", async () => {
    const offsets = blobOffsets(lux);
    const cut = offsets[Math.floor(offsets.length / 2)] + 100;
    const truncated = join(dir, "truncated.osm.pbf");
    const fd = openSync(lux, "r");
    const buf = Buffer.alloc(cut);
    readSync(fd, buf, 0, cut, 0);
    closeSync(fd);
    writeFileSync(truncated, buf);
    const e = await pbfErrorOf(readPbf(truncated, ALL_PASS, { threads: 2 }));
    expect(e.offset).toBe(offsets[Math.floor(offsets.length / 2)]);
    expect(e.message).toMatch(/truncated\.osm\.pbf: byte \d+: truncated file/);
  });

  it("names the blob whose compressed data is corrupt", async () => {
    const offsets = blobOffsets(lux);
    const k = 2;
    const corrupt = join(dir, "corrupt.osm.pbf");
    copyFileSync(lux, corrupt);
    const buf = readFileSync(corrupt);
    const hlen = buf.readUInt32BE(offsets[k]);
    // Overwrite bytes well inside the blob's data (past the Blob's own field keys).
    buf.fill(0xff, offsets[k] + 4 + hlen + 40, offsets[k] + 4 + hlen + 80);
    writeFileSync(corrupt, buf);
    const e = await pbfErrorOf(readPbf(corrupt, ALL_PASS, { threads: 2 }));
    expect(e.offset).toBe(offsets[k]);
    expect(e.message).toMatch(/corrupt\.osm\.pbf: byte \d+: corrupt blob: /);
  });

  it("rejects an unsupported compression by name", async () => {
    const offsets = blobOffsets(lux);
    const header = readFileSync(lux).subarray(0, offsets[1]);
    const blob = new PbfWriter();
    blob.writeVarintField(2, 1000);
    blob.writeBytesField(4, new Uint8Array([1, 2, 3]));
    const lzma = join(dir, "lzma.osm.pbf");
    writeFileSync(lzma, Buffer.concat([header, osmDataFrame(blob.finish())]));
    const e = await pbfErrorOf(readPbf(lzma, ALL_PASS, { threads: 1 }));
    expect(e.offset).toBe(header.length);
    expect(e.message).toContain("unsupported blob compression lzma");
  });

  it("rejects an lz4-compressed file (as osmium writes it) by naming the compression", async () => {
    const lz4 = join(dir, "lz4.osm.pbf");
    execFileSync("osmium", ["cat", lux, "-o", lz4, "-f", "pbf,pbf_compression=lz4", "--overwrite"]);
    const e = await pbfErrorOf(readPbf(lz4, ALL_PASS, { threads: 2 }));
    expect(blobOffsets(lz4)).toContain(e.offset);
    expect(e.message).toContain("unsupported blob compression lz4");
  });

  it("skips blocks by their first group under singleKindBlocks, and tells when a block holds more", async () => {
    // One block holding dense nodes, then a way, then an admin relation (legal, though no writer does it).
    const strings = ["", "boundary", "administrative", "admin_level", "8", "name", "X", "outer"];
    const message = (w: PbfWriter, tag: number, write: (m: PbfWriter) => void) =>
      w.writeMessage(tag, (_: unknown, m: PbfWriter) => write(m), null);
    const block = new PbfWriter();
    message(block, 1, (t) => {
      for (const str of strings) t.writeBytesField(1, new TextEncoder().encode(str));
    });
    message(block, 2, (g) =>
      message(g, 2, (d) => {
        d.writePackedSVarint(1, [1, 1, 1, 1]); // ids 1..4, delta-coded
        d.writePackedSVarint(8, [0, 0, 100000, 0]);
        d.writePackedSVarint(9, [0, 100000, 0, -100000]);
      }),
    );
    message(block, 2, (g) =>
      message(g, 3, (w) => {
        w.writeVarintField(1, 10);
        w.writePackedSVarint(8, [1, 1, 1, 1, -3]); // 1 2 3 4 1
      }),
    );
    message(block, 2, (g) =>
      message(g, 4, (r) => {
        r.writeVarintField(1, 100);
        r.writePackedVarint(2, [1, 3, 5]);
        r.writePackedVarint(3, [2, 4, 6]);
        r.writePackedVarint(8, [7]);
        r.writePackedSVarint(9, [10]);
        r.writePackedVarint(10, [1]);
      }),
    );
    const raw = block.finish();
    const blob = new PbfWriter();
    blob.writeVarintField(2, raw.length);
    blob.writeBytesField(3, deflateSync(raw));
    const mixed = join(dir, "mixed.osm.pbf");
    writeFileSync(
      mixed,
      Buffer.concat([readFileSync(lux).subarray(0, blobOffsets(lux)[1]), osmDataFrame(blob.finish())]),
    );

    const guessing = { singleKindBlocks: true };
    const rel = await readPbf(mixed, { ...guessing, relations: ADMIN }, { threads: 2 });
    expect(rel.relations).toEqual([]); // the block starts with nodes: skipped on that guess
    expect(rel.mixedBlocks).toBe(false);
    const nodes = await readPbf(mixed, { ...guessing, nodes: { ids: IdSet.from([1, 2]) } }, { threads: 0 });
    expect(nodes.coords.size).toBe(2);
    expect(nodes.mixedBlocks).toBe(true); // decoded in full: it also holds a way and a relation
    const again = await readPbf(mixed, { relations: ADMIN }, { threads: 2 });
    expect(again.relations.map((r) => [r.id, r.tags.name, r.members])).toEqual([
      [100, "X", [{ type: "way", ref: 10, role: "outer" }]],
    ]);

    // The extractor's reader notices and reads such a file again without the assumption.
    const { readOsm } = await import("../osm-read.ts");
    const osm = await readOsm(mixed, { threads: 1 });
    expect(osm.relations.map((r) => r.id)).toEqual([100]);
    const row = osm.ways.row(10)!;
    const keys = Array.from(osm.ways.node.subarray(osm.ways.start[row], osm.ways.start[row + 1]));
    expect(keys.map((k) => [osm.ways.lon[k] / 1e7, osm.ways.lat[k] / 1e7])).toEqual([
      [0, 0],
      [0.01, 0],
      [0.01, 0.01],
      [0, 0.01],
      [0, 0],
    ]);

    // Read in batches of relations (extract under a memory budget), a fresh copy (nothing known of its blocks): the
    // first batch finds the block and says so, for the extract to start again without the guess.
    const { readRelations, MixedBlocksError } = await import("../osm-read.ts");
    const copy = join(tmpDir("pbf-mixed-batches"), "mixed-copy.osm.pbf");
    copyFileSync(mixed, copy);
    const read = await readRelations(copy, { threads: 1, pass: { singleKindBlocks: true } });
    const firstBatch = async () => {
      for await (const _ of read.batches(1)) return;
    };
    await expect(firstBatch()).rejects.toBeInstanceOf(MixedBlocksError);

    // Reading again is normal for such files: a debug message, not a warning.
    const script = join(tmpDir("pbf-mixed-log"), "read-mixed.mjs");
    writeFileSync(
      script,
      `import { register } from "tsx/esm/api";
      register();
      const { readOsm } = await import(${JSON.stringify(join(ROOT, "extractor/osm-read.ts"))});
      await readOsm(${JSON.stringify(mixed)}, { threads: 1 });`,
    );
    const stderrAt = (level: string) =>
      spawnSync(process.execPath, [script], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, COSMO_LOG_LEVEL: level, COSMO_LOG_FORMAT: "json" },
      }).stderr;
    expect(stderrAt("warn")).not.toMatch(/several kinds of elements/);
    const debugLines = stderrAt("debug")
      .split("\n")
      .filter((l) => l.includes("several kinds of elements"))
      .map((l) => JSON.parse(l));
    expect(debugLines.map((l) => l.level)).toEqual([20]);
  });

  it("runs its TypeScript workers under plain node with tsx registered, as bin/cosmo.js does", () => {
    // A script file under the project (so `tsx` resolves), registering tsx exactly like bin/cosmo.js.
    const script = join(tmpDir("pbf-node"), "read.mjs");
    writeFileSync(
      script,
      `import { register } from "tsx/esm/api";
      register();
      const { readPbf } = await import(${JSON.stringify(join(ROOT, "extractor/pbf/index.ts"))});
      const r = await readPbf(${JSON.stringify(lux)}, { relations: [[]], ways: "all" }, { threads: 2 });
      console.log(JSON.stringify([r.relations.length, r.ways.length]));`,
    );
    const run = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([304, 774]);
  });
});

describe("IdSet", () => {
  // A deterministic pseudo-random sequence (no Math.random: failures must reproduce).
  const lcg = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };

  it("sorts and de-duplicates large sets of ids up to 2^53 as a comparison sort does", () => {
    const next = lcg(7);
    const ranges = [2 ** 20, 2 ** 33, 1.44e12, Number.MAX_SAFE_INTEGER];
    for (const range of ranges) {
      const ids = Array.from({ length: 20000 }, () => Math.floor(next() * range));
      ids.push(ids[5], ids[17], 0); // duplicates and the smallest id
      const expected = [...new Set(ids)].sort((a, b) => a - b);
      expect(Array.from(IdSet.from(ids).ids)).toEqual(expected);
    }
    // Negative ids (unsaved JOSM edits) take the comparison sort.
    const mixed = Array.from({ length: 5000 }, (_, i) => (i % 2 ? -i : i * 3));
    expect(Array.from(IdSet.from(mixed).ids)).toEqual([...new Set(mixed)].sort((a, b) => a - b));
  });

  it("sorts in place on a shared buffer (adopt) and refuses an unshared one", () => {
    const shared = IdSet.sharedArray(4);
    shared.set([40, 10, 40, 30]);
    const set = IdSet.adopt(shared);
    expect(Array.from(set.ids)).toEqual([10, 30, 40]);
    expect(set.ids.buffer).toBe(shared.buffer);
    expect(() => IdSet.adopt(new Float64Array(3))).toThrow(TypeError);
  });

  it("finds the positions of ids queried in any order (forward and backward runs, jumps, absent ids)", () => {
    const next = lcg(11);
    const members = Array.from({ length: 5000 }, (_, i) => i * 3 + 2 ** 40);
    const set = IdSet.from(members);
    const query: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = next();
      if (r < 0.4)
        query.push(members[(query.length * 7) % members.length]); // forward jumps
      else if (r < 0.7)
        query.push(members[members.length - 1 - (i % members.length)]); // backward run
      else if (r < 0.9) query.push(members[Math.floor(next() * members.length)]);
      else query.push(2 ** 40 + Math.floor(next() * 15000) * 3 + 1); // never a member
    }
    query.push(0, 2 ** 52);
    const got = Array.from(set.positionsOf(Float64Array.from(query)));
    expect(got).toEqual(query.map((id) => members.indexOf(id)));
  });
});

describe("readPbf, the ways of a file sorted by type then id", () => {
  it("skips a way blob when no wanted way lies between its first way and the next blob's, and finds the same ways", async () => {
    // Luxembourg plus twice its boundary nodes in buildings and roads: several way blobs without boundary ways.
    const file = join(tmpDir("pbf-sorted"), "filler.osm.pbf");
    await makeBigPbf(file, 1, 2);
    const rel = await readPbf(file, { relations: ADMIN, singleKindBlocks: true }, { threads: 2 });
    const wayIds = rel.relations.flatMap((r) => r.members.filter((m) => m.type === "way").map((m) => m.ref));
    const wanted = IdSet.from(wayIds);
    const skipping = await readPbf(file, { ways: wanted, singleKindBlocks: true }, { threads: 2 });
    // every way blob inflated: "all" is no id set to look between first ways for
    const every = await readPbf(file, { ways: "all", singleKindBlocks: true }, { threads: 2 });
    const kept = every.ways.filter((w) => wanted.has(w.id));
    expect(skipping.ways.map((w) => [w.id, w.refs])).toEqual(kept.map((w) => [w.id, w.refs]));
    expect(kept.length).toBeGreaterThan(500);
    expect(every.blobs.decoded).toBeGreaterThan(4);
    expect(skipping.blobs.decoded).toBeLessThan(every.blobs.decoded / 2);
  });

  it("skips, unread, a node blob holding no wanted node and no place key (learned by pass 1's peek), and finds the same nodes", async () => {
    const file = join(tmpDir("pbf-sorted-nodes"), "filler.osm.pbf");
    await makeBigPbf(file, 1, 3);
    // the reference: a copy of the file whose first pass peeks no key, so its node pass inflates every node blob
    const reference = join(tmpDir("pbf-sorted-nodes-ref"), "filler.osm.pbf");
    copyFileSync(file, reference);
    const places = [[{ key: "place", values: ["suburb", "quarter", "neighbourhood"] }, { key: "name" }]];
    await readPbf(file, { relations: ADMIN, singleKindBlocks: true, peekKeys: ["place", "name"] }, { threads: 2 });
    await readPbf(reference, { relations: ADMIN, singleKindBlocks: true }, { threads: 2 });
    // wanted: nodes of a few buildings far into the filler (late node blobs), and a node absent from the file
    const { ways } = await readPbf(reference, { ways: "all", singleKindBlocks: true }, { threads: 2 });
    const wantedIds = [...ways[Math.floor(ways.length * 0.6)].refs, ...ways.at(-1)!.refs, 1e12];
    const pass = (): Pass => ({ nodes: { ids: IdSet.from(wantedIds), tags: places }, singleKindBlocks: true });
    const skipping = await readPbf(file, pass(), { threads: 2 });
    const every = await readPbf(reference, pass(), { threads: 2 });
    const nodes = (r: PassResult) => r.nodes.map((n) => [n.id, n.tags]);
    expect(nodes(skipping)).toEqual(nodes(every));
    expect(skipping.nodes.filter((n) => n.tags.place).length).toBeGreaterThan(10);
    const positions = (r: PassResult) => wantedIds.map((id) => r.coords.get(id) ?? null);
    expect(positions(skipping)).toEqual(positions(every));
    expect(positions(skipping).map((p) => p === null)).toEqual(wantedIds.map((id) => id === 1e12));
    // both pass over the way and relation blobs; the skipping read over most node blobs too
    expect(skipping.blobs.skipped - every.blobs.skipped).toBeGreaterThan(every.blobs.decoded / 2);
    expect(skipping.blobs.decoded + skipping.blobs.skipped).toBe(every.blobs.decoded + every.blobs.skipped);
  });
});
