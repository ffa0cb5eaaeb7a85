// Fast paths that reuse buffers (recycled-buffers.ts): with every handed-back buffer poisoned at once, a view
// kept too long reads garbage every time instead of when a read happens to land first. Each reader path is
// given files whose zones, meta and top-level keys cross the 1 MB read boundaries.
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStore } from "../../testing.ts";
import { JsonBytes } from "../json-bytes.ts";
import { JsonZonesScanner, type ScannedItem } from "../json-scanner.ts";
import { type ReadZonesOptions, readMeta, readZones, readZoneTexts, type ZoneText } from "../reader.ts";
import { POISON_BYTE, READ_SIZE, setRecycledPoison } from "../recycled-buffers.ts";
import { createZoneWriter } from "../writer.ts";
import { boundaryCrossingZones } from "./boundary-zones.ts";

const dir = mkdtempSync(join(tmpdir(), "recycled-"));
const zones = boundaryCrossingZones(4 * READ_SIZE);
const zoneTexts = zones.map((z) => JSON.stringify(z));
/** A meta that crosses the first read boundary, with the "zones" key after it crossing the second. */
const meta = (() => {
  const head = '{"meta":';
  const bare = JSON.stringify({ osm_filename: "", stats: {} });
  const pad = 2 * READ_SIZE - 3 - head.length - bare.length - 1; // '"zones"' starts 3 bytes before the boundary
  return { osm_filename: "x".repeat(pad), stats: {} };
})();
const jsonText = `{"meta":${JSON.stringify(meta)},"zones":[${zoneTexts.join(",")}]}`;
const jsonlText = zoneTexts.join("\n");

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex").slice(0, 16);
/** What a reader must hand over: each zone's text, index and offset. */
function expected(kind: "json" | "jsonl"): string[] {
  let offset = kind === "json" ? jsonText.indexOf('"zones":[') + 9 : 0;
  return zoneTexts.map((t, i) => {
    const at = offset;
    offset += Buffer.byteLength(t) + 1;
    return `${i}:${at}:${sha(t)}`;
  });
}

const files: Record<string, string> = {};
beforeAll(async () => {
  expect(jsonText.indexOf('"zones"')).toBe(2 * READ_SIZE - 3);
  expect(zoneTexts.filter((t) => t.length > 2 * READ_SIZE).length).toBeGreaterThan(1);
  for (const [name, text] of [
    ["z.json", jsonText],
    ["z.jsonl", jsonlText],
  ]) {
    files[name] = join(dir, name);
    writeFileSync(files[name], text);
    files[`${name}.gz`] = join(dir, `${name}.gz`);
    writeFileSync(files[`${name}.gz`], gzipSync(text, { level: 1 }));
  }
  setRecycledPoison(true);
});
afterAll(() => setRecycledPoison(false));

async function textsOf(source: Parameters<typeof readZoneTexts>[0], opts: ReadZonesOptions): Promise<string[]> {
  const key = (t: ZoneText) => `${t.index}:${t.offset}:${sha(t.bytes)}`;
  // transient: each text is used before the next is asked for, as the contract says; otherwise the texts are
  // the caller's for good (the worker threads' batches keep them), so they are all looked at only at the end
  if (opts.transient) {
    const out: string[] = [];
    for await (const t of readZoneTexts(source, opts)) out.push(key(t));
    return out;
  }
  const kept: ZoneText[] = [];
  for await (const t of readZoneTexts(source, opts)) kept.push(t);
  return kept.map(key);
}

describe("reader paths with handed-back buffers poisoned", () => {
  for (const name of ["z.json", "z.jsonl", "z.json.gz", "z.jsonl.gz"]) {
    const kind = name.includes(".jsonl") ? "jsonl" : "json";
    it(`${name}: every source and mode hands over each zone's exact bytes, and the meta`, async () => {
      const path = files[name];
      const want = expected(kind);
      const got: Record<string, string[]> = {
        "path, transient": await textsOf(path, { transient: true }),
        "path, texts kept": await textsOf(path, {}),
        "file:// URL, transient": await textsOf(pathToFileURL(path).href, { transient: true, name }),
        "stream, texts kept": await textsOf(createReadStream(path), { name }),
      };
      const store = testStore();
      const url = store.url(`recycled/${name}`);
      await store.put(url, createReadStream(path));
      got["s3, transient"] = await textsOf(url, { transient: true, store });
      got["s3, texts kept"] = await textsOf(url, { store });
      for (const [how, texts] of Object.entries(got)) expect({ how, texts }).toEqual({ how, texts: want });
      if (kind === "json") {
        expect((await readMeta(path))?.osm_filename).toBe(meta.osm_filename);
        let seen: unknown = null;
        await textsOf(path, { transient: true, onMeta: (m) => (seen = m.osm_filename) });
        expect(seen).toBe(meta.osm_filename);
      }
    });
  }

  it("the .json scanner keeps no view into a chunk once the next is pushed (chunks of every size)", () => {
    const bytes = Buffer.from(jsonText);
    for (const size of [4093, READ_SIZE - 1]) {
      const scanner = new JsonZonesScanner(true, true);
      const items: ScannedItem[] = [];
      const got: string[] = [];
      const reused = Buffer.allocUnsafe(size);
      for (let at = 0; at < bytes.length; at += size) {
        const n = bytes.copy(reused, 0, at, Math.min(at + size, bytes.length));
        scanner.push(reused.subarray(0, n), items);
        for (const item of items)
          got.push(
            item.kind === "zone" ? `${item.index}:${item.offset}:${sha(item.bytes)}` : `meta:${sha(item.bytes)}`,
          );
        items.length = 0;
        reused.fill(POISON_BYTE);
      }
      scanner.end();
      expect({ size, got }).toEqual({ size, got: [`meta:${sha(JSON.stringify(meta))}`, ...expected("json")] });
    }
  });

  it("zones written with the writer's text chunks recycled read back the same, every format", async () => {
    for (const name of ["w.json", "w.jsonl", "w.json.gz", "w.jsonl.gz"]) {
      const path = join(dir, name);
      const w = createZoneWriter(path, { meta: { osm_filename: "w.osm.pbf" } });
      for (const z of zones) await w.write(z);
      await w.close();
      const back = [];
      for await (const z of readZones(path)) back.push(z);
      expect({
        name,
        same: back.length === zones.length && back.every((z, i) => JSON.stringify(z) === zoneTexts[i]),
      }).toEqual({ name, same: true });
    }
    expect((await readFile(join(dir, "w.json"))).includes(Buffer.from([POISON_BYTE]))).toBe(false);
  });

  it("JsonBytes poisons a chunk given back, and only then", () => {
    const emitted: Buffer[] = [];
    const size = 8192; // not from Node's small-buffer pool: a chunk of its own
    const text = new JsonBytes(size, (c) => emitted.push(c));
    text.bytes(Buffer.from("a".repeat(2 * size + 44)));
    text.flush();
    expect(emitted.map((c) => c.toString())).toEqual(["a".repeat(size), "a".repeat(size), "a".repeat(44)]);
    text.recycle(emitted[0]);
    expect(emitted[0].every((b) => b === POISON_BYTE)).toBe(true);
    expect(emitted[1].toString()).toBe("a".repeat(size));
  });
});
