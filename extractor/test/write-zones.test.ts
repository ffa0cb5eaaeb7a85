import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { JsonBytes } from "../../core/cosmogony/json-bytes.ts";
import type { Zone } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { serializeZone } from "../../core/cosmogony/writer.ts";
import { toGeoJsonCoords, writeMultiPolygonJson } from "../geometry.ts";
import type { DraftZone, FlatMultiPolygon } from "../types.ts";
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

describe("writeZones", () => {
  for (const name of ["zones.jsonl", "zones.jsonl.gz", "zones.json"]) {
    it(`${name}: each zone as serializeZone writes it, tags sorted`, async () => {
      const path = join(dir, name);
      const zones = sampleZones();
      await writeZones(zones.map(draftOf), path, { osm_filename: "t.osm.pbf" });
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
});
