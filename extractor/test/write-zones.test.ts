import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { JsonBytes } from "../../core/cosmogony/json-bytes.ts";
import type { Zone } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { serializeZone } from "../../core/cosmogony/writer.ts";
import type { FlatMultiPolygon } from "../../core/geometry/flat.ts";
import { toGeoJsonCoords, writeMultiPolygonJson } from "../geometry.ts";
import { GeometryTexts, geometryTextThreads } from "../geometry-texts.ts";
import type { DraftZone } from "../types.ts";
import { draftZoneOf, writeZones } from "../write-zones.ts";

const dir = mkdtempSync(join(tmpdir(), "write-zones-test-"));

function geometryJson(mp: FlatMultiPolygon, chunkSize = 1 << 16): string {
  const chunks: Buffer[] = [];
  const out = new JsonBytes(chunkSize, (c) => chunks.push(c));
  writeMultiPolygonJson(out, mp);
  out.flush();
  return Buffer.concat(chunks).toString("latin1");
}

function draftOf(z: Zone): DraftZone {
  // reversed key order: the written tags are sorted whatever the order read
  return { ...draftZoneOf(z), tags: Object.fromEntries(Object.entries(z.tags).reverse()) };
}

describe("writeMultiPolygonJson", () => {
  it("writes JSON.stringify's text of the nested arrays, tricky numbers included", () => {
    const tricky = [0, -0, 1e-7, -1e-7, 1e-6, 1e21, 6.149266287471119, 49.59876527057686, 0.1 + 0.2, -180, 1 / 3];
    const ring = new Float64Array([...tricky, ...tricky.slice(0, 1)].flatMap((x, i) => [x, tricky[(i + 3) % 11]]));
    const mp: FlatMultiPolygon = [[ring, ring.slice(0, 8)], [new Float64Array([6.1, 49.6, 6.2, 49.6, 6.1, 49.6])]];
    const expected = JSON.stringify({ type: "MultiPolygon", coordinates: toGeoJsonCoords(mp) });
    expect(geometryJson(mp)).toBe(expected);
    // across chunk boundaries too
    expect(geometryJson(mp, 80)).toBe(expected);
    expect(geometryJson([])).toBe('{"type":"MultiPolygon","coordinates":[]}');
  });
});

/** The zone's rings copied into shared memory, as the extractor's ring store keeps them. */
function inSharedMemory(z: DraftZone): DraftZone {
  if (!z.geometry) return z;
  const geometry = z.geometry.map((polygon) =>
    polygon.map((r) => {
      const shared = new Float64Array(new SharedArrayBuffer(r.byteLength));
      shared.set(r);
      return shared;
    }),
  );
  return { ...z, geometry };
}

describe("writeZones", () => {
  const cases = [
    { name: "zones.jsonl", threads: 0 },
    { name: "zones.jsonl.gz", threads: 0 },
    { name: "zones.json", threads: 0 },
    // geometry texts made on worker threads, in batches of a few vertices, few batches ahead
    { name: "zones.jsonl", threads: 1 },
    { name: "zones.jsonl.gz", threads: 2 },
  ];
  for (const { name, threads } of cases) {
    it(`${name}${threads ? `, geometry texts on ${threads} worker(s)` : ""}: each zone as serializeZone writes it, tags sorted`, async () => {
      const path = join(dir, `${threads}-${name}`);
      const zones = sampleZones();
      const drafts = zones.map(draftOf).map(inSharedMemory);
      const texts = threads
        ? new GeometryTexts(
            drafts.map((z) => z.geometry),
            threads,
            6,
            12,
          )
        : undefined;
      try {
        await writeZones(drafts, path, { osm_filename: "t.osm.pbf" }, texts);
      } finally {
        await texts?.close();
      }
      const bytes = readFileSync(path);
      const text = (name.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
      const sorted = (tags: Record<string, string>) =>
        Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)));
      const lines = zones.map((z) =>
        serializeZone({ ...z, loc_name: "", alt_name: "", tags: sorted(z.tags), center_tags: sorted(z.center_tags) }),
      );
      if (name.includes(".jsonl")) expect(text).toBe(lines.map((l) => `${l}\n`).join(""));
      else expect(text.startsWith(`{"zones":[${lines.join(",")}],"meta":`)).toBe(true);
    });
  }

  it("geometry texts: worker threads only for large inputs; a batch that cannot be made fails the write", async () => {
    expect(geometryTextThreads(1000, 8)).toBe(0);
    expect(geometryTextThreads(5e6, 2)).toBe(1);
    expect(geometryTextThreads(5e6, 1)).toBe(1);
    expect(() => new GeometryTexts([], 0)).toThrow(RangeError); // no workers: the writer makes the texts itself
    // a ring whose memory is gone (detached) cannot be sent to the worker: the error reaches the writer
    const drafts = sampleZones().map(draftOf);
    const gone = new Float64Array(4);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    const bad = [drafts[1], { ...drafts[0], geometry: [[gone]] }];
    const texts = new GeometryTexts(
      bad.map((z) => z.geometry),
      1,
    );
    const path = join(dir, "bad.jsonl");
    try {
      await expect(writeZones(bad, path, {}, texts)).rejects.toThrow(/detached/);
      expect(existsSync(path)).toBe(false);
    } finally {
      await texts.close();
    }
  });
});
