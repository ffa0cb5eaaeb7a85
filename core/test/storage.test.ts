// The URL-taking functions of the store (localFile, putArtefact, readArtefactText): a local path never opens the
// store (so never starts the embedded S3 server), and a download that fails leaves nothing in the temp directory.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { embeddedS3Keys } from "../embedded-s3.ts";
import { EXIT } from "../errors.ts";
import { projectPath } from "../paths.ts";
import { localFile, putArtefact, readArtefactText, storeFor } from "../storage.ts";
import { testConfig, testStore, tmpDir } from "../testing.ts";

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function ourDownloads(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith(`cosmo-${process.pid}-`));
}

describe("localFile", () => {
  it("a local path or file:// URL never starts the embedded S3 server (localFile, putArtefact, readArtefactText)", async () => {
    const dir = tmpDir("local-file");
    const s3Dir = join(dir, "s3");
    // no S3 endpoint configured: opening the store would start an embedded server in s3Dir
    const config = testConfig({ overrides: { COSMO_STORAGE_EMBEDDED_DIR: s3Dir } });
    expect(config.storage.endpoint ?? "").toBe("");
    const path = join(dir, "input.osm.pbf");
    writeFileSync(path, "pbf");
    for (const url of [path, pathToFileURL(path).href]) {
      const local = await localFile(url, { config });
      expect(local.path).toBe(path);
      await local.cleanup();
      expect(existsSync(path)).toBe(true); // the caller's own file is not a temporary copy
    }
    mkdirSync(join(dir, "a-directory"));
    for (const missing of [join(dir, "missing.pbf"), join(dir, "a-directory")]) {
      await expect(localFile(missing, { config })).rejects.toMatchObject({
        exitCode: EXIT.input,
        message: expect.stringMatching(/: no such file$/),
      });
    }
    // written whole (no temporary name left), read back, and "none" for a file that is not there
    const written = join(dir, "out", "report.json");
    expect(await putArtefact(pathToFileURL(written).href, '{"ok":true}', { config })).toBe(written);
    expect(readdirSync(join(dir, "out"))).toEqual(["report.json"]);
    expect(await readArtefactText(written, { config })).toBe('{"ok":true}');
    expect(await readArtefactText(join(dir, "none.json"), { config })).toBeNull();
    expect(existsSync(s3Dir)).toBe(false);
  });

  it("a copy that fails (the S3 server is not running) leaves no temporary file", async () => {
    const store = storeFor({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      accessKey: "unused-access-key",
      secretKey: "unused-secret-key",
      region: "us-east-1",
      bucket: "no-server",
    });
    const before = ourDownloads();
    await expect(localFile(store.url("planet.osm.pbf"), { store })).rejects.toMatchObject({
      exitCode: EXIT.unavailable,
      message: expect.stringMatching(/unreachable/),
    });
    expect(ourDownloads()).toEqual(before);
  });
});

/** A TCP proxy to `target` that cuts every connection once `limit` bytes of the answer have passed. */
async function cuttingProxy(target: URL, limit: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    let passed = 0;
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      passed += chunk.length;
      if (passed <= limit) client.write(chunk);
      else {
        client.destroy();
        upstream.destroy();
      }
    });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe("localFile over a connection cut mid-download", () => {
  it("is a service failure (exit 5), and leaves no temporary file (no truncated copy is handed over)", async () => {
    const store = testStore();
    const body = Buffer.alloc(4 << 20, 7);
    await store.put(store.url("big.osm.pbf"), body);
    const proxy = await cuttingProxy(new URL(store.endpoint), 1 << 20);
    try {
      const cut = storeFor({
        endpoint: proxy.url,
        ...embeddedS3Keys(projectPath(".data/test/s3")),
        region: "us-east-1",
        bucket: store.defaultBucket,
      });
      const before = ourDownloads();
      await expect(localFile(cut.url("big.osm.pbf"), { store: cut })).rejects.toMatchObject({
        exitCode: EXIT.unavailable,
        message: expect.stringMatching(/unreachable \(ECONNRESET\)/),
      });
      expect(ourDownloads()).toEqual(before);
    } finally {
      await proxy.close();
    }
  });
});
