// `cosmo workflows run-local` without --param regions runs the bundled Luxembourg extract, not the template's
// default of eight continent downloads (issue 15, item 18).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COSMO_BIN, testEnv, testStore } from "../../core/testing.ts";
import { DEFAULT_OUT } from "../defaults.ts";
import { readRendered } from "../render.ts";
import { LOCAL_EXTRACT, runLocalParams } from "../runner/local-params.ts";
import { DEFAULT_REGIONS } from "../templates/pipeline.ts";

describe("run-local parameters", () => {
  const docs = readRendered(DEFAULT_OUT);

  it("default the update pipeline's regions to the bundled extract, and say so", () => {
    const { params, notes } = runLocalParams(docs, "cosmo-update", {}, "local");
    const regions = JSON.parse(params.regions!) as { name: string; url: string; countryCode: string }[];
    expect(regions).toHaveLength(1);
    expect(regions[0]!.url.endsWith(LOCAL_EXTRACT)).toBe(true);
    expect(existsSync(regions[0]!.url)).toBe(true);
    expect(regions.some((r) => r.url.includes("geofabrik"))).toBe(false);
    expect(params.bucket).toBe("local");
    expect(notes.join("\n")).toMatch(/regions: the bundled data\/osm\/luxembourg_filtered\.osm\.pbf/);
  });

  it("keep given regions, and leave templates without a regions parameter alone", () => {
    const given = JSON.stringify(DEFAULT_REGIONS.slice(0, 1));
    expect(runLocalParams(docs, "cosmo-update", { regions: given }, "local")).toEqual({
      params: { regions: given, bucket: "local" },
      notes: [],
    });
    expect(runLocalParams(docs, "cosmo-fetch", {}, "local").params.regions).toBeUndefined();
  });

  it("refuse another bucket than the local artefact bucket (exit 2)", () => {
    const store = testStore();
    const res = spawnSync(
      process.execPath,
      [COSMO_BIN, "workflows", "run-local", "--param", "bucket=elsewhere", "--name", "bad-bucket"],
      { env: testEnv({ store }), encoding: "utf8" },
    );
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--param bucket=elsewhere differs from the local artefact bucket t-/);
  });
});
