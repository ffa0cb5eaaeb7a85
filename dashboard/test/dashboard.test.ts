import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COSMO_BIN,
  type TestDatabase,
  testConfig,
  testDatabase,
  testEnv,
  testStore,
  tmpDir,
} from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { oldTestResults, runDashboard, toJson } from "../dashboard.ts";
import { siblingUrl, writeArtefact } from "../output.ts";
import { type DashboardReport, DashboardReportSchema, OldTestResultsSchema } from "../report-schema.ts";
import { writeHandmade } from "./handmade.ts";
import { validateWithJsonSchema } from "./json-schema.ts";
import { luxembourgZones } from "./luxembourg.ts";

const REFERENCE = "data/dashboard/reference_stats_values.csv";

function result(report: DashboardReport, check: string, country: string | null, zoneType: string | null) {
  const r = report.results.find((x) => x.check === check && x.country === country && x.zoneType === zoneType);
  if (!r) throw new Error(`no ${check} result for ${country}/${zoneType}`);
  return r;
}

/** Everything but where the dataset came from. */
function checksOf(r: DashboardReport) {
  const { dataset: _d, generatedAt: _g, ...rest } = r;
  return rest;
}

describe("dashboard on a hand-made zones file", () => {
  let db: TestDatabase;
  let files: { zones: string; reference: string };
  let report: DashboardReport;
  beforeAll(async () => {
    db = await testDatabase("dash_handmade");
    files = writeHandmade(tmpDir("dash"));
    report = await runDashboard(db, { kind: "file", url: files.zones }, { reference: files.reference, examples: 5 });
  });
  afterAll(async () => db?.close());

  it("gives ok, ko and skip rows, and ends the walk on a parent cycle", () => {
    expect(report.volumetric.map((r) => [r.columns.wikidata_id, r.columns.zone_type, r.total, r.status])).toEqual([
      ["Q1000", "state", 2, "ok"],
      ["Q1000", "city", 4, "ko"],
      ["Q1001", "city", 2, "ok"],
      ["Q1030", "suburb", 1, "ok"],
      ["Q9999", "city", null, "skip"],
    ]);
    expect(report.volumetric[1].knownFailure).toBe(true);
    expect(report.summary.volumetric).toEqual({ ok: 3, ko: 1, skip: 1, koKnown: 1 });
    // every CSV column is kept, numbers as numbers, empty cells as null
    expect(report.volumetric[0].columns).toEqual({
      wikidata_id: "Q1000",
      name: "Testland",
      country_code: "TL",
      zone_type: "state",
      zone_type_local_name: "land",
      expected_min: 2,
      expected_max: 2,
      is_known_failure: null,
      wikidata_ontology: "Q1",
    });
  });

  it("flags the invalid geometry, the child outside its parent and the child larger than its parent", () => {
    const invalid = result(report, "invalid_geometry", "TL", "city");
    expect(invalid).toMatchObject({ status: "warn", offending: 1, examined: 4 });
    expect(invalid.examples.map((e) => e.id)).toEqual([11]);
    expect(invalid.examples[0].detail).toMatch(/Self-intersection/);
    expect(result(report, "invalid_geometry", "TL", "state").status).toBe("ok");

    const outside = result(report, "outside_parent", "TL", "city");
    expect(outside).toMatchObject({ status: "ko", offending: 1 });
    expect(outside.examples[0]).toMatchObject({ id: 13, osmId: "relation:13" });
    expect(outside.examples[0].detail).toMatch(/^75\.00 % of its area outside parent relation:3/);
    expect(result(report, "outside_parent", "TL", "state").status).toBe("ok");

    const larger = result(report, "larger_than_parent", "TL", "suburb");
    expect(larger.examples.map((e) => e.id)).toEqual([20]);
    expect(result(report, "larger_than_parent", "TL", "city").status).toBe("ok");
  });

  it("measures coverage, wikidata coverage and zones without country", () => {
    expect(result(report, "coverage", "TL", "state").value).toBe(1);
    // Southwest 25 + Eastville 25 + Overflow 4 + the repaired bow-tie 0.5, over the country's 100
    expect(result(report, "coverage", "TL", "city").value).toBeCloseTo(0.545, 6);
    const wd = report.results.find((r) => r.check === "wikidata_coverage" && r.country === "TL" && r.adminLevel === 8)!;
    // level 8 in TL: Southwest and Eastville have one, Bowtie and Overflow do not (Nowhere has no country)
    expect(wd).toMatchObject({ status: "info", examined: 4, offending: 2, value: 0.5 });
    expect(wd.examples.map((e) => e.id)).toEqual([11, 13]);
    const noCountry = result(report, "without_country", null, "city");
    expect(noCountry).toMatchObject({ status: "warn", offending: 1 });
    expect(noCountry.examples.map((e) => e.id)).toEqual([40]);
    expect(result(report, "extractor_dropped", null, null).status).toBe("skip");
  });

  it("validates against its schema and is identical when run again", async () => {
    expect(DashboardReportSchema.parse(report)).toEqual(report);
    expect(validateWithJsonSchema("dashboard.schema.json", report)).toEqual([]);
    const again = await runDashboard(
      db,
      { kind: "file", url: files.zones },
      { reference: files.reference, examples: 5 },
    );
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
    expect(OldTestResultsSchema.parse(oldTestResults(report))).toHaveLength(5);
  });

  it("writes a skipped row's total as -1 in the old test_results.json, as the old dashboard did", () => {
    const old = oldTestResults(report);
    expect(old.map((r) => [r.wikidata_id, r.total, r.test_status])).toEqual([
      ["Q1000", 2, "ok"],
      ["Q1000", 4, "ko"],
      ["Q1001", 2, "ok"],
      ["Q1030", 1, "ok"],
      ["Q9999", -1, "skip"],
    ]);
  });

  it("reads the zones file from the artefact store (s3://) with the same results", async () => {
    const store = testStore();
    const url = store.url("extracts/handmade.jsonl");
    await store.put(url, readFileSync(files.zones));
    const fromS3 = await runDashboard(db, { kind: "file", url }, { reference: files.reference, examples: 5 });
    expect(fromS3.dataset).toMatchObject({ kind: "file", source: url, sha256: report.dataset.sha256 });
    expect(checksOf(fromS3)).toEqual(checksOf(report));
    // and writes its outputs there (what the workflow's dashboard step does)
    const out = store.url("dashboard/latest.json");
    await writeArtefact(out, toJson(fromS3), testConfig({ store }));
    await writeArtefact(siblingUrl(out, "test_results.json"), toJson(oldTestResults(fromS3)), testConfig({ store }));
    expect(JSON.parse((await store.getBuffer(out)).toString("utf8"))).toEqual(fromS3);
    expect(await store.exists(store.url("dashboard/test_results.json"))).toBe(true);
  });
});

describe("dashboard on the Luxembourg extraction", () => {
  let db: TestDatabase;
  let luxFile: string;
  let fromFile: DashboardReport;
  beforeAll(async () => {
    db = await testDatabase("dash_lux");
    luxFile = (await luxembourgZones()).path;
    fromFile = await runDashboard(db, { kind: "file", url: luxFile }, { reference: REFERENCE });
  }, 600_000);
  afterAll(async () => db?.close());

  it("gets the Luxembourg reference rows right", () => {
    const lu = fromFile.volumetric.filter((r) => r.columns.country_code === "LU");
    // cosmogony's own test facts: 0 state, 13 state_district (cantons), 105 city zones in the extract, of which
    // 3 are border communes of Germany/France (Roth an der Our, Évrange, Mondorff) with no parent: 102 below
    // Luxembourg, inside the reference's 100–104.
    expect(lu.map((r) => [r.columns.zone_type, r.total, r.status])).toEqual([
      ["state", 0, "ok"],
      ["state_district", 13, "ok"],
      ["city", 102, "ok"],
    ]);
    expect(fromFile.zoneCounts.find((c) => c.country === "LU" && c.zoneType === "city")?.count).toBe(105);
    // the extraction is clean: no invalid geometry, every child inside its parent; the cantons tile the country.
    // The one warning is the extractor's own: its stats sidecar lists the relations of the filtered extract that
    // have no boundary ways (cut at the extract's edge), and the check reads it although the file is .jsonl.gz.
    const flagged = fromFile.results.filter((r) => r.status === "ko" || r.status === "warn");
    expect(flagged.map((r) => [r.check, r.status, r.message])).toEqual([
      ["extractor_dropped", "warn", "no_boundary: 97"],
    ]);
    expect(result(fromFile, "coverage", "LU", "state_district").value).toBeCloseTo(1, 4);
    expect(result(fromFile, "outside_parent", "LU", "city").examined).toBe(102);
    expect(lu.every((r) => r.osmId === "relation:2171347")).toBe(true);
    const others = fromFile.volumetric.filter((r) => r.columns.country_code !== "LU");
    expect(others.length).toBeGreaterThan(200);
    expect(others.every((r) => r.status === "skip" && r.total === null)).toBe(true);
    expect(fromFile.summary.zones).toBe(215);
  });

  it("gives the same results from the imported dataset as from the file", async () => {
    const imported = await importZonesFile(db, luxFile, { progress: false });
    const fromDb = await runDashboard(db, { kind: "version", version: imported.version }, { reference: REFERENCE });
    expect(fromDb.dataset).toMatchObject({
      kind: "version",
      version: imported.version,
      sha256: fromFile.dataset.sha256,
    });
    expect(checksOf(fromDb)).toEqual(checksOf(fromFile));
  });

  it("CLI writes the document, the old test_results.json and the public copies", () => {
    const dir = tmpDir("dash-cli");
    const out = join(dir, "out", "latest.json");
    const pub = join(dir, "www");
    const res = spawnSync(
      process.execPath,
      [COSMO_BIN, "dashboard", "-i", luxFile, "--reference", REFERENCE, "-o", out, "--publish-dir", pub],
      { env: testEnv({ db }), encoding: "utf8" },
    );
    expect(res.stderr).not.toMatch(/error:/);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^215 zones; volumetric ok 3, ko 0 \(0 known\), skip 261;/);
    const doc = DashboardReportSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    expect(checksOf(doc)).toEqual(checksOf(fromFile));
    const old = OldTestResultsSchema.parse(JSON.parse(readFileSync(join(dir, "out", "test_results.json"), "utf8")));
    expect(old.find((r) => r.country_code === "LU" && r.zone_type === "city")).toMatchObject({
      wikidata_id: "Q32",
      expected_min: 100,
      expected_max: 104,
      total: 102,
      test_status: "ok",
    });
    expect(readFileSync(join(pub, "dashboard", "latest.json"), "utf8")).toBe(readFileSync(out, "utf8"));
    expect(readFileSync(join(pub, "test_results.json"), "utf8")).toBe(
      readFileSync(join(dir, "out", "test_results.json"), "utf8"),
    );
  });

  it("fails with a one-line error naming a missing input", () => {
    const res = spawnSync(
      process.execPath,
      [COSMO_BIN, "dashboard", "-i", "/nonexistent/zones.jsonl", "-o", "x.json"],
      {
        env: testEnv({ db }),
        encoding: "utf8",
      },
    );
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toMatch(/^error: .*\/nonexistent\/zones\.jsonl.*no such file$/);
  });
});
