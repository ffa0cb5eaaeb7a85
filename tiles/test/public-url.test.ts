// TileJSON URLs through the real nginx of `cosmo web`: the port the client used is kept, a Host or
// X-Forwarded-* header of the client's choosing is never echoed (the answer is `public`: a shared cache would
// serve it to everyone), and a configured tiles.publicUrl wins.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { luxembourgDatabase, type ServingFixture } from "../../api/test/support.ts";
import { testConfig, tmpDir } from "../../core/testing.ts";
import { startWeb, type WebServer } from "../../explorer/web.ts";
import { startTilesServer } from "../server.ts";

let fx: ServingFixture;
const stop: (() => Promise<void>)[] = [];

beforeAll(async () => {
  fx = await luxembourgDatabase("public_url");
});
afterAll(async () => {
  for (const close of stop.reverse()) await close();
  await fx?.db.close();
});

/** Tiles behind nginx, with `tiles` settings overridden. */
async function behindNginx(settings: Record<string, unknown> = {}): Promise<{ web: WebServer; direct: string }> {
  const tiles = await startTilesServer({
    db: fx.db,
    port: 0,
    host: "127.0.0.1",
    config: testConfig({ db: fx.db }),
    settings,
  });
  stop.push(() => tiles.close());
  const web = await startWeb({
    apiUrl: tiles.url,
    tilesUrl: tiles.url,
    dataDir: tmpDir("public-url-data"),
    prefixDir: tmpDir("public-url-nginx"),
  });
  stop.push(() => web.close());
  return { web, direct: tiles.url };
}

/** A raw GET with the headers exactly as given (fetch forbids setting Host). */
function rawJson(base: string, path: string, headers: Record<string, string>) {
  const url = new URL(base);
  return new Promise<{ status: number; body: { tiles?: string[] }; text: string; vary: string }>((ok, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let body = {};
        try {
          body = JSON.parse(text);
        } catch {
          /* kept as text for the assertion message */
        }
        ok({ status: res.statusCode ?? 0, body, text, vary: String(res.headers.vary ?? "") });
      });
    });
    req.on("error", fail);
    req.end();
  });
}

describe("TileJSON through nginx", () => {
  test("the URL keeps the port the client used (allowed hosts: loopback by default)", async () => {
    const { web } = await behindNginx();
    const port = new URL(web.url).port;
    for (const layer of ["zones", "cosmogony"]) {
      const r = await rawJson(web.url, `/tiles/${layer}.json`, { Host: `127.0.0.1:${port}` });
      expect(r.status, r.text).toBe(200);
      expect(r.body.tiles?.[0]).toBe(`http://127.0.0.1:${port}/tiles/${layer}/{z}/{x}/{y}.pbf?v=${fx.version}`);
      expect(r.vary).toMatch(/X-Forwarded-Host/);
      const named = await rawJson(web.url, `/tiles/${layer}.json`, { Host: `LocalHost:${port}` });
      expect(named.body.tiles?.[0]).toBe(`http://localhost:${port}/tiles/${layer}/{z}/{x}/{y}.pbf?v=${fx.version}`);
    }
    const fetched = await (await fetch(`${web.url}/tiles/zones.json`)).json();
    expect(fetched.tiles[0]).toBe(`${web.url}/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`);
  });

  test("an unknown Host or a client's X-Forwarded-* is never echoed: root-relative URLs", async () => {
    const { web, direct } = await behindNginx();
    const hostile: Record<string, string>[] = [
      { Host: "evil.example.org" },
      { Host: "evil.example.org:8443" },
      { Host: "127.0.0.1", "X-Forwarded-Host": "evil.example.org", "X-Forwarded-Port": "1" },
      { Host: "127.0.0.1", "X-Forwarded-Prefix": "/evil", "X-Forwarded-Proto": "https" },
      { Host: "evil<script>" },
    ];
    for (const headers of hostile) {
      const r = await rawJson(web.url, "/tiles/zones.json", headers);
      const seen = JSON.stringify(headers);
      if (r.status !== 200) {
        // nginx itself refuses a Host it cannot parse.
        expect(r.status, seen).toBe(400);
        continue;
      }
      expect(r.text, seen).not.toMatch(/evil/);
      if (headers.Host?.startsWith("evil")) {
        expect(r.body.tiles?.[0], seen).toBe(`/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`);
      } else {
        // The client's forwarded headers were replaced by nginx's own: loopback host, nginx's port and scheme.
        expect(r.body.tiles?.[0], seen).toBe(
          `http://127.0.0.1:${new URL(web.url).port}/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`,
        );
      }
    }
    // Straight to the tile service (no nginx): the same rule for Host and X-Forwarded-Host.
    const straight: Record<string, string>[] = [
      { Host: "evil.example.org" },
      { Host: "127.0.0.1", "X-Forwarded-Host": "evil<x>" },
    ];
    for (const headers of straight) {
      const r = await rawJson(direct, "/tiles/zones.json", headers);
      expect(r.status).toBe(200);
      expect(r.text).not.toMatch(/evil/);
      expect(r.body.tiles?.[0]).toBe(`/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`);
    }
  });

  test("tiles.allowedHosts lets a public name through; tiles.publicUrl is used as is", async () => {
    const allowed = await behindNginx({ allowedHosts: ["maps.example.org"] });
    const port = new URL(allowed.web.url).port;
    const ok = await rawJson(allowed.web.url, "/tiles/zones.json", { Host: "maps.example.org" });
    expect(ok.body.tiles?.[0]).toBe(`http://maps.example.org:${port}/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`);
    const loop = await rawJson(allowed.web.url, "/tiles/zones.json", { Host: `127.0.0.1:${port}` });
    expect(loop.body.tiles?.[0], "loopback is not allowed once the list is set").toBe(
      `/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`,
    );

    const configured = await behindNginx({ publicUrl: "https://tiles.example.org/cosmo/" });
    for (const Host of ["evil.example.org", `127.0.0.1:${port}`]) {
      const r = await rawJson(configured.web.url, "/tiles/cosmogony.json", { Host });
      expect(r.body.tiles?.[0]).toBe(`https://tiles.example.org/cosmo/tiles/cosmogony/{z}/{x}/{y}.pbf?v=${fx.version}`);
      expect(r.vary).not.toMatch(/Host/);
    }
  });
});
