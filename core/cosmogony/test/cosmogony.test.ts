import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../../errors.ts";
import { detectFormat } from "../format.ts";
import { ZONE_FIELDS, ZONE_TYPES, zoneTypeFromRustName, zoneTypeRank } from "../model.ts";
import { readMeta, readZones, readZoneTexts } from "../reader.ts";
import { createZoneWriter, serializeZone } from "../writer.ts";
import { oldSchemaZones, sampleZones } from "./sample-zones.ts";

const dir = mkdtempSync(join(tmpdir(), "cosmogony-test-"));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected an InputError");
}

describe("model", () => {
  it("orders zone types and maps the Rust names", () => {
    expect(ZONE_TYPES[0]).toBe("suburb");
    expect(zoneTypeRank("city")).toBeLessThan(zoneTypeRank("state_district"));
    expect(zoneTypeRank("country")).toBeLessThan(zoneTypeRank("non_administrative"));
    expect(zoneTypeRank(null)).toBe(-1);
    expect(zoneTypeFromRustName("StateDistrict")).toBe("state_district");
  });
  it("serialises fields in the format's order", () => {
    const text = serializeZone(sampleZones()[1]);
    expect(Object.keys(JSON.parse(text))).toEqual(ZONE_FIELDS);
    expect(ZONE_FIELDS.slice(0, 3)).toEqual(["id", "osm_id", "admin_level"]);
    expect(ZONE_FIELDS.at(-1)).toBe("country_code");
  });
});

describe("format", () => {
  it("detects the four suffixes", () => {
    expect(detectFormat("a/b.json")).toEqual({ kind: "json", gzip: false });
    expect(detectFormat("s3://bucket/x.jsonl.gz")).toEqual({ kind: "jsonl", gzip: true });
    expect(detectFormat("X.JSON.GZ")).toEqual({ kind: "json", gzip: true });
    expect(detectFormat("x.jsonl")).toEqual({ kind: "jsonl", gzip: false });
  });
  it("rejects other suffixes naming the accepted ones", () => {
    expect(() => detectFormat("out.bad")).toThrow(/out\.bad: .*\.json, \.jsonl, \.json\.gz, \.jsonl\.gz/);
  });
});

describe("round trip", () => {
  for (const name of ["zones.json", "zones.jsonl", "zones.json.gz", "zones.jsonl.gz"]) {
    it(name, async () => {
      const path = join(dir, `rt-${name}`);
      const w = createZoneWriter(path, { meta: { osm_filename: "lux.osm.pbf" } });
      for (const z of sampleZones()) await w.write(z);
      const res = await w.close();
      expect(res.count).toBe(4);
      let meta: unknown = null;
      const back = await collect(readZones(path, { onMeta: (m) => (meta = m) }));
      expect(back).toEqual(sampleZones());
      if (!name.includes(".jsonl")) {
        expect(meta).toMatchObject({
          osm_filename: "lux.osm.pbf",
          stats: {
            level_counts: { "2": 1, "8": 1, "9": 1 },
            zone_type_counts: { City: 1, Country: 1, CityDistrict: 1, Suburb: 1 },
          },
        });
        expect(await readMeta(path)).toEqual(meta);
      } else {
        expect(meta).toBeNull();
        expect(await readMeta(path)).toBeNull();
      }
    });
  }

  it("streams the .json form across arbitrary chunk boundaries, meta before or after the zones", async () => {
    const zones = sampleZones();
    const text = `{ "meta" : {"osm_filename":"x","stats":{"zone_without_country":3}} ,\n "zones" : [ ${zones.map((z) => JSON.stringify(z)).join(" ,\n")} ] , "other": [1, {"a": "}]\\"{"}] }`;
    const bytes = Buffer.from(text);
    for (const size of [1, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      let meta: { stats: { zone_without_country: number } } | null = null;
      const back = await collect(
        readZones(Readable.from(chunks), { name: "in.json", onMeta: (m) => (meta = m as never) }),
      );
      expect(back).toEqual(zones);
      expect(meta!.stats.zone_without_country).toBe(3);
    }
  });

  it("writes nothing at the target until close, and abort leaves the target alone", async () => {
    const path = join(dir, "atomic.jsonl");
    writeFileSync(path, "previous\n");
    const w = createZoneWriter(path);
    await w.write(sampleZones()[0]);
    expect(readFileSync(path, "utf8")).toBe("previous\n");
    await w.abort();
    expect(readFileSync(path, "utf8")).toBe("previous\n");
  });

  it("reads an old-schema file (no loc_name/alt_name/is_generated/country_code)", async () => {
    const path = join(dir, "old.json");
    writeFileSync(path, JSON.stringify({ zones: oldSchemaZones(), meta: { osm_filename: "old.pbf", stats: {} } }));
    const back = await collect(readZones(path));
    expect(back).toHaveLength(4);
    expect(back[1]).toMatchObject({
      loc_name: "",
      alt_name: "",
      is_generated: false,
      country_code: null,
      name: "Luxembourg",
    });
  });
});

describe("bad input", () => {
  const zones = sampleZones();
  const lines = zones.map((z) => JSON.stringify(z));

  it("truncated gzip", async () => {
    const gz = gzipSync(Buffer.from(lines.join("\n")));
    const path = join(dir, "trunc.jsonl.gz");
    writeFileSync(path, gz.subarray(0, gz.length - 20));
    const e = await errorOf(collect(readZones(path)));
    expect(e.message).toMatch(/trunc\.jsonl\.gz: truncated or corrupt gzip/);
    expect(e.message.split("\n")).toHaveLength(1);
  });

  it("malformed JSON line names the line", async () => {
    const path = join(dir, "bad-line.jsonl");
    writeFileSync(path, [lines[0], lines[1], `${lines[2].slice(0, 50)}`, lines[3]].join("\n"));
    const e = await errorOf(collect(readZones(path)));
    expect(e.message).toMatch(/^.*bad-line\.jsonl: line 3: malformed JSON/);
  });

  it("zone missing a required field names the zone", async () => {
    const path = join(dir, "missing.json");
    const bad = zones.map((z) => ({ ...z })) as Record<string, unknown>[];
    delete bad[2].name;
    writeFileSync(path, JSON.stringify({ zones: bad, meta: {} }));
    const e = await errorOf(collect(readZones(path)));
    expect(e.message).toMatch(/missing\.json: byte \d+: zone #2 \(relation:9999001\): missing required field "name"/);
  });

  it("geometry that is not a MultiPolygon", async () => {
    const path = join(dir, "polygon.jsonl");
    const bad = { ...zones[1], geometry: { type: "Polygon", coordinates: zones[1].geometry!.coordinates[0] } };
    writeFileSync(path, [lines[0], JSON.stringify(bad)].join("\n"));
    const e = await errorOf(collect(readZones(path)));
    expect(e.message).toMatch(
      /polygon\.jsonl: line 2: zone #1 \(relation:407489\): field "geometry": expected a GeoJSON MultiPolygon, got a Polygon/,
    );
  });

  it("truncated .json", async () => {
    const path = join(dir, "trunc.json");
    const text = JSON.stringify({ zones, meta: {} });
    writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    const e = await errorOf(collect(readZones(path)));
    expect(e.message).toMatch(/trunc\.json: byte \d+: unexpected end of file inside zones\[\d\]/);
  });

  it("a .json without a zones array", async () => {
    const path = join(dir, "nozones.json");
    writeFileSync(path, '{"meta": {}}');
    const e = await errorOf(collect(readZones(path)));
    expect(e.message).toMatch(/no "zones" array/);
  });

  it("missing file", async () => {
    const e = await errorOf(collect(readZones(join(dir, "nope.jsonl"))));
    expect(e.message).toMatch(/nope\.jsonl: no such file/);
  });
});

describe("s3:// sources and targets", () => {
  it("writes to and reads from the artefact store (real S3 server)", async () => {
    const { testStore } = await import("../../testing.ts");
    const store = testStore();
    for (const name of ["zones/a.json.gz", "zones/b.jsonl"]) {
      const url = store.url(name);
      const w = createZoneWriter(url, { store });
      for (const z of sampleZones()) await w.write(z);
      await w.close();
      expect((await store.stat(url))?.size).toBeGreaterThan(100);
      expect(await collect(readZones(url, { store }))).toEqual(sampleZones());
    }
  });
});

describe("readZoneTexts with transient buffers", () => {
  it("gives the same texts and positions as the plain read, lines across the 1 MB reads included", async () => {
    // lines of many sizes (some longer than a read), blank lines, no newline at the end
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      lines.push(
        i % 37 === 5 ? "  " : JSON.stringify({ i, pad: "é".repeat(((i * 7919) % 9000) + (i % 50 === 0 ? 1.5e6 : 0)) }),
      );
    }
    const path = join(dir, "transient.jsonl");
    writeFileSync(path, lines.join("\n"));
    const texts = async (transient: boolean) => {
      const out: string[] = [];
      let bytes = 0;
      const opts = { transient, onBytes: (n: number) => (bytes += n) };
      for await (const t of readZoneTexts(path, opts))
        out.push(`${t.index}:${t.line}:${t.offset}:${t.bytes.toString("utf8")}`);
      return { out, bytes };
    };
    const plain = await texts(false);
    const reused = await texts(true);
    expect(plain.out.length).toBe(lines.filter((l) => l.trim()).length);
    expect(reused.out).toEqual(plain.out);
    expect(reused.bytes).toBe(readFileSync(path).length);
    await expect(readZoneTexts(join(dir, "missing.jsonl"), { transient: true }).next()).rejects.toThrow(/no such file/);
  });
});
