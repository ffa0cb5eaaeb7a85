// `cosmo diff served N` before anything is published (the pipeline's first run): the old side is nothing,
// every zone of the candidate is "added", as the publish gate sees it — not an error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { diffDatasets } from "../diff.ts";
import { HANDMADE_IMPORTABLE, writeHandmade } from "./handmade.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase("diff_first");
});
afterAll(async () => {
  await db.close();
});

describe("diff against the served dataset before the first publish", () => {
  it("reports every zone of the candidate as added", async () => {
    const { zones } = writeHandmade(tmpDir("diff-first"), { importable: true });
    const imported = await importZonesFile(db, zones, { progress: false });
    expect(imported.published).toBeFalsy();
    const report = await diffDatasets("served", String(imported.version), { db });
    expect(report.old.kind).toBe("none");
    expect(report.new.version).toBe(imported.version);
    expect(report.totals.added).toBe(HANDMADE_IMPORTABLE.length);
    expect(report.totals.removed).toBe(0);
  });
});
