// The CLI as the workflows run it (`node bin/cosmo.js …`): exit codes, one-line errors, the summary JSON, the
// real publish gate (dashboard/gate.ts) and a SIGKILL in the middle of a big import.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateZonesFile } from "../../bench/import/generate.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { COSMO_BIN, type ProcessRun, runNode, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { rollback } from "../publish.ts";
import { served, writeZones } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("importer-cli");

beforeAll(async () => {
  db = await testDatabase("importer_cli");
});
afterAll(async () => {
  await db?.close();
});

type Run = ProcessRun;

function cosmo(args: string[], opts: { onSpawn?: (pid: number) => void } = {}): Promise<Run> {
  return runNode([COSMO_BIN, ...args], {
    env: { ...testEnv({ db }), USER: "tester", COSMO_LOG_LEVEL: "warn" },
    onSpawn: opts.onSpawn,
  });
}

describe("cosmo import / publish / datasets", () => {
  it("imports and publishes, writes the summary JSON, then says an identical file is a no-op", async () => {
    const path = await writeZones(dir, "cli.jsonl.gz", sampleZones());
    const summary = join(dir, "summary.json");
    const r = await cosmo(["import", path, "--publish", "--summary-json", summary]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^imported 4 zones from .*cli\.jsonl\.gz as dataset version 1 in .*; published \(previous: none\)\n$/,
    );
    expect(JSON.parse(readFileSync(summary, "utf8"))).toMatchObject({
      version: 1,
      skipped: false,
      zoneCount: 4,
      published: true,
    });
    const again = await cosmo(["import", path, "--summary-json", summary]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/identical to dataset version 1 .*nothing imported/);
    expect(JSON.parse(readFileSync(summary, "utf8"))).toMatchObject({ version: 1, skipped: true, zoneCount: 4 });
  });

  it("bad input: exit 2 and a one-line error naming file and line", async () => {
    const path = join(dir, "bad.jsonl");
    const lines = sampleZones().map((z) => JSON.stringify(z));
    lines[2] = lines[2].slice(0, 40);
    (await import("node:fs")).writeFileSync(path, lines.join("\n"));
    const r = await cosmo(["import", path, "--publish"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^error: ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line 3: malformed JSON \\(.*\\)\n$`),
    );
    expect((await served(db.pool)).version).toBe(1);
  });

  it("the real publish gate refuses a dataset that loses the country (exit 3); --force --reason records who and why", async () => {
    const path = await writeZones(
      dir,
      "nocountry.jsonl",
      sampleZones()
        .filter((z) => z.id !== 10)
        .map((z) => ({ ...z, parent: z.parent === 10 ? null : z.parent })),
    );
    const { version } = await importZonesFile(db, path, { progress: false });
    const refused = await cosmo(["publish", String(version)]);
    expect(refused.stderr).toMatch(/^error: publish gate refused version \d+ \(served stays 1\): .*country/);
    expect(refused.stderr).toContain(`(to serve it anyway: cosmo publish ${version} --force --reason TEXT)\n`);
    expect(refused.code).toBe(3);
    expect((await served(db.pool)).version).toBe(1);
    const forced = await cosmo(["publish", String(version), "--force", "--reason", "country split upstream"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/serving version \d+ \(previous: 1, forced by tester/);
    const { rows } = await db.pool.query(
      "SELECT forced_by, force_reason, status FROM cosmo.datasets WHERE version = $1",
      [version],
    );
    expect(rows[0]).toEqual({ forced_by: "tester", force_reason: "country split upstream", status: "published" });
    const list = await cosmo(["datasets"]);
    expect(list.stdout).toMatch(new RegExp(`\\* v${version}\\tpublished`));
    expect(list.stdout).toMatch(/< v1\tready/);
    // back to version 1 (the CLI's rollback is the same function, tested in publish.test.ts)
    await rollback(db);
    expect((await served(db.pool)).version).toBe(1);
  });

  it("SIGKILL mid-import leaves the served dataset served and the next import succeeds", async () => {
    const big = join(dir, "big.jsonl");
    await generateZonesFile(big, { vertices: 2_000_000 });
    let pid = 0;
    const run = cosmo(["import", big, "--publish"], { onSpawn: (p) => (pid = p) });
    // wait until rows are streaming into the new schema, then kill -9
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await db.pool.query(
        "SELECT coalesce(sum(tuples_processed), 0)::int AS n FROM pg_stat_progress_copy WHERE datname = current_database()",
      );
      if (rows[0].n > 0) break;
      if (Date.now() > deadline) throw new Error("the import never started copying");
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(pid, "SIGKILL");
    const r = await run;
    expect(r.signal).toBe("SIGKILL");
    const { rows: loading } = await db.pool.query("SELECT version FROM cosmo.datasets WHERE status = 'loading'");
    expect(loading).toHaveLength(1);
    expect((await served(db.pool)).version).toBe(1);
    const { rows: view } = await db.pool.query("SELECT count(*)::int AS n FROM public.zones");
    expect(view[0].n).toBe(4);
    // the next run cleans up and imports
    const next = await importZonesFile(
      db,
      await writeZones(
        dir,
        "after-kill.json",
        sampleZones().map((z) => ({ ...z, label: `${z.label}.` })),
      ),
      {
        publish: true,
        progress: false,
      },
    );
    expect(next.skipped).toBe(false);
    const { rows: status } = await db.pool.query("SELECT status FROM cosmo.datasets WHERE version = $1", [
      loading[0].version,
    ]);
    expect(status[0].status).toBe("failed");
    const { rows: schemas } = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname = $1", [
      `zones_v${loading[0].version}`,
    ]);
    expect(schemas).toHaveLength(0);
    expect((await served(db.pool)).version).toBe(next.version);
  });
});
