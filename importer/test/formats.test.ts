// The extractor's output imports alike from the four formats (`.json` is the Rust cosmogony's default output),
// files of many MB included, with every reused buffer (file reads, COPY slabs) poisoned the moment it is handed
// back: a view kept into one would read garbage deterministically, not by timing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Zone } from "../../core/cosmogony/model.ts";
import { readZones } from "../../core/cosmogony/reader.ts";
import { READ_SIZE, setRecycledPoison } from "../../core/cosmogony/recycled-buffers.ts";
import { boundaryCrossingZones } from "../../core/cosmogony/test/boundary-zones.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { fixture, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { byId, writeZones, zonesOf } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("importer-formats");
const FORMATS = [".json", ".jsonl", ".json.gz", ".jsonl.gz"];

beforeAll(async () => {
  db = await testDatabase("import_formats");
  setRecycledPoison(true);
});
afterAll(async () => {
  setRecycledPoison(false);
  await db?.close();
});

async function readAll(path: string): Promise<Zone[]> {
  const out: Zone[] = [];
  for await (const z of readZones(path)) out.push(z);
  return out;
}

/** One digest of every column of every row of a version (geometries as stored). */
async function zonesChecksum(version: number): Promise<string> {
  const { rows } = await db.pool.query(
    `SELECT md5(string_agg(z::text, E'\\n' ORDER BY z.id)) AS sum, count(*)::int AS n FROM zones_v${version}.zones z`,
  );
  return `${rows[0].n}:${rows[0].sum}`;
}

/** Imports the zones written in each format; the checksums by format. */
async function importEveryFormat(base: string, zones: Zone[]): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const suffix of FORMATS) {
    const path = await writeZones(dir, `${base}${suffix}`, zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 50 });
    expect(res.zoneCount).toBe(zones.length);
    expect(byId(await zonesOf(db.pool, res.version))).toEqual(byId(zones));
    sums[suffix] = await zonesChecksum(res.version);
  }
  return sums;
}

describe("every format of the extractor's output imports to the same zones", () => {
  it("Luxembourg: .json (over 1 MB), .jsonl, .json.gz, .jsonl.gz give the same rows", async () => {
    const { extractedLuxembourg } = await import("../../extractor/test-fixture.ts");
    const zones = await readAll(await extractedLuxembourg());
    const sums = await importEveryFormat("luxembourg", zones);
    const { statSync } = await import("node:fs");
    expect(statSync(`${dir}/luxembourg.json`).size).toBeGreaterThan(4 * READ_SIZE);
    expect(new Set(Object.values(sums)).size).toBe(1);
    expect(Object.keys(sums)).toEqual(FORMATS);
  });

  it("Gatineau, extracted to .json by `cosmo extract`: the four formats give the same rows", async () => {
    const { extract } = await import("../../extractor/extract.ts");
    const out = `${dir}/gatineau-extract.json`;
    await extract({ input: fixture("gatineau.osm.pbf"), output: out, countryCode: "ca", db });
    const zones = await readAll(out);
    expect(zones.length).toBeGreaterThan(0);
    const direct = await importZonesFile(db, out, { progress: false, keepVersions: 50 });
    const sums = await importEveryFormat("gatineau", zones);
    expect(new Set([...Object.values(sums), await zonesChecksum(direct.version)]).size).toBe(1);
  });

  it("a .json file of many MB whose zones cross every read boundary imports zone for zone", async () => {
    const zones = boundaryCrossingZones(12 * READ_SIZE);
    expect(zones.filter((z) => JSON.stringify(z).length > 2 * READ_SIZE).length).toBeGreaterThan(2);
    const path = await writeZones(dir, "many-mb.json", zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 50 });
    expect(res.zoneCount).toBe(zones.length);
    expect(byId(await zonesOf(db.pool, res.version))).toEqual(byId(zones));
  });
});
