import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { JsonBytes, MIN_CHUNK_SIZE } from "../json-bytes.ts";
import type { Zone, ZoneInput } from "../model.ts";
import { createZoneWriter, serializeZone, writeZoneFields } from "../writer.ts";
import { sampleZones } from "./sample-zones.ts";

const dir = mkdtempSync(join(tmpdir(), "zone-writer-test-"));

/** The geometry written position by position, as the extractor does from its flat rings. */
function geometryWriter(zone: Zone): ((out: JsonBytes) => void) | undefined {
  const geometry = zone.geometry;
  if (!geometry) return undefined;
  return (out) => {
    out.ascii('{"type":"MultiPolygon","coordinates":[');
    geometry.coordinates.forEach((polygon, p) => {
      out.ascii(p === 0 ? "[" : ",[");
      polygon.forEach((ring, r) => {
        out.ascii(r === 0 ? "[" : ",[");
        for (const [i, [x, y]] of ring.entries()) out.position(x, y, i === 0);
        out.ascii("]");
      });
      out.ascii("]");
    });
    out.ascii("]}");
  };
}

/** Many zones, large enough to fill several 1 MiB chunks. */
function manyZones(): Zone[] {
  const zones: Zone[] = [];
  for (let i = 0; i < 150; i++) {
    for (const z of sampleZones()) {
      const ring = Array.from({ length: 300 }, (_, k): [number, number] => [
        6 + Math.cos(k / 50) / (i + 1) + k * 1e-7,
        49.5 + Math.sin(k / 50) / 3 + i / 1e4,
      ]);
      ring.push(ring[0]);
      zones.push({
        ...z,
        id: zones.length,
        geometry: z.geometry ? { type: "MultiPolygon", coordinates: [...z.geometry.coordinates, [ring]] } : null,
      });
    }
  }
  return zones;
}

function decoded(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}

describe("zones writer", () => {
  it("writes a zone field by field, the geometry given as JSON text, exactly as serializeZone", () => {
    const fields = (z: Zone | ZoneInput, chunkSize = 1 << 16) => {
      const chunks: Buffer[] = [];
      const out = new JsonBytes(chunkSize, (c) => chunks.push(c));
      writeZoneFields(out, z, (o) => o.text(JSON.stringify(z.geometry)));
      out.flush();
      return Buffer.concat(chunks).toString("utf8");
    };
    for (const z of sampleZones()) {
      expect(fields(z)).toBe(serializeZone(z));
      expect(fields(z, MIN_CHUNK_SIZE)).toBe(serializeZone(z));
    }
    // defaulted fields are filled in, before and after the geometry
    const { loc_name, is_generated, country_code, ...old } = sampleZones()[1];
    expect(fields(old as never)).toBe(serializeZone(old as never));
  });

  for (const name of ["zones.jsonl", "zones.json", "zones.jsonl.gz", "zones.json.gz"]) {
    it(`${name}: geometry written by a function or from the zone gives the same text, as serializeZone`, async () => {
      const zones = manyZones();
      const paths = [join(dir, `plain-${name}`), join(dir, `spliced-${name}`)];
      const meta = { osm_filename: "x.osm.pbf" };
      for (const [k, path] of paths.entries()) {
        const w = createZoneWriter(path, { meta, gzipLevel: 1 });
        for (const z of zones) await (k === 0 ? w.write(z) : w.write({ ...z, geometry: null }, geometryWriter(z)));
        const res = await w.close();
        expect(res.count).toBe(zones.length);
        expect(res.bytes).toBe(readFileSync(path).length);
      }
      const lines = zones.map((z) => serializeZone(z));
      const text = decoded(paths[1]);
      expect(text).toBe(decoded(paths[0]));
      if (name.includes(".jsonl")) expect(text).toBe(lines.map((l) => `${l}\n`).join(""));
      else expect(text.startsWith(`{"zones":[${lines.join(",")}],"meta":{"osm_filename":"x.osm.pbf"`)).toBe(true);
      expect(text.length).toBeGreaterThan(2 << 20); // several chunks
    });
  }

  it("an empty zones file in each format", async () => {
    for (const name of ["empty.jsonl", "empty.jsonl.gz", "empty.json", "empty.json.gz"]) {
      const path = join(dir, name);
      const w = createZoneWriter(path);
      await w.close();
      if (name.includes(".jsonl")) expect(decoded(path)).toBe("");
      else expect(JSON.parse(decoded(path)).zones).toEqual([]);
    }
  });

  it("abort in the middle of a compressed file leaves the target and no temporary file", async () => {
    const sub = mkdtempSync(join(dir, "abort-"));
    const path = join(sub, "zones.jsonl.gz");
    writeFileSync(path, "previous");
    const w = createZoneWriter(path);
    for (const z of manyZones()) await w.write(z);
    await w.abort();
    expect(readFileSync(path, "utf8")).toBe("previous");
    expect(readdirSync(sub)).toEqual(["zones.jsonl.gz"]);
    await expect(w.write(sampleZones()[0])).rejects.toThrow(/closed/);
  });
});
