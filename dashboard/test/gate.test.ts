import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../core/config.ts";
import type { Zone } from "../../core/cosmogony/model.ts";
import type { Database } from "../../core/db.ts";
import { GateRefusedError } from "../../core/errors.ts";
import { COSMO_BIN, type TestDatabase, testConfig, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { type Gate, publishVersion, servedVersion } from "../../importer/publish.ts";
import { DiffReportSchema } from "../diff-schema.ts";
import { evaluateGate, gateFailures } from "../gate.ts";
import { luxembourgZones, writeJsonl } from "./luxembourg.ts";

describe("publish gate on Luxembourg versions", () => {
  let db: TestDatabase;
  let config: Config;
  let dir: string;
  let zones: Zone[];
  let gate: Gate;
  const publicDiff = () => join(dir, "www", "diff", "latest.json");

  beforeAll(async () => {
    db = await testDatabase("dash_gate");
    dir = tmpDir("gate");
    config = testConfig({ db, overrides: { COSMO_DATA_PUBLIC_DIR: join(dir, "www") } });
    gate = (d: Database, v: number) => evaluateGate(d, v, { config });
    zones = (await luxembourgZones()).zones;
  }, 600_000);
  afterAll(async () => db?.close());

  it("passes the first publish (nothing served) and a small change", async () => {
    const first = await importZonesFile(db, writeJsonl(dir, "v1.jsonl", zones), {
      progress: false,
      publish: true,
      gate,
    });
    expect(first.published).toBe(true);
    // one leaf commune less: 1/105 cities, 1/215 zones, Luxembourg's city row stays ok
    const hasChildren = new Set(zones.map((z) => z.parent));
    const leaf = zones.find(
      (z) => z.zone_type === "city" && z.country_code === "LU" && z.parent !== null && !hasChildren.has(z.id),
    )!;
    const second = writeJsonl(
      dir,
      "v2.jsonl",
      zones.filter((z) => z.id !== leaf.id),
    );
    const imported = await importZonesFile(db, second, { progress: false });
    const result = await evaluateGate(db, imported.version, { config });
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.report.totals.removed).toBe(1);
    // Evaluating the gate changes nothing the public sees; the publish it lets through does.
    expect(existsSync(publicDiff())).toBe(false);
    const cli = spawnSync(process.execPath, [COSMO_BIN, "publish", String(imported.version)], {
      env: { ...testEnv({ db }), COSMO_DATA_PUBLIC_DIR: join(dir, "www") },
      encoding: "utf8",
    });
    expect(cli.stderr).not.toMatch(/error/);
    expect(cli.status).toBe(0);
    expect((await servedVersion(db.pool))?.version).toBe(imported.version);
    const shown = DiffReportSchema.parse(JSON.parse(readFileSync(publicDiff(), "utf8")));
    expect(shown.gate?.ok).toBe(true);
    expect(shown.new.version).toBe(imported.version);
    expect(shown.totals.removed).toBe(1);
  });

  it("refuses a version without the country zone, keeps the served one, and --force publishes and records it", async () => {
    const served = (await servedVersion(db.pool))!.version;
    const country = zones.find((z) => z.zone_type === "country")!;
    const broken = writeJsonl(
      dir,
      "no-country.jsonl",
      zones.filter((z) => z.id !== country.id).map((z) => (z.parent === country.id ? { ...z, parent: null } : z)),
    );
    const err = await importZonesFile(db, broken, { progress: false, publish: true, gate }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateRefusedError);
    expect((err as GateRefusedError).exitCode).toBe(3);
    const rules = (err as GateRefusedError).failures.map((f) => f.rule);
    expect(rules).toContain("maxCountriesRemoved");
    // the volumetric Luxembourg rows were ok and are now skipped (no Q32), not ko: only the country rules fire
    expect(rules).toContain("maxTypeRemovedPercent");
    expect((err as Error).message).toMatch(
      /maxCountriesRemoved: 1 country zone\(s\) removed \(allowed 0\): Lëtzebuerg \(LU, relation:2171347\)/,
    );
    expect((await servedVersion(db.pool))?.version).toBe(served);

    // A refused publish changes nothing the public sees (the change report of the served version stays), and
    // writes nothing next to its input file.
    const shown = readFileSync(publicDiff(), "utf8");
    expect(DiffReportSchema.parse(JSON.parse(shown)).new.version).toBe(served);
    expect(existsSync(join(dir, "diff"))).toBe(false);

    const { rows: last } = await db.pool.query<{ v: number }>("SELECT max(version)::int AS v FROM cosmo.datasets");
    const candidate = last[0]!.v;
    // the refused candidate's report, for the operator, goes where the gate CLI is told
    const report = spawnSync(process.execPath, [COSMO_BIN, "gate", String(candidate), "--json"], {
      env: { ...testEnv({ db }), COSMO_DATA_PUBLIC_DIR: join(dir, "www") },
      encoding: "utf8",
    });
    expect(report.status).toBe(3);
    const latest = DiffReportSchema.parse(JSON.parse(report.stdout).report);
    expect(latest.gate?.ok).toBe(false);
    expect(latest.countriesRemoved.map((c) => c.osmId)).toEqual([country.osm_id]);
    // nor does a refused `cosmo publish`
    const refused = spawnSync(process.execPath, [COSMO_BIN, "publish", String(candidate)], {
      env: { ...testEnv({ db }), COSMO_DATA_PUBLIC_DIR: join(dir, "www") },
      encoding: "utf8",
    });
    expect(refused.status).toBe(3);
    expect(readFileSync(publicDiff(), "utf8")).toBe(shown);

    // the same verdict from the CLI, without publishing: exit 3 and one line naming the rules
    const cli = spawnSync(process.execPath, [COSMO_BIN, "gate", String(candidate)], {
      env: { ...testEnv({ db }), COSMO_DATA_PUBLIC_DIR: join(dir, "www") },
      encoding: "utf8",
    });
    expect(cli.status).toBe(3);
    expect(cli.stderr.trim().split("\n").at(-1)).toMatch(
      new RegExp(
        `^error: publish of dataset version ${candidate} refused by the gate: \\[maxCountriesRemoved\\] .*\\[maxTypeRemovedPercent\\]`,
      ),
    );
    expect(cli.stdout).toMatch(/countries removed: Lëtzebuerg \(LU, relation:2171347\)/);
    expect((await servedVersion(db.pool))?.version).toBe(served);
    expect(readFileSync(publicDiff(), "utf8")).toBe(shown);

    const forced = await publishVersion(db, candidate, {
      force: true,
      forcedBy: "tester",
      reason: "country relation broken upstream, known",
      gate,
    });
    expect(forced.forced).toBe(true);
    expect((await servedVersion(db.pool))?.version).toBe(candidate);
    const { rows } = await db.pool.query(
      "SELECT forced_by, force_reason, status FROM cosmo.datasets WHERE version = $1",
      [candidate],
    );
    expect(rows[0]).toEqual({
      forced_by: "tester",
      force_reason: "country relation broken upstream, known",
      status: "published",
    });
  });

  it("applies the total-drop and dashboard-regression rules", () => {
    const base = DiffReportSchema.parse(JSON.parse(readFileSync(publicDiff(), "utf8")));
    const shrunk = {
      ...base,
      countriesRemoved: [],
      groups: [],
      old: { ...base.old, zoneCount: 100 },
      new: { ...base.new, zoneCount: 90 },
    };
    const row = (total: number, status: "ok" | "ko") => ({
      columns: { wikidata_id: "Q32", name: "Luxembourg", zone_type: "city" },
      total,
      status,
      knownFailure: false,
      zoneId: 1,
      osmId: "relation:1",
      reason: null,
    });
    const failures = gateFailures(shrunk, config.gate, { served: [row(102, "ok")], candidate: [row(90, "ko")] });
    expect(failures.map((f) => f.rule)).toEqual(["maxTotalDropPercent", "failOnDashboardRegression"]);
    expect(failures[0].message).toBe("total zone count dropped 10 % (100 → 90, allowed 5 %)");
    expect(failures[1].message).toBe("1 volumetric row(s) went from ok to ko: Luxembourg city 102 → 90");
    expect(gateFailures(shrunk, { ...config.gate, maxTotalDropPercent: 20, failOnDashboardRegression: false })).toEqual(
      [],
    );
  });
});
