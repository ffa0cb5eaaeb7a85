// Round trips through the real PostGIS: files in the four formats → import → every field back as in the file.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oldSchemaZones, sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { testDatabase, tmpDir } from "../../core/testing.ts";
import { sha256InWorker } from "../file-sha256.ts";
import { importZonesFile } from "../import.ts";
import { loadZones } from "../load.ts";
import { ZOOM_BANDS } from "../zoom-bands.ts";
import { byId, writeZones, zonesOf } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("importer");

beforeAll(async () => {
  db = await testDatabase("import");
});
afterAll(async () => {
  await db?.close();
});

describe("import round trip", () => {
  for (const name of ["zones.json", "zones.jsonl", "zones.json.gz", "zones.jsonl.gz"]) {
    it(`${name}: rows, parents and every field equal the file's`, async () => {
      const path = await writeZones(dir, name, sampleZones());
      const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
      expect(res.skipped).toBe(false);
      expect(res.zoneCount).toBe(4);
      expect(res.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(byId(await zonesOf(db.pool, res.version))).toEqual(byId(sampleZones()));

      const s = `zones_v${res.version}`;
      const { rows: geo } = await db.pool.query(
        `SELECT id, ST_IsValid(geom) AS valid, GeometryType(geom) AS type, ST_SRID(geom) AS srid FROM ${s}.zones WHERE geom IS NOT NULL ORDER BY id`,
      );
      expect(geo.map((r) => r.id)).toEqual([10, 17, 23]);
      for (const r of geo) expect(r).toMatchObject({ valid: true, type: "MULTIPOLYGON", srid: 3857 });
      // the bow tie is invalid as given (kept as such in geom_4326) and repaired in geom
      const { rows: bow } = await db.pool.query(
        `SELECT ST_IsValid(geom_4326) AS valid_4326, ST_NumGeometries(geom) AS parts, round(ST_Area(ST_Transform(geom, 4326))::numeric, 6) AS area FROM ${s}.zones WHERE id = 23`,
      );
      expect(bow[0]).toMatchObject({ valid_4326: false, parts: 2, area: 0.0008 });
      // the country's hole survives; geom is the 4326 geometry in Web Mercator
      const { rows: cmp } = await db.pool.query(
        `SELECT ST_NumInteriorRings(ST_GeometryN(geom, 1)) AS holes, ST_HausdorffDistance(geom, ST_Transform(geom_4326, 3857)) AS dist FROM ${s}.zones WHERE id = 10`,
      );
      expect(cmp[0].holes).toBe(1);
      expect(cmp[0].dist).toBeLessThan(1e-6);
      // the parent hierarchy is complete
      const { rows: orphans } = await db.pool.query(
        `SELECT count(*)::int AS n FROM ${s}.zones z LEFT JOIN ${s}.zones p ON p.id = z.parent WHERE z.parent IS NOT NULL AND p.id IS NULL`,
      );
      expect(orphans[0].n).toBe(0);
      // the dataset row
      const { rows: ds } = await db.pool.query("SELECT * FROM cosmo.datasets WHERE version = $1", [res.version]);
      expect(ds[0]).toMatchObject({
        status: "ready",
        zone_count: 4,
        source: path,
        source_sha256: res.sha256,
        schema_name: s,
      });
      expect(ds[0].meta.stats.zone_type_counts).toEqual({ Country: 1, City: 1, CityDistrict: 1, Suburb: 1 });
    });
  }

  it("worker threads (used for big files) load the same rows and report bad input the same way", async () => {
    for (const name of ["threads.json.gz"]) {
      const zones = sampleZones().map((z) => ({ ...z, label: `${z.label} ${name}` }));
      const path = await writeZones(dir, name, zones);
      const res = await importZonesFile(db, path, { progress: false, keepVersions: 20, threads: 2 });
      expect(byId(await zonesOf(db.pool, res.version))).toEqual(byId(zones));
    }
    const { writeFile } = await import("node:fs/promises");
    const bad = `${dir}/threads-bad.jsonl`;
    const lines = sampleZones().map((z) => JSON.stringify(z));
    await writeFile(bad, [lines[0], lines[1], lines[2].replace('"name"', '"nome"'), lines[3]].join("\n"));
    await expect(importZonesFile(db, bad, { progress: false, threads: 2 })).rejects.toThrow(
      /threads-bad\.jsonl: line 3: zone #2 \(relation:9999001\): missing required field "name"/,
    );
  });

  it("imports from s3:// (real S3 server)", async () => {
    const { testStore } = await import("../../core/testing.ts");
    const store = testStore();
    const path = await writeZones(
      dir,
      "from-s3.json.gz",
      sampleZones().map((z) => ({ ...z, alt_name: "s3" })),
    );
    const url = store.url("zones/from-s3.json.gz");
    await store.put(url, (await import("node:fs")).createReadStream(path));
    const res = await importZonesFile(db, url, { progress: false, keepVersions: 10, store });
    expect(res.zoneCount).toBe(4);
    const { rows } = await db.pool.query("SELECT source FROM cosmo.datasets WHERE version = $1", [res.version]);
    expect(rows[0].source).toBe(url);
    expect(byId(await zonesOf(db.pool, res.version))[0].alt_name).toBe("s3");
  });

  it("imports an old-schema file (no loc_name/alt_name/is_generated/country_code)", async () => {
    const path = await writeZonesRaw(`${dir}/old.jsonl`, oldSchemaZones());
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const back = byId(await zonesOf(db.pool, res.version));
    expect(back).toHaveLength(4);
    expect(back[1]).toMatchObject({
      id: 17,
      name: "Luxembourg",
      loc_name: "",
      alt_name: "",
      is_generated: false,
      country_code: null,
      wikidata: "Q1842",
    });
  });

  it("re-importing an identical file is a no-op that says so", async () => {
    const path = await writeZones(dir, "again.jsonl", sampleZones());
    const first = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const second = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    expect(second).toMatchObject({ skipped: true, version: first.version, zoneCount: 4, sha256: first.sha256 });
    expect(second.summary).toMatch(/identical to dataset version \d+.*nothing imported/);
  });

  it("hashes the file beside the load: the version is loading before its sha256 is known, then has it", async () => {
    const path = await writeZones(
      dir,
      "hash-beside.jsonl",
      sampleZones().map((z) => ({ ...z, name: `${z.name} hashed beside` })),
    );
    let loadingBeforeHash = false;
    // the hash is given once the import's version is registered as loading (the file is hashed meanwhile)
    const sha256 = async (file: string) => {
      loadingBeforeHash = await untilLoading(file);
      return sha256InWorker(file);
    };
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 20, sha256 });
    expect(loadingBeforeHash).toBe(true);
    expect(res.skipped).toBe(false);
    expect(res.sha256).toBe(
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    );
    const { rows } = await db.pool.query("SELECT source_sha256, status FROM cosmo.datasets WHERE version = $1", [
      res.version,
    ]);
    expect(rows[0]).toEqual({ source_sha256: res.sha256, status: "ready" });
  });

  it("an identical file found only while it loads: that load is undone, no row or schema of it is left", async () => {
    const path = await writeZones(
      dir,
      "hash-late.jsonl",
      sampleZones().map((z) => ({ ...z, name: `${z.name} hashed late` })),
    );
    const first = await importZonesFile(db, path, { progress: false, keepVersions: 20 });
    const sha256 = async (file: string) => {
      expect(await untilLoading(file)).toBe(true);
      return sha256InWorker(file);
    };
    const second = await importZonesFile(db, path, { progress: false, keepVersions: 20, sha256 });
    expect(second).toMatchObject({ skipped: true, version: first.version, zoneCount: 4, sha256: first.sha256 });
    expect(second.summary).toMatch(/identical to dataset version \d+.*nothing imported/);
    const { rows } = await db.pool.query<{ version: number }>("SELECT version FROM cosmo.datasets WHERE source = $1", [
      path,
    ]);
    expect(rows.map((r) => r.version)).toEqual([first.version]);
    const { rows: schemas } = await db.pool.query(
      "SELECT nspname FROM pg_namespace WHERE nspname = 'zones_v' || (SELECT max(version) + 1 FROM cosmo.datasets)",
    );
    expect(schemas).toEqual([]);
    // the next import takes the next number: the undone one left no gap
    const next = await importZonesFile(
      db,
      await writeZones(
        dir,
        "after-late.jsonl",
        sampleZones().map((z) => ({ ...z, name: `${z.name} after late` })),
      ),
      { progress: false, keepVersions: 20 },
    );
    const { rows: max } = await db.pool.query<{ v: number }>(
      "SELECT max(version)::int AS v FROM cosmo.datasets WHERE version < $1",
      [next.version],
    );
    expect(next.version).toBe(max[0].v + 1);
  });

  it("a load stopped by its signal (a duplicate found meanwhile) rolls back: no schema, the connection usable", async () => {
    const lines = sampleZones().map((z) => `${JSON.stringify({ ...z, name: `${z.name} stopped` })}\n`);
    const stop = new AbortController();
    // two zones, then the signal, then the rest: the load stops at the next zone
    const source = Readable.from(
      (async function* () {
        yield Buffer.from(lines[0] + lines[1]);
        await new Promise((r) => setTimeout(r, 0));
        stop.abort(new Error("identical to dataset version 1"));
        yield Buffer.from(lines[2] + lines[3]);
      })(),
    );
    const client = await db.pool.connect();
    try {
      await expect(
        loadZones(client, "zones_stopped", source, { name: "stopped.jsonl", signal: stop.signal }),
      ).rejects.toThrow(/identical to dataset version 1/);
      const { rows } = await client.query("SELECT nspname FROM pg_namespace WHERE nspname = 'zones_stopped'");
      expect(rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it("builds the search names table: every name and word of a name, unaccented and lower-cased, behind its indexes", async () => {
    const path = await writeZones(
      dir,
      "search.json",
      sampleZones().map((z) => ({ ...z, osm_id: `${z.osm_id}`, tags: { ...z.tags, "name:ru": "Люксембург" } })),
    );
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const s = `zones_v${res.version}`;
    const { rows } = await db.pool.query<{ term: string; match_rank: number }>(
      `SELECT term, match_rank FROM ${s}.zone_names WHERE zone_id = 17`,
    );
    const rank = new Map(rows.map((r) => [r.term, r.match_rank]));
    expect(rows.length).toBe(rank.size); // one row per zone × name
    for (const n of ["luxembourg", "luxemburg", "люксембург", "letzebuerg-stad"]) expect(rank.get(n), n).toBe(1);
    // alt_name "Luxembourg-Ville;Stad Lëtzebuerg": two names; their words to the end are rows of rank 2
    expect(rank.get("luxembourg-ville")).toBe(1);
    expect(rank.get("stad letzebuerg")).toBe(1);
    expect(rank.get("ville")).toBe(2);
    expect(rank.get("stad")).toBe(2);
    expect([...rank.values()].filter((r) => r === 3)).toHaveLength(1); // the zone's own label
    const { rows: idx } = await db.pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'zone_names' ORDER BY 1",
      [s],
    );
    expect(idx.map((r) => r.indexname)).toEqual(["zone_names_term"]);
    expect(idx[0]?.indexdef).toMatch(
      /btree \(term text_pattern_ops, match_rank, zone_id\) INCLUDE \(zone_type, country_code\)/,
    );
    // the groups of rows the search matches first: one per term, rank, type and country, with its zone count
    const { rows: groups } = await db.pool.query<{ term: string; zones: number; counted: number }>(
      `SELECT g.term, g.zones,
              (SELECT count(*)::int FROM ${s}.zone_names m WHERE m.term = g.term AND m.match_rank = g.match_rank
                 AND m.zone_type IS NOT DISTINCT FROM g.zone_type
                 AND m.country_code IS NOT DISTINCT FROM g.country_code) AS counted
       FROM ${s}.zone_names_terms g`,
    );
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.zones, g.term).toBe(g.counted);
    const { rows: groupIdx } = await db.pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'zone_names_terms' ORDER BY 1",
      [s],
    );
    expect(groupIdx.map((r) => r.indexname)).toEqual(["zone_names_terms_term", "zone_names_terms_trigram"]);
    expect(groupIdx[0]?.indexdef).toMatch(/btree \(term text_pattern_ops\)/);
    expect(groupIdx[1]?.indexdef).toMatch(/gin \(term gin_trgm_ops\) WHERE \(match_rank = 1\)/);
    const { rows: hit } = await db.pool.query(
      `SELECT DISTINCT zone_id FROM ${s}.zone_names WHERE term LIKE cosmo.search_normalize('LËTZEBUERG') || '%' ORDER BY zone_id`,
    );
    // the country by its name, the city by a word of its alt_name; not the zones where only a parent's name in
    // the label has it (those are found through the parent)
    expect(hit.map((r) => Number(r.zone_id))).toEqual([10, 17]);
  });

  it("builds the search names beside the indexes on a second connection, and on the one connection of a pool of one", async () => {
    const path = await writeZones(
      dir,
      "names-alongside.json",
      sampleZones().map((z) => ({ ...z, name: `${z.name} alongside` })),
    );
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const count = async (pool: TestDatabase["pool"], version: number) =>
      (await pool.query(`SELECT count(DISTINCT zone_id)::int AS n FROM zones_v${version}.zone_names`)).rows[0].n;
    expect(await count(db.pool, res.version)).toBe(4);
    // The import's lock holds the only connection: the names must not wait for a second one.
    const single = await testDatabase("import-pool1", { poolMax: 1 });
    try {
      const one = await importZonesFile(single, path, { progress: false });
      expect(one.skipped).toBe(false);
      expect(await count(single.pool, one.version)).toBe(4);
    } finally {
      await single.close();
    }
  });

  it("builds the generalised tables per zoom band", async () => {
    const path = await writeZones(
      dir,
      "bands.jsonl",
      sampleZones().map((z) => ({ ...z, name: `${z.name} b` })),
    );
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const s = `zones_v${res.version}`;
    const got: Record<string, number[]> = {};
    for (const band of ZOOM_BANDS) {
      if (!band.table) continue;
      const { rows } = await db.pool.query(
        `SELECT id, ST_IsValid(geom) AS valid, ST_SRID(geom) AS srid FROM ${s}.${band.table} ORDER BY id`,
      );
      for (const r of rows) expect(r).toMatchObject({ valid: true, srid: 3857 });
      got[band.table] = rows.map((r) => r.id);
    }
    expect(got).toEqual({ zones_z0_2: [10], zones_z3_5: [10], zones_z6_8: [10, 17] });
  });
});

/** Whether an import of `file` is registered as loading, asked until it is (at most ~10 s). */
async function untilLoading(file: string): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await db.pool.query("SELECT 1 FROM cosmo.datasets WHERE source = $1 AND status = 'loading'", [
      file,
    ]);
    if (rows.length > 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

async function writeZonesRaw(path: string, zones: Record<string, unknown>[]): Promise<string> {
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path, zones.map((z) => JSON.stringify(z)).join("\n"));
  return path;
}

describe("the extractor's Luxembourg output", () => {
  it("imports with every zone and field as in the file, geometries valid", async () => {
    const { extractedLuxembourg } = await import("../../extractor/test-fixture.ts");
    const { readZones } = await import("../../core/cosmogony/reader.ts");
    const path = await extractedLuxembourg();
    const fromFile = [];
    for await (const z of readZones(path)) fromFile.push(z);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 20 });
    expect(res.zoneCount).toBe(fromFile.length);
    expect(fromFile.length).toBeGreaterThan(200);
    expect(byId(await zonesOf(db.pool, res.version))).toEqual(byId(fromFile));
    const s = `zones_v${res.version}`;
    const { rows } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE NOT ST_IsValid(geom))::int AS invalid, count(geom)::int AS with_geom FROM ${s}.zones`,
    );
    expect(rows[0].invalid).toBe(0);
    expect(rows[0].with_geom).toBeGreaterThan(190);
    const { rows: lux } = await db.pool.query(
      `SELECT z.name, p.name AS parent_name FROM ${s}.zones z JOIN ${s}.zones p ON p.id = z.parent WHERE z.osm_id = 'relation:407489'`,
    );
    expect(lux[0]).toEqual({ name: "Luxembourg", parent_name: "Canton Luxembourg" });
  });
});
