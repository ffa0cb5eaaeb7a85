// CLI option edge cases that workflows produce: an unset parameter arrives as `--country-code=` (empty).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COSMO_BIN, fixture, type TestDatabase, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";

const run = promisify(execFile);
let db: TestDatabase;

beforeAll(async () => {
  db = await testDatabase("extract_opts");
});
afterAll(async () => {
  await db.close();
});

describe("cosmo extract --country-code=", () => {
  it("treats an empty country code as absent (country found from the data), not as a country", async () => {
    const out = join(tmpDir("extract-opts"), "zones.jsonl.gz");
    await run(
      "node",
      [COSMO_BIN, "extract", "-i", fixture("luxembourg_filtered.osm.pbf"), "-o", out, "--country-code="],
      { env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn" } },
    );
    const zones = gunzipSync(readFileSync(out))
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { zone_type: string; country_code: string | null });
    // The same as the default run without the option: 212 zones, the country among them, all in LU.
    expect(zones).toHaveLength(212);
    expect(zones.filter((z) => z.zone_type === "country")).toHaveLength(1);
    expect(new Set(zones.map((z) => z.country_code))).toEqual(new Set(["LU"]));
  });
});
