// The cached extraction other stages' tests use: two concurrent callers get the same, complete file, and
// the import stage loads it.
import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { testDatabase } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { extractedLuxembourg } from "../test-fixture.ts";
import { readAll } from "./helpers.ts";

describe("extractedLuxembourg()", () => {
  it("extracts once for concurrent callers and returns a complete .jsonl.gz (--country-code lu, Voronoi on)", async () => {
    const [a, b] = await Promise.all([extractedLuxembourg(), extractedLuxembourg()]);
    expect(a).toBe(b);
    expect(a).toMatch(/\.data\/test-cache\/luxembourg-[0-9a-f]{16}\.jsonl\.gz$/);
    const mtime = statSync(a).mtimeMs;
    expect(await extractedLuxembourg()).toBe(a);
    expect(statSync(a).mtimeMs).toBe(mtime); // served from the cache
    const zones = await readAll(a);
    expect(zones).toHaveLength(215);
    expect(zones.filter((z) => z.is_generated && z.geometry !== null)).toHaveLength(17);
    expect(new Set(zones.map((z) => z.country_code))).toEqual(new Set(["LU"]));
    // with its stats sidecar
    const meta = JSON.parse(readFileSync(`${a}.meta.json`, "utf8"));
    expect(Object.values(meta.stats.level_counts as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(215);
  });

  it("imports with the import stage (its validity checks included)", async () => {
    const db = await testDatabase("extract_import");
    try {
      const r = await importZonesFile(db, await extractedLuxembourg());
      expect(r.zoneCount).toBe(215);
      expect(r.skipped).toBe(false);
    } finally {
      await db.close();
    }
  });
});
