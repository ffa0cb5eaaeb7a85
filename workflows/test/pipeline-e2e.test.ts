// The real rendered DAG (chart/files/workflows) run by the local runner with the real stage CLIs on the
// Luxembourg and Gatineau fixtures: fan-out over two regions, a download that fails once and is retried,
// publish, the exit handler; then a run refused by the publish gate that leaves the published dataset in place,
// and a run whose changed extractor option re-extracts the same file.
import { appendFileSync, createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PMTiles } from "pmtiles";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtefactStore } from "../../core/storage.ts";
import { fixture, type TestDatabase, testDatabase, testEnv, testStore, tmpDir } from "../../core/testing.ts";
import { FileSource } from "../../tiles/test/pmtiles-source.ts";
import { DEFAULT_OUT } from "../defaults.ts";
import { readRendered } from "../render.ts";
import { type RunResult, runLocal } from "../runner/run.ts";

let db: TestDatabase;
let store: ArtefactStore;
let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  // Prefixed with the run id: the global setup of a concurrent vitest run keeps databases of live runs only.
  db = await testDatabase(`${process.env.COSMO_TEST_RUN_ID ?? process.pid}_wf_e2e`);
  store = testStore();
  // A download server whose gatineau extract fails the first time (a transient 503), like a busy mirror.
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/gatineau.osm.pbf") {
      if (requests.filter((u) => u === req.url).length === 1) return res.writeHead(503).end("busy");
      res.writeHead(200, { "content-type": "application/octet-stream", etag: '"gat-1"' });
      return createReadStream(fixture("gatineau.osm.pbf")).pipe(res);
    }
    res.writeHead(404).end("no such extract");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await db?.close();
});

const node = (r: RunResult, name: string) => {
  const n = r.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}: ${r.nodes.map((x) => `${x.name}=${x.phase}`).join(", ")}`);
  return n;
};

/** The PMTiles archive at `url` in the store, read by the `pmtiles` package: its header and metadata. */
async function readArchive(url: string): Promise<{ maxZoom: number; numAddressedTiles: number; version: number }> {
  const file = join(tmpDir("wf-e2e-archive"), "archive.pmtiles");
  await store.copyTo(url, file);
  const reader = new PMTiles(new FileSource(file));
  const header = await reader.getHeader();
  const metadata = (await reader.getMetadata()) as { dataset_version: number };
  expect(header.specVersion).toBe(3);
  // Every tile the header counts can be read back inside its bounds.
  let present = 0;
  for (let z = header.minZoom; z <= header.maxZoom; z++) {
    const tileX = (lon: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
    const tileY = (latDeg: number) => {
      const lat = (latDeg * Math.PI) / 180;
      return Math.floor(((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * 2 ** z);
    };
    for (let x = tileX(header.minLon); x <= tileX(header.maxLon); x++)
      for (let y = tileY(header.maxLat); y <= tileY(header.minLat); y++) if (await reader.getZxy(z, x, y)) present++;
  }
  expect(present).toBe(header.numAddressedTiles);
  return { maxZoom: header.maxZoom, numAddressedTiles: header.numAddressedTiles, version: metadata.dataset_version };
}

async function served(): Promise<number | null> {
  const r = await db.pool.query<{ version: number | null }>("SELECT version FROM cosmo.served");
  return r.rows[0]?.version ?? null;
}

function run(
  regions: { name: string; url: string; countryCode: string }[],
  name: string,
  params: Record<string, string> = {},
): Promise<RunResult> {
  const dir = tmpDir(`wf-e2e-${name}`);
  return runLocal({
    docs: readRendered(DEFAULT_OUT),
    workflowTemplate: "cosmo-update",
    params: {
      regions: JSON.stringify(regions),
      bucket: store.defaultBucket,
      "max-zoom": "2",
      "export-max-zoom": "3",
      ...params,
    },
    store,
    // The public documents go to the store, as in a cluster (the web pods proxy /data/ to that prefix).
    env: { ...testEnv({ db, store }), COSMO_LOG_LEVEL: "warn", COSMO_DATA_PUBLIC_DIR: store.url("www/data") },
    runDir: dir,
    parallelism: 2,
    maxBackoffSeconds: 0.5,
    workflowName: name,
    // Its own lock folder: a `make demo` on this checkout holds the cosmo-update mutex in .data/.
    lockDir: join(dir, "locks"),
    // The status lines, for diagnosing a failure of this test.
    onChange: (n) =>
      appendFileSync(join(dir, "status.log"), `${new Date().toISOString()} ${n.phase} ${n.name} ${n.message ?? ""}\n`),
  });
}

describe("the rendered pipeline, locally", () => {
  it("fans out, retries a failed download, publishes; a run the gate refuses keeps the published dataset", async () => {
    const regions = [
      { name: "luxembourg", url: fixture("luxembourg_filtered.osm.pbf"), countryCode: "" },
      { name: "gatineau", url: `${base}/gatineau.osm.pbf`, countryCode: "ca" },
    ];
    const first = await run(regions, "e2e-ok");
    const summary = first.nodes.map((n) => `${n.name}=${n.phase}${n.message ? ` (${n.message})` : ""}`).join("\n");
    expect(first.phase, summary).toBe("Succeeded");
    expect(node(first, "update/regions(0:luxembourg)/extract").phase).toBe("Succeeded");
    expect(node(first, "update/regions(1:gatineau)/extract").phase).toBe("Succeeded");
    // The 503 failed the first attempt; the retry fetched it.
    expect(node(first, "update/regions(1:gatineau)/fetch").attempt).toBe(2);
    expect(node(first, "update/regions(1:gatineau)/fetch").phase).toBe("Succeeded");
    expect(node(first, "update/publish").phase).toBe("Succeeded");
    const version = Number(node(first, "update/served-check").outputs?.version);
    expect(version).toBeGreaterThan(0);
    // The zone counts the metrics read (cosmo_zones_extracted, cosmo_zones_imported).
    const extracted = ["0:luxembourg", "1:gatineau"].map((r) =>
      Number(node(first, `update/regions(${r})/extract`).outputs?.["zone-count"]),
    );
    for (const n of extracted) expect(n).toBeGreaterThan(0);
    const imported = Number(node(first, "update/served-check").outputs?.["zone-count"]);
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThanOrEqual(extracted[0]! + extracted[1]!);
    expect(await served()).toBe(version);
    // Artefacts under keys that carry the input key (PBF, options, rules, code).
    const key = node(first, "update/regions(0:luxembourg)/check").outputs?.key;
    expect(await store.exists(store.url(`extracts/${key}/zones.jsonl.gz`))).toBe(true);
    const ok = JSON.parse((await store.getBuffer(store.url("runs/e2e-ok.json"))).toString());
    expect(ok).toMatchObject({ status: "Succeeded", servedVersion: version });
    // The served version's dashboard is the one the explorer shows.
    const shown = (await store.getBuffer(store.url("www/data/dashboard/latest.json"))).toString();
    expect(JSON.parse(shown).dataset).toMatchObject({ kind: "version", version });
    expect(await store.exists(store.url("www/data/test_results.json"))).toBe(true);
    // The release archive: stored under the version (and its input key), and copied to the stable latest key.
    expect(node(first, "update/export-tiles").phase).toBe("Succeeded");
    const archive = node(first, "update/export-check").outputs?.url ?? "";
    expect(archive).toBe(store.url(`tiles/${version}/${node(first, "update/export-check").outputs?.key}.pmtiles`));
    const stored = await readArchive(archive);
    expect(stored).toMatchObject({ maxZoom: 3, version });
    expect(stored.numAddressedTiles).toBeGreaterThan(0);
    const latestUrl = store.url("www/data/tiles/latest.pmtiles");
    expect(await readArchive(latestUrl)).toEqual(stored);
    const latestBytes = await store.getBuffer(latestUrl);

    // Second run: Gatineau alone. Its extract is reused (same input key), a new version is imported, and the
    // publish gate refuses it (Luxembourg would disappear): the run fails with the gate report kept as an
    // artefact, the exit handler records the failure, and the first version stays served.
    const second = await run([regions[1]!], "e2e-ko");
    expect(second.phase).toBe("Failed");
    expect(node(second, "update/regions(0:gatineau)/extract").phase).toBe("Skipped");
    const publish = node(second, "update/publish");
    expect(publish.phase).toBe("Failed");
    expect(publish.message).toMatch(/exit code 3/);
    expect(publish.attempt).toBe(1);
    const hash = node(second, "update/merge").outputs?.hash;
    const report = JSON.parse((await store.getBuffer(store.url(`gate/${hash}/report.json`))).toString());
    expect(report).toBeTypeOf("object");
    expect(second.exitHandlerPhase).toBe("Succeeded");
    const ko = JSON.parse((await store.getBuffer(store.url("runs/e2e-ko.json"))).toString());
    expect(ko).toMatchObject({ status: "Failed", servedVersion: version });
    expect(await served()).toBe(version);
    // A refused candidate changes nothing the public sees: its change report is the gate-report artefact above,
    // not the public one (no publish went through the gate yet), and the dashboard shown stays the served one's.
    expect(report.kind).toBe("cosmo-diff");
    expect(await store.exists(store.url("www/data/diff/latest.json"))).toBe(false);
    expect((await store.getBuffer(store.url("www/data/dashboard/latest.json"))).toString()).toBe(shown);
    // The refused version was exported (under its own version), but the latest archive is still the served one's.
    const refusedVersion = Number(node(second, "update/served-check").outputs?.version);
    expect(refusedVersion).not.toBe(version);
    expect((await readArchive(node(second, "update/export-check").outputs?.url ?? "")).version).toBe(refusedVersion);
    expect((await store.getBuffer(latestUrl)).equals(latestBytes)).toBe(true);

    // Third run: the same Gatineau file with another extractor option is extracted again (a new input key),
    // not served from the extract of the second run.
    const third = await run([regions[1]!], "e2e-voronoi", { "disable-voronoi": "true" });
    expect(node(third, "update/regions(0:gatineau)/extract").phase).toBe("Succeeded");
    const keys = [second, third].map((r) => node(r, "update/regions(0:gatineau)/check").outputs?.key);
    expect(keys[1]).not.toBe(keys[0]);
    expect(await store.exists(store.url(`extracts/${keys[1]}/zones.jsonl.gz`))).toBe(true);
    expect(await served()).toBe(version);
    // Each step is a `node bin/cosmo.js` process (~1.5 s to start on an idle machine, far more on a loaded one).
  }, 600_000);
});
