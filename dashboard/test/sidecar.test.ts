// The extractor_dropped check in the pipeline: the stages pass .jsonl.gz files, which carry no meta, so the
// dashboard reads the stats from the file's `FILE.meta.json` sidecar (issue 15, item 6) — next to a local file,
// next to an s3:// object, and next to the source of an imported dataset version.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtefactStore } from "../../core/storage.ts";
import { type TestDatabase, testDatabase, testStore, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { runDashboard } from "../dashboard.ts";
import type { DashboardReport } from "../report-schema.ts";
import { writeHandmade } from "./handmade.ts";

/** A sidecar as `cosmo extract` writes it: the cosmogony meta object. */
const META = {
  osm_filename: "handmade.osm.pbf",
  stats: { dropped_boundaries: [{ osm_id: "relation:77", reason: "unclosed ring", country_code: "TL" }] },
};

const dropped = (r: DashboardReport) => r.results.filter((x) => x.check === "extractor_dropped");

describe("the extract stats sidecar", () => {
  let db: TestDatabase;
  let store: ArtefactStore;
  let files: { zones: string; reference: string };
  beforeAll(async () => {
    db = await testDatabase("dash_sidecar");
    store = testStore();
    files = writeHandmade(tmpDir("dash-sidecar"), { importable: true });
  });
  afterAll(async () => db?.close());

  const dashboard = (url: string) => runDashboard(db, { kind: "file", url }, { reference: files.reference });

  it("is read next to a local jsonl file, so extractor_dropped runs instead of skipping", async () => {
    const dir = tmpDir("dash-sidecar-local");
    const zones = join(dir, "zones.jsonl");
    copyFileSync(files.zones, zones);
    expect(dropped(await dashboard(zones)).map((r) => r.status)).toEqual(["skip"]);
    writeFileSync(`${zones}.meta.json`, JSON.stringify(META));
    expect(dropped(await dashboard(zones))).toEqual([
      expect.objectContaining({
        country: "TL",
        status: "warn",
        offending: 1,
        message: "1 dropped: relation:77 (unclosed ring)",
      }),
    ]);
  });

  it("is read next to an s3:// object and next to the source of an imported version", async () => {
    const url = store.url("merged/abc.jsonl");
    await store.put(url, readFileSync(files.zones));
    await store.put(`${url}.meta.json`, JSON.stringify(META));
    const fromS3 = await dashboard(url);
    expect(dropped(fromS3).map((r) => [r.country, r.status])).toEqual([["TL", "warn"]]);
    const imported = await importZonesFile(db, url, { store, progress: false });
    const fromDb = await runDashboard(
      db,
      { kind: "version", version: imported.version },
      { reference: files.reference },
    );
    expect(dropped(fromDb)).toEqual(dropped(fromS3));
  });

  it("refuses a sidecar that is not a meta object, naming it", async () => {
    const dir = tmpDir("dash-sidecar-bad");
    const zones = join(dir, "zones.jsonl");
    copyFileSync(files.zones, zones);
    writeFileSync(`${zones}.meta.json`, "{not json");
    await expect(dashboard(zones)).rejects.toThrow(
      /zones\.jsonl\.meta\.json.*not JSON|not JSON.*zones\.jsonl\.meta\.json/s,
    );
    writeFileSync(`${zones}.meta.json`, JSON.stringify({ stats: 3 }));
    await expect(dashboard(zones)).rejects.toThrow(/not a cosmogony meta object/);
  });
});
