// The default run (Voronoi on, country from the data) in the four formats, through the API and the CLI
// (S3 in and out), bad inputs, Gatineau's center, and `cosmo merge`.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Zone } from "../../core/cosmogony/model.ts";
import { InputError } from "../../core/errors.ts";
import { type ArtefactStore, localFile } from "../../core/storage.ts";
import { COSMO_BIN, fixture, type TestDatabase, testDatabase, testEnv, testStore, tmpDir } from "../../core/testing.ts";
import { extract } from "../extract.ts";
import { parentsNotCovering, readAll } from "./helpers.ts";

const run = promisify(execFile);
const LUX = () => fixture("luxembourg_filtered.osm.pbf");

let db: TestDatabase;
let store: ArtefactStore;
let dir: string;
const outputs: Record<string, Zone[]> = {};

async function cosmo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run("node", [COSMO_BIN, ...args], { env: { ...testEnv({ db, store }), COSMO_LOG_LEVEL: "warn" } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  db = await testDatabase("extract_cli");
  store = testStore();
  dir = tmpDir("extract-cli");
  // .jsonl.gz through the CLI, from S3 to S3; the three others through the API.
  await store.put(store.url("in/luxembourg.osm.pbf"), readFileSync(LUX()));
  const cli = await cosmo([
    "extract",
    "-i",
    store.url("in/luxembourg.osm.pbf"),
    "-o",
    store.url("out/lux.jsonl.gz"),
    "--threads",
    "1",
  ]);
  expect(cli.stderr).toMatch(/wrote 212 zones/);
  expect(cli.code).toBe(0);
  const local = await localFile(store.url("out/lux.jsonl.gz"), { store });
  copyFileSync(local.path, join(dir, "lux.jsonl.gz"));
  await local.cleanup();
  // the stats sidecar travels with its zones file
  writeFileSync(join(dir, "lux.jsonl.gz.meta.json"), await store.getBuffer(store.url("out/lux.jsonl.gz.meta.json")));
  for (const suffix of [".json", ".jsonl", ".json.gz"]) {
    await extract({ input: LUX(), output: join(dir, `lux${suffix}`), db });
  }
  for (const suffix of [".json", ".jsonl", ".json.gz", ".jsonl.gz"])
    outputs[suffix] = await readAll(join(dir, `lux${suffix}`));
});
afterAll(async () => {
  await db?.close();
});

describe("default run on Luxembourg (Voronoi on, country from the data)", () => {
  it("writes the same 212 zones in all four formats (upstream's figure of its era: 208)", () => {
    const ref = outputs[".json"];
    expect(ref).toHaveLength(212);
    for (const s of [".jsonl", ".json.gz", ".jsonl.gz"]) expect(outputs[s], s).toEqual(ref);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("finds LU from the country's ISO3166-1:alpha2 tag and drops the zones outside any country", () => {
    const zones = outputs[".json"];
    expect(new Set(zones.map((z) => z.country_code))).toEqual(new Set(["LU"]));
    const meta = JSON.parse(readFileSync(join(dir, "lux.json"), "utf8")).meta;
    expect(meta.stats.zone_without_country).toBe(6);
  });

  it("gives each of the 17 suburb places a Voronoi cell inside Luxembourg City", () => {
    const zones = outputs[".json"];
    const places = zones.filter((z) => z.is_generated);
    expect(places).toHaveLength(17);
    const city = zones.find((z) => z.osm_id === "relation:407489")!;
    for (const p of places) {
      expect(p.geometry?.type, p.name).toBe("MultiPolygon");
      expect(p.parent, p.name).toBe(city.id);
      expect(p.bbox![0]).toBeGreaterThanOrEqual(city.bbox![0]);
      expect(p.bbox![2]).toBeLessThanOrEqual(city.bbox![2]);
    }
    // the capital place (Luxembourg, place=city) adds nothing: Luxembourg City already covers it
    expect(zones.some((z) => z.osm_id === "node:52943358")).toBe(false);
  });

  it("writes the meta object beside each output (local and S3), the .json's own meta block, level 0 included", async () => {
    const meta = JSON.parse(readFileSync(join(dir, "lux.json"), "utf8")).meta;
    for (const suffix of [".json", ".jsonl", ".json.gz"]) {
      expect(JSON.parse(readFileSync(join(dir, `lux${suffix}.meta.json`), "utf8")), suffix).toEqual(meta);
    }
    // the S3 run read luxembourg.osm.pbf: same stats, its own file name
    const fromS3 = JSON.parse((await store.getBuffer(store.url("out/lux.jsonl.gz.meta.json"))).toString("utf8"));
    expect(fromS3).toEqual({ ...meta, osm_filename: "luxembourg.osm.pbf" });
    expect(meta.stats.level_counts["0"]).toBe(17);
    expect(Object.values(meta.stats.level_counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(212);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("every zone's parent covers it", async () => {
    expect(await parentsNotCovering(db, outputs[".json"], "lux_voronoi")).toEqual([]);
  });
});

describe("bad input", () => {
  it("refuses an output name with an unknown suffix with the format error, writing nothing", async () => {
    const r = await cosmo(["extract", "-i", LUX(), "-o", join(dir, "out.bad"), "--country-code", "lu"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: .*out\.bad: unable to detect the file format .*\.json, \.jsonl, \.json\.gz, \.jsonl\.gz/m,
    );
    expect(existsSync(join(dir, "out.bad"))).toBe(false);
  });

  it("names the byte offset of a truncated PBF and leaves no output", async () => {
    const broken = join(dir, "truncated.osm.pbf");
    const bytes = readFileSync(LUX());
    writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await extract({ input: broken, output: join(dir, "truncated.jsonl"), countryCode: "lu", db }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/truncated\.osm\.pbf.*byte \d+/);
    expect(existsSync(join(dir, "truncated.jsonl"))).toBe(false);
  });

  it("fails with upstream's error when no country code is given and none is found", async () => {
    // Gatineau's extract holds no country relation
    const err = await extract({ input: fixture("gatineau.osm.pbf"), output: join(dir, "nocountry.jsonl"), db }).catch(
      (e) => e,
    );
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^no country_code has been provided and no country have been found.*--country-code/);
    expect(existsSync(join(dir, "nocountry.jsonl"))).toBe(false);
  });

  it("counts zones of a country without rules in the stats instead of failing (CLI, --filter-langs)", async () => {
    // AQ (Antarctica) is an ISO 3166-1 code without a libpostal rules file
    const out = join(dir, "aq.json");
    const r = await cosmo([
      "extract",
      "-i",
      LUX(),
      "-o",
      out,
      "--country-code",
      "aq",
      "--disable-voronoi",
      "--filter-langs",
      "xx,fr",
      "--filter-langs",
      "de",
      "--summary-json",
      join(dir, "aq-summary.json"),
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no rules file for --country-code AQ/);
    const summary = JSON.parse(readFileSync(join(dir, "aq-summary.json"), "utf8"));
    expect(summary.stats.zone_with_unkwown_country_rules).toEqual({ AQ: 201 });
    expect(readFileSync(out, "utf8")).toContain('"zone_with_unkwown_country_rules":{"AQ":201}');
    // only the 17 suburb place nodes (typed by their place tag) remain; of their name:lb/de/fr, lb is filtered
    // out and fr equals the default name where present (so no fr label, as upstream)
    const zones = await readAll(out);
    expect(zones).toHaveLength(17);
    const langs = new Set(zones.flatMap((z) => Object.keys(z.international_labels)));
    expect(langs).toEqual(new Set(["de"]));
  });
});

describe("gatineau.osm.pbf --country-code ca", () => {
  it("centers Gatineau on its label node", async () => {
    const out = join(dir, "gatineau.jsonl");
    const r = await cosmo(["extract", "-i", fixture("gatineau.osm.pbf"), "-o", out, "--country-code", "ca"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/zones by type: city 1/);
    const zones = await readAll(out);
    const g = zones.find((z) => z.osm_id === "relation:5356213")!;
    expect(g.admin_level).toBe(8);
    const [x, y] = g.center!.coordinates;
    expect(Math.abs(x - -75.72326699999999)).toBeLessThan(1e-12);
    expect(Math.abs(y - 45.457240999999996)).toBeLessThan(1e-12);
  });
});

describe("cosmo merge", () => {
  it("keeps one zone per osm_id across inputs and remaps ids and parents", async () => {
    const out = join(dir, "merged.jsonl.gz");
    const r = await cosmo([
      "merge",
      join(dir, "lux.jsonl.gz"),
      join(dir, "gatineau.jsonl"),
      join(dir, "lux.json"),
      "-o",
      out,
    ]);
    expect(r.code).toBe(0);
    const merged = await readAll(out);
    const gatineau = await readAll(join(dir, "gatineau.jsonl"));
    expect(merged).toHaveLength(212 + gatineau.length);
    expect(new Set(merged.map((z) => z.osm_id)).size).toBe(merged.length);
    expect(new Set(merged.map((z) => z.id)).size).toBe(merged.length);
    const byId = new Map(merged.map((z) => [z.id, z]));
    const original = new Map(outputs[".json"].map((z) => [z.osm_id, z]));
    const originalById = new Map(outputs[".json"].map((z) => [z.id, z]));
    for (const z of merged) {
      const o = original.get(z.osm_id);
      if (!o) continue;
      // same parent as before, through its new id
      expect(z.parent === null ? null : byId.get(z.parent)?.osm_id).toBe(
        o.parent === null ? null : originalById.get(o.parent)?.osm_id,
      );
    }
    expect(r.stderr).toMatch(/\(212 duplicate osm ids\)/);
    // its stats: the counts of the zones written, the inputs' counters about unwritten zones summed
    const sidecar = JSON.parse(readFileSync(`${out}.meta.json`, "utf8"));
    expect(sidecar.osm_filename).toBe("lux.jsonl.gz,gatineau.jsonl,lux.json");
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    expect(sum(sidecar.stats.level_counts)).toBe(merged.length);
    expect(sum(sidecar.stats.zone_type_counts)).toBe(merged.length);
    expect(sidecar.stats.level_counts["0"]).toBe(17);
    expect(sidecar.stats.zone_without_country).toBe(12); // 6 in each Luxembourg input
    expect(sidecar.stats.dropped_boundaries.no_boundary).toBeGreaterThanOrEqual(2 * 97);
  });
});
