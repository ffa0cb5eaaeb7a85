// Versioned publish: switch, compat view, NOTIFY, gate, force, rollback, keepVersions.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { GateRefusedError } from "../../core/errors.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { type Gate, listDatasets, publishVersion, rollback, servedVersion } from "../publish.ts";
import { served, writeZones } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("publish");
let n = 0;
/** A distinct file each time (the name of one zone changes), so each import is a new version. */
async function newVersion(opts: Parameters<typeof importZonesFile>[2] = {}) {
  const k = n++;
  const path = await writeZones(
    dir,
    `v${k}.jsonl.gz`,
    sampleZones().map((z) => (z.id === 10 ? { ...z, name: `Country ${k}` } : z)),
  );
  return importZonesFile(db, path, { progress: false, keepVersions: 3, ...opts });
}

beforeAll(async () => {
  db = await testDatabase("publish");
});
afterAll(async () => {
  await db?.close();
});

describe("publish", () => {
  it("nothing served before the first publish", async () => {
    expect(await servedVersion(db.pool)).toBeNull();
  });

  it("import --publish serves the version, fills the compat view and notifies", async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const notes: string[] = [];
    listener.on("notification", (m) => notes.push(`${m.channel}:${m.payload}`));
    await listener.query("LISTEN cosmo_dataset");
    const res = await newVersion({ publish: true });
    expect(res.published).toBe(true);
    expect(await servedVersion(db.pool)).toMatchObject({
      version: res.version,
      schema: `zones_v${res.version}`,
      previousVersion: null,
    });
    const { rows } = await db.pool.query(
      "SELECT id, parent, name, admin_level, zone_type, osm_id, wikidata, ST_SRID(geometry) AS srid FROM public.zones ORDER BY id",
    );
    expect(rows.map((r) => r.id)).toEqual([10, 17, 23, 42]);
    expect(rows[1]).toMatchObject({
      id: 17,
      parent: 10,
      name: "Luxembourg",
      admin_level: 8,
      zone_type: "city",
      osm_id: "relation:407489",
      wikidata: "Q1842",
      srid: 3857,
    });
    const { rows: cols } = await db.pool.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'zones' ORDER BY ordinal_position",
    );
    expect(cols.map((c) => c.column_name)).toEqual([
      "id",
      "parent",
      "name",
      "admin_level",
      "zone_type",
      "osm_id",
      "wikidata",
      "geometry",
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(notes).toContain(`cosmo_dataset:${res.version}`);
    await listener.end();
  });

  it("a refusing gate keeps the served version; --force with a reason publishes and records who and why", async () => {
    const before = await served(db.pool);
    const refuse: Gate = async () => ({
      ok: false,
      failures: [{ rule: "maxCountriesRemoved", message: "1 country zone(s) removed" }],
      report: {},
    });
    const cand = await newVersion();
    await expect(publishVersion(db, cand.version, { gate: refuse })).rejects.toThrow(GateRefusedError);
    await expect(publishVersion(db, cand.version, { gate: refuse })).rejects.toThrow(
      /publish gate refused version \d+ \(served stays \d+\): maxCountriesRemoved: 1 country/,
    );
    expect(await served(db.pool)).toEqual(before);
    await expect(publishVersion(db, cand.version, { gate: refuse, force: true })).rejects.toThrow(/--reason/);
    const res = await publishVersion(db, cand.version, {
      gate: refuse,
      force: true,
      forcedBy: "alice",
      reason: "country renamed upstream",
    });
    expect(res).toMatchObject({ version: cand.version, previous: before.version, forced: true });
    const { rows } = await db.pool.query(
      "SELECT status, forced_by, force_reason FROM cosmo.datasets WHERE version = $1",
      [cand.version],
    );
    expect(rows[0]).toEqual({ status: "published", forced_by: "alice", force_reason: "country renamed upstream" });
  });

  it("a passing gate is consulted with the candidate", async () => {
    const seen: number[] = [];
    const pass: Gate = async (_db, v) => {
      seen.push(v);
      return { ok: true, failures: [], report: {} };
    };
    const cand = await newVersion({ publish: true, gate: pass });
    expect(seen).toEqual([cand.version]);
    expect((await servedVersion(db.pool))?.version).toBe(cand.version);
  });

  it("rollback serves the previous version (and a second rollback rolls forward)", async () => {
    const s = await served(db.pool);
    const r = await rollback(db);
    expect(r).toEqual({ version: s.previous_version, previous: s.version });
    const { rows } = await db.pool.query("SELECT name FROM public.zones WHERE id = 10");
    const { rows: expected } = await db.pool.query(`SELECT name FROM zones_v${s.previous_version}.zones WHERE id = 10`);
    expect(rows[0].name).toBe(expected[0].name);
    const r2 = await rollback(db);
    expect(r2).toEqual({ version: s.version, previous: s.previous_version });
  });

  it("keeps import.keepVersions loaded versions, never the served or previous one", async () => {
    for (let i = 0; i < 3; i++) await newVersion();
    const s = await served(db.pool);
    const rows = await listDatasets(db.pool);
    const loaded = rows.filter((r) => r.status === "ready" || r.status === "published").map((r) => r.version);
    expect(loaded).toHaveLength(3);
    expect(loaded).toContain(s.version);
    expect(loaded).toContain(s.previous_version);
    const retired = rows.filter((r) => r.status === "retired");
    expect(retired.length).toBeGreaterThan(0);
    const { rows: schemas } = await db.pool.query(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'zones_v%' ORDER BY nspname",
    );
    expect(schemas.map((r) => r.nspname).sort()).toEqual(loaded.map((v) => `zones_v${v}`).sort());
    // the view still works after the drops
    const { rows: view } = await db.pool.query("SELECT count(*)::int AS n FROM public.zones");
    expect(view[0].n).toBe(4);
  });

  it("refuses to publish a version that is not loaded", async () => {
    const rows = await listDatasets(db.pool);
    const retired = rows.find((r) => r.status === "retired");
    await expect(publishVersion(db, retired!.version)).rejects.toThrow(/is retired/);
    await expect(publishVersion(db, 9999)).rejects.toThrow(/no dataset version 9999/);
  });
});

describe("publish over a database the old importer filled", () => {
  let legacyDb: TestDatabase | undefined;
  afterAll(async () => {
    await legacyDb?.close();
  });

  it("keeps its public.zones table under another name and puts the compatibility view in its place", async () => {
    legacyDb = await testDatabase("publish_legacy");
    await legacyDb.pool.query(
      "CREATE TABLE public.zones (id int, name text); INSERT INTO public.zones VALUES (1, 'old')",
    );
    const path = await writeZones(dir, "legacy.jsonl.gz", sampleZones());
    const res = await importZonesFile(legacyDb, path, { progress: false, publish: true });
    expect(res.published).toBe(true);
    const { rows: kinds } = await legacyDb.pool.query<{ relname: string; relkind: string }>(
      "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE n.nspname = 'public' AND c.relname LIKE 'zones%' ORDER BY c.relname",
    );
    expect(kinds).toHaveLength(2);
    expect(kinds[0]).toEqual({ relname: "zones", relkind: "v" });
    expect(kinds[1]?.relname).toMatch(/^zones_before_cosmo_\d+$/);
    const { rows: old } = await legacyDb.pool.query(`SELECT id, name FROM public."${kinds[1]?.relname}"`);
    expect(old).toEqual([{ id: 1, name: "old" }]);
    const { rows: view } = await legacyDb.pool.query("SELECT count(*)::int AS n FROM public.zones");
    expect(view[0].n).toBe(4);
  });
});
