// The release archive's publish step against a real database and S3 server: the served version's archive becomes
// the latest one, archives of versions the importer dropped (import.keepVersions) are removed, and an archive of
// a version that is not served is refused without touching anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import {
  COSMO_BIN,
  type ProcessRun,
  runNode,
  type TestDatabase,
  testDatabase,
  testEnv,
  testStore,
  tmpDir,
} from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { archiveUrl } from "../steps/export-tiles.ts";

let db: TestDatabase;
let store: ArtefactStore;
const dir = tmpDir("wf-export-tiles");

beforeAll(async () => {
  db = await testDatabase(`${process.env.COSMO_TEST_RUN_ID ?? process.pid}_wf_export_tiles`);
  store = testStore();
});
afterAll(async () => {
  await db?.close();
});

function step(args: string[]): Promise<ProcessRun> {
  return runNode([COSMO_BIN, "workflows", "step", ...args], {
    env: { ...testEnv({ db, store }), COSMO_LOG_LEVEL: "warn", COSMO_DATA_PUBLIC_DIR: store.url("www/data") },
  });
}

/** A published dataset of its own (its name makes its sha256 differ), keeping one version besides served/previous. */
async function publishDataset(name: string): Promise<number> {
  const zones = sampleZones().map((z) => ({ ...z, label: `${z.label} ${name}` }));
  const path = await writeZones(dir, `${name}.jsonl`, zones);
  return (await importZonesFile(db, path, { progress: false, publish: true, keepVersions: 1 })).version;
}

const KEY = "a".repeat(64);

describe("publish-tiles", () => {
  it("copies the served archive to latest and removes the archives of dropped versions only", async () => {
    const bucket = store.defaultBucket;
    const versions: number[] = [];
    for (const name of ["one", "two", "three"]) {
      const v = await publishDataset(name);
      versions.push(v);
      // What export-tiles stored for that version (the bytes name it, to tell the copies apart).
      await store.put(archiveUrl(bucket, v, KEY), `archive of version ${v}`);
    }
    const [first, second, third] = versions as [number, number, number];
    const unrelated = store.url("tiles/README.txt");
    await store.put(unrelated, "not an archive");
    const latest = store.url("www/data/tiles/latest.pmtiles");

    // Not the served version: refused, nothing copied or removed.
    const refused = await step(["publish-tiles", "--archive", archiveUrl(bucket, second, KEY), "--bucket", bucket]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`archive of version ${second}, but version ${third} is served`));
    expect(await store.exists(latest)).toBe(false);
    expect(await store.exists(archiveUrl(bucket, first, KEY))).toBe(true);

    const ok = await step(["publish-tiles", "--archive", archiveUrl(bucket, third, KEY), "--bucket", bucket]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await store.getBuffer(latest)).toString()).toBe(`archive of version ${third}`);
    // keepVersions 1: the first version was dropped by the third publish; the previous one stays loaded.
    expect(JSON.parse(ok.stdout).removed).toEqual([archiveUrl(bucket, first, KEY)]);
    expect(await store.exists(archiveUrl(bucket, first, KEY))).toBe(false);
    expect(await store.exists(archiveUrl(bucket, second, KEY))).toBe(true);
    expect(await store.exists(archiveUrl(bucket, third, KEY))).toBe(true);
    expect(await store.exists(unrelated)).toBe(true);
  }, 120_000);

  it("refuses an archive URL that is not an archive of the bucket (exit 2)", async () => {
    const r = await step([
      "publish-tiles",
      "--archive",
      store.url("elsewhere/x.pmtiles"),
      "--bucket",
      store.defaultBucket,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--archive must be s3:\/\/.*\/tiles\/<version>\/<key>\.pmtiles/);
  });
});
