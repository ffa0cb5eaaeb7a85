import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchArtefact, sourceRecordUrl } from "../fetch-artefact.ts";
import { testStore, tmpDir } from "../testing.ts";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** An origin that serves one mutable body with an ETag and honours If-None-Match, recording what it was asked. */
class Origin {
  body = "first version of the planet";
  version = 1;
  status = 200;
  requests: { headers: IncomingHttpHeaders; answered: number }[] = [];
  private server: Server = createServer((req, res) => {
    const etag = `"v${this.version}"`;
    const entry = { headers: req.headers, answered: this.status };
    this.requests.push(entry);
    if (this.status !== 200) {
      res.writeHead(this.status).end("down");
      return;
    }
    if (req.headers["if-none-match"] === etag) {
      entry.answered = 304;
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { etag, "content-type": "application/octet-stream" }).end(this.body);
  });
  url = "";
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/planet.osm.pbf`;
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  change(body: string): void {
    this.body = body;
    this.version++;
  }
}

describe("store fetch (conditional download)", () => {
  const store = testStore();
  const origin = new Origin();
  beforeAll(() => origin.start());
  afterAll(() => origin.stop());

  for (const kind of ["s3", "file"] as const) {
    it(`downloads once, then keeps the copy on 304 until the origin changes (${kind} target)`, async () => {
      origin.requests = [];
      origin.change("first version of the planet");
      const target = kind === "s3" ? store.url(`fetch/${kind}.pbf`) : `${tmpDir("fetch")}/planet.pbf`;

      const first = await fetchArtefact(store, origin.url, target);
      expect(first).toMatchObject({
        url: target,
        sha256: sha(origin.body),
        size: origin.body.length,
        unchanged: false,
      });
      expect((await store.getBuffer(target)).toString()).toBe(origin.body);
      expect(origin.requests[0].headers["if-none-match"]).toBeUndefined();

      const second = await fetchArtefact(store, origin.url, target);
      expect(origin.requests[1].headers["if-none-match"]).toBe(`"v${origin.version}"`);
      expect(origin.requests[1].answered).toBe(304);
      expect(second).toEqual({ ...first, unchanged: true });

      origin.change("second version, with more boundaries");
      const third = await fetchArtefact(store, origin.url, target);
      expect(origin.requests[2].answered).toBe(200);
      expect(third).toMatchObject({ sha256: sha(origin.body), size: origin.body.length, unchanged: false });
      expect((await store.getBuffer(target)).toString()).toBe(origin.body);
    });
  }

  it("does not trust the record when the stored copy was replaced since", async () => {
    origin.requests = [];
    const target = store.url("fetch/replaced.pbf");
    await fetchArtefact(store, origin.url, target);
    await store.put(target, "someone else's bytes");
    const again = await fetchArtefact(store, origin.url, target);
    expect(origin.requests[1].headers["if-none-match"]).toBeUndefined();
    expect(again).toMatchObject({ sha256: sha(origin.body), unchanged: false });
    expect((await store.getBuffer(target)).toString()).toBe(origin.body);
  });

  it("fails on an HTTP error and leaves the stored copy and its record as they were", async () => {
    const target = store.url("fetch/kept.pbf");
    const before = await fetchArtefact(store, origin.url, target);
    const record = (await store.getBuffer(sourceRecordUrl(target))).toString();
    origin.status = 503;
    try {
      await expect(fetchArtefact(store, `${origin.url}?other`, target)).rejects.toThrow(/download failed: .*HTTP 503/);
      // A busy mirror is transient (exit 5, retried by the pipeline), a missing file is bad input (exit 2).
      await expect(fetchArtefact(store, `${origin.url}?other`, target)).rejects.toMatchObject({ exitCode: 5 });
      origin.status = 404;
      await expect(fetchArtefact(store, `${origin.url}?other`, target)).rejects.toMatchObject({ exitCode: 2 });
    } finally {
      origin.status = 200;
    }
    expect((await store.getBuffer(target)).toString()).toBe(origin.body);
    expect((await store.getBuffer(sourceRecordUrl(target))).toString()).toBe(record);
    expect((await fetchArtefact(store, origin.url, target)).unchanged).toBe(true);
    expect(before.unchanged).toBe(false);
  });

  it("an unreachable server is transient (exit 5)", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      fetchArtefact(store, `http://127.0.0.1:${port}/gone.pbf`, store.url("fetch/gone.pbf")),
    ).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(/download failed: .*gone\.pbf/) });
  });

  it("copies local files, file:// URLs and s3 objects (no validators: always copied)", async () => {
    const dir = tmpDir("fetch-src");
    const file = `${dir}/a b.txt`;
    writeFileSync(file, "local bytes");
    const fromFile = await fetchArtefact(store, file, store.url("fetch/a.txt"));
    expect(fromFile).toMatchObject({ sha256: sha("local bytes"), size: 11, unchanged: false });
    const fromFileUrl = await fetchArtefact(store, pathToFileURL(file).href, store.url("fetch/a.txt"));
    expect(fromFileUrl).toMatchObject({ sha256: sha("local bytes"), size: 11, unchanged: false });
    await expect(fetchArtefact(store, dir, store.url("fetch/d.txt"))).rejects.toThrow(/no such file/);
    const fromS3 = await fetchArtefact(store, store.url("fetch/a.txt"), store.url("fetch/b.txt"));
    expect(fromS3).toMatchObject({ sha256: sha("local bytes"), unchanged: false });
    await expect(fetchArtefact(store, `${file}.missing`, store.url("fetch/c.txt"))).rejects.toThrow(/no such file/);
  });
});
