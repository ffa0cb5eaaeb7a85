// Files without zones are refused (they used to become "ready" versions of 0 zones that pushed real versions
// out of import.keepVersions), refused imports do not count toward keepVersions, and `cosmo datasets prune`
// removes failed and old versions — a dry run unless told --yes — never the served one nor the previous one.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { InputError } from "../../core/errors.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { COSMO_BIN, type ProcessRun, runNode, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { served, writeZones } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("importer-empty");

beforeAll(async () => {
  db = await testDatabase("importer_empty");
});
afterAll(async () => {
  await db?.close();
});

function cosmo(args: string[]): Promise<ProcessRun> {
  return runNode([COSMO_BIN, ...args], { env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn" } });
}

async function statuses(): Promise<Record<number, string>> {
  const { rows } = await db.pool.query("SELECT version, status FROM cosmo.datasets ORDER BY version");
  return Object.fromEntries(rows.map((r) => [r.version, r.status]));
}

/** A real dataset: the sample zones with a name of its own (so its sha256 differs). */
async function importReal(name: string, publish = false): Promise<number> {
  const path = await writeZones(
    dir,
    `${name}.jsonl`,
    sampleZones().map((z) => ({ ...z, label: `${z.label} ${name}` })),
  );
  return (await importZonesFile(db, path, { progress: false, publish, keepVersions: 3 })).version;
}

const EMPTY: [string, Buffer | string, RegExp][] = [
  ["zero.jsonl", "", /zero\.jsonl: the file is empty \(0 bytes\): a dataset needs at least one zone/],
  ["zero.json", "", /zero\.json: the file is empty \(0 bytes\)/],
  ["blank.jsonl", " \n\n\t\n", /blank\.jsonl: no zones in the file: a dataset needs at least one zone/],
  ["blank.json", "  \n ", /blank\.json: byte 4: no JSON in the file \(it is empty or only whitespace\)/],
  ["empty-gzip.jsonl.gz", gzipSync(""), /empty-gzip\.jsonl\.gz: no zones in the file/],
  ["empty-gzip.json.gz", gzipSync(""), /empty-gzip\.json\.gz: byte 0: no JSON in the file/],
  ["no-zones.json", '{"zones":[]}', /no-zones\.json: no zones in the file/],
  [
    "no-zones-meta.json.gz",
    gzipSync('{"zones": [ ], "meta": {"osm_filename": "x"}}'),
    /no-zones-meta\.json\.gz: no zones/,
  ],
];

describe("files without zones", () => {
  it("are refused (exit 2, naming the file), leave no ready version and push no real version out", async () => {
    const a = await importReal("a", true);
    const b = await importReal("b", true);
    const c = await importReal("c");
    const before = await statuses();
    expect(before).toEqual({ [a]: "ready", [b]: "published", [c]: "ready" });
    for (const [name, content, message] of EMPTY) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const err = await importZonesFile(db, path, { progress: false, publish: true, keepVersions: 3 }).catch((e) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(path);
    }
    const after = await statuses();
    // the real versions are as they were; the refused ones are failed rows without a schema (0 bytes: no row)
    for (const v of [a, b, c]) expect(after[v]).toBe(before[v]);
    const added = Object.entries(after).filter(([v]) => !(Number(v) in before));
    expect(added.map(([, s]) => s)).toEqual(Array(EMPTY.length - 2).fill("failed"));
    const { rows } = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'zones_v%' ORDER BY 1");
    expect(rows.map((r) => r.nspname).sort()).toEqual([a, b, c].map((v) => `zones_v${v}`).sort());
    expect(await served(db.pool)).toMatchObject({ version: b, previous_version: a });
    // and a real import after them still keeps the three newest loaded versions (served and previous included)
    const d = await importReal("d");
    expect(await statuses()).toMatchObject({ [a]: "ready", [b]: "published", [c]: "retired", [d]: "ready" });
  });

  it("the CLI says so on one line and exits 2", async () => {
    const path = join(dir, "cli-empty.jsonl");
    writeFileSync(path, "");
    const r = await cosmo(["import", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${path}: the file is empty (0 bytes): a dataset needs at least one zone (is the file cut short, or the extract empty?)\n`,
    );
  });
});

describe("cosmo datasets prune", () => {
  it("lists failed, retired and old versions (dry run), removes them with --yes, keeps served and previous", async () => {
    const s = await served(db.pool);
    const before = await statuses();
    const failed = Object.keys(before)
      .filter((v) => before[Number(v)] === "failed")
      .map(Number);
    const retired = Object.keys(before)
      .filter((v) => before[Number(v)] === "retired")
      .map(Number);
    expect(failed.length).toBeGreaterThan(0);
    expect(retired.length).toBeGreaterThan(0);
    const ready = Object.keys(before)
      .map(Number)
      .filter((v) => before[v] === "ready" && v !== s.previous_version);
    expect(ready.length).toBe(1); // the newest, kept with --keep 3; dropped with --keep 2

    const dry = await cosmo(["datasets", "prune", "--keep", "2"]);
    expect(dry.code).toBe(0);
    const listed = [...dry.stdout.matchAll(/^would remove v(\d+)\t/gm)].map((m) => Number(m[1]));
    expect(listed).toEqual([...failed, ...retired, ...ready].sort((x, y) => x - y));
    expect(dry.stdout).toMatch(/beyond the 2 versions kept/);
    expect(dry.stdout).toMatch(
      /dry run: nothing changed; `cosmo datasets prune --yes` removes these \d+ version\(s\)\n$/,
    );
    expect(await statuses()).toEqual(before);

    const keep3 = await cosmo(["datasets", "prune", "--keep", "3", "--yes"]);
    expect(keep3.code).toBe(0);
    expect([...keep3.stdout.matchAll(/^removed v(\d+)\t/gm)].map((m) => Number(m[1]))).toEqual(
      [...failed, ...retired].sort((x, y) => x - y),
    );
    expect(await statuses()).toEqual({
      [s.previous_version as number]: "ready",
      [s.version as number]: "published",
      [ready[0]]: "ready",
    });

    const again = await cosmo(["datasets", "prune", "--keep", "2", "--apply"]);
    expect(again.stdout).toBe(
      `removed v${ready[0]}\tbeyond the 2 versions kept\t${join(dir, "d.jsonl")}\npruned 1 version(s)\n`,
    );
    expect(await statuses()).toEqual({ [s.previous_version as number]: "ready", [s.version as number]: "published" });
    const { rows } = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname = $1", [`zones_v${ready[0]}`]);
    expect(rows).toHaveLength(0);
    expect(await served(db.pool)).toEqual(s);

    expect((await cosmo(["datasets", "prune", "--yes"])).stdout).toBe("nothing to prune\n");
    const bad = await cosmo(["datasets", "prune", "--keep", "1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep: expected an integer of at least 2/);
    // the listing itself still works beside its subcommand
    expect((await cosmo(["datasets"])).stdout).toMatch(/\* v\d+\tpublished/);
  });
});
