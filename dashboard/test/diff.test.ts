import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Zone } from "../../core/cosmogony/model.ts";
import { COSMO_BIN, type TestDatabase, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { diffDatasets, formatDiffSummary } from "../diff.ts";
import { type CHANGE_CATEGORIES, DiffReportSchema } from "../diff-schema.ts";
import { validateWithJsonSchema } from "./json-schema.ts";
import { luxembourgZones, writeJsonl } from "./luxembourg.ts";

/** Deep copy with every id shifted, so matching can only work through osm_id (and parents through their osm_id). */
function renumber(zones: Zone[], by: number): Zone[] {
  return zones.map((z) => ({ ...structuredClone(z), id: z.id + by, parent: z.parent === null ? null : z.parent + by }));
}

function mapCoords(z: Zone, f: (x: number, y: number, i: number) => [number, number]): void {
  let i = 0;
  if (!z.geometry) throw new Error(`${z.osm_id} has no geometry`);
  z.geometry.coordinates = z.geometry.coordinates.map((poly) => poly.map((ring) => ring.map(([x, y]) => f(x, y, i++))));
}

describe("diff of two Luxembourg versions with deliberate edits", () => {
  let db: TestDatabase;
  let oldFile: string;
  let newFile: string;
  const edits: Record<string, string> = {};

  beforeAll(async () => {
    db = await testDatabase("dash_diff");
    const { zones } = await luxembourgZones();
    const dir = tmpDir("diff");
    oldFile = writeJsonl(dir, "old.jsonl", zones);

    const hasChildren = new Set(zones.map((z) => z.parent).filter((p) => p !== null));
    const leafCities = zones.filter((z) => z.zone_type === "city" && !hasChildren.has(z.id) && z.geometry);
    const [removed, renamed, moved, noisy] = leafCities;
    const suburb = zones.find((z) => z.zone_type === "suburb" && z.parent !== null && z.geometry)!;
    const otherCity = leafCities.find((c) => c.id !== suburb.parent && ![removed, renamed, moved, noisy].includes(c))!;
    Object.assign(edits, {
      removed: removed.osm_id,
      renamed: renamed.osm_id,
      moved: moved.osm_id,
      noisy: noisy.osm_id,
      reparented: suburb.osm_id,
    });

    const shift = 1_000_000;
    const next = renumber(zones, shift).filter((z) => z.osm_id !== removed.osm_id);
    const byOsm = new Map(next.map((z) => [z.osm_id, z]));
    byOsm.get(renamed.osm_id)!.name = `${renamed.name} (renamed)`;
    // Moved boundary: the whole commune shifted ~1 km east.
    mapCoords(byOsm.get(moved.osm_id)!, (x, y) => [x + 0.014, y]);
    // Coordinate noise (~1 cm) and reversed tag order: inconsequential.
    const n = byOsm.get(noisy.osm_id)!;
    mapCoords(n, (x, y) => {
      // a function of the position, so rings stay closed; at most 9e-8° (1 cm)
      const d = ((Math.abs(Math.round(x * 1e7) + Math.round(y * 1e7)) % 7) - 3) * 3e-8;
      return [x + d, y - d];
    });
    n.tags = Object.fromEntries(Object.entries(n.tags).reverse());
    byOsm.get(suburb.osm_id)!.parent = otherCity.id + shift;
    newFile = writeJsonl(dir, "new.jsonl", next);
  }, 600_000);
  afterAll(async () => db?.close());

  let first: string;
  it("reports exactly the edits, each in its category", async () => {
    const report = await diffDatasets(oldFile, newFile, { db, examples: 10 });
    first = JSON.stringify(report);
    expect(DiffReportSchema.parse(report)).toEqual(report);
    expect(validateWithJsonSchema("diff.schema.json", report)).toEqual([]);
    const { unchanged, ...changes } = report.totals;
    expect(changes).toEqual({ added: 0, removed: 1, renamed: 1, retyped: 0, reparented: 1, geometryChanged: 1 });
    expect(unchanged).toBe(report.old.zoneCount - 4);
    const ids = (c: (typeof CHANGE_CATEGORIES)[number]) =>
      report.groups.flatMap((g) => g.examples[c].map((e) => e.osmId));
    expect(ids("removed")).toEqual([edits.removed]);
    expect(ids("renamed")).toEqual([edits.renamed]);
    expect(ids("geometryChanged")).toEqual([edits.moved]);
    expect(ids("reparented")).toEqual([edits.reparented]);
    expect(report.countriesRemoved).toEqual([]);
    const lu = report.groups.find((g) => g.country === "LU" && g.zoneType === "city")!;
    expect(lu.oldCount - lu.newCount).toBe(1);
    expect(formatDiffSummary(report)).toMatch(/removed 1, renamed 1, retyped 0, re-parented 1, geometry changed 1/);
  });

  it("is deterministic and empty for identical inputs", async () => {
    const again = await diffDatasets(oldFile, newFile, { db, examples: 10 });
    expect(JSON.stringify(again)).toBe(first);
    const same = await diffDatasets(oldFile, oldFile, { db });
    const { unchanged, ...changes } = same.totals;
    expect(Object.values(changes).every((v) => v === 0)).toBe(true);
    expect(unchanged).toBe(same.old.zoneCount);
  });

  it("CLI prints the summary and writes the report where -o says, and nowhere else", () => {
    const dir = tmpDir("diff-cli");
    const out = join(dir, "report.json");
    const res = spawnSync(process.execPath, [COSMO_BIN, "diff", oldFile, newFile, "-o", out, "--examples", "10"], {
      env: { ...testEnv({ db }), COSMO_DATA_PUBLIC_DIR: join(dir, "www") },
      encoding: "utf8",
    });
    expect(res.stderr).not.toMatch(/error:/);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^diff .*old\.jsonl \(\d+ zones\) → .*new\.jsonl \(\d+ zones\)\n/);
    expect(res.stdout).toMatch(/LU city: removed 1 \(/);
    const text = readFileSync(out, "utf8");
    expect(JSON.stringify(JSON.parse(text))).toBe(first);
    // Not the public change report (only a publish changes what the public sees), not next to the input.
    expect(existsSync(join(dir, "www"))).toBe(false);
    expect(existsSync(join(dirname(newFile), "diff"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["report.json"]);
  });
});
