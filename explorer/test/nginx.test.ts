// The nginx config for real: rendered, `nginx -t`-checked and run in front of small stub upstreams (the stubs
// stand in for the API/tile services only where a service behaviour has to be forced, e.g. a 503).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmpDir } from "../../core/testing.ts";
import { contentSecurityPolicy, renderNginx } from "../nginx/render.ts";
import { freePort, startWeb, type WebServer } from "../web.ts";

interface Stub {
  url: string;
  seen: { path: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

/** An upstream that records requests; /busy answers 503 + Retry-After 7 like an overloaded service. */
async function stubUpstream(): Promise<Stub> {
  const seen: Stub["seen"] = [];
  const big = JSON.stringify({ zones: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `zone ${i}` })) });
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? "", headers: req.headers });
    if (req.url?.endsWith("/busy")) {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "7" });
      res.end('{"error":"overloaded"}');
    } else if (req.url?.endsWith(".pbf")) {
      res.writeHead(200, { "content-type": "application/x-protobuf" });
      res.end(Buffer.alloc(4096, 7));
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(big);
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((ok) => server.close(() => ok())) };
}

const gz = { headers: { "accept-encoding": "gzip" } };

describe("nginx config", () => {
  let api: Stub;
  let tiles: Stub;
  let web: WebServer;
  let dataDir: string;

  beforeAll(async () => {
    api = await stubUpstream();
    tiles = await stubUpstream();
    dataDir = tmpDir("explorer-data");
    mkdirSync(join(dataDir, "dashboard"), { recursive: true });
    writeFileSync(
      join(dataDir, "dashboard", "latest.json"),
      JSON.stringify({ rows: Array.from({ length: 100 }, (_, i) => ({ i })) }),
    );
    web = await startWeb({
      apiUrl: api.url,
      tilesUrl: tiles.url,
      dataDir,
      prefixDir: tmpDir("nginx"),
      basemapStyle: "https://basemap.example.org/styles/light.json",
    });
  });

  afterAll(async () => {
    await web?.close();
    await api?.close();
    await tiles?.close();
  });

  it("passes nginx -t and serves the built app", async () => {
    const res = await fetch(`${web.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/main-[\w-]+\.js"><\/script>/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("strips /api from API paths and forwards the prefix", async () => {
    const res = await fetch(`${web.url}/api/zones/42?x=1`);
    expect(res.status).toBe(200);
    const hit = api.seen.at(-1);
    expect(hit?.path).toBe("/zones/42?x=1");
    expect(hit?.headers["x-forwarded-prefix"]).toBe("/api");
  });

  it("never proxies the services' /metrics (in-cluster scrapes only)", async () => {
    const before = api.seen.length + tiles.seen.length;
    for (const path of ["/api/metrics", "/api/v2/metrics", "/api//metrics?x=1", "/api/%6detrics", "/tiles/../metrics"])
      expect((await fetch(`${web.url}${path}`)).status, path).toBe(404);
    expect(api.seen.length + tiles.seen.length).toBe(before);
  });

  it("keeps /tiles/ paths (new and old URLs) for the tile service", async () => {
    await fetch(`${web.url}/tiles/zones/3/4/2.pbf`);
    await fetch(`${web.url}/tiles/cosmogony/3/4/2.pbf`);
    expect(tiles.seen.map((s) => s.path).slice(-2)).toEqual(["/tiles/zones/3/4/2.pbf", "/tiles/cosmogony/3/4/2.pbf"]);
  });

  it("gzips JSON, JavaScript, CSS and tiles", async () => {
    const json = await fetch(`${web.url}/api/zones?q=lux`, gz);
    expect(json.headers.get("content-encoding")).toBe("gzip");
    expect(json.headers.get("vary")).toMatch(/accept-encoding/i);
    const pbf = await fetch(`${web.url}/tiles/zones/1/1/1.pbf`, gz);
    expect(pbf.headers.get("content-encoding")).toBe("gzip");
    const data = await fetch(`${web.url}/data/dashboard/latest.json`, gz);
    expect(data.headers.get("content-encoding")).toBe("gzip");
    const html = await (await fetch(`${web.url}/`)).text();
    for (const asset of [html.match(/\/assets\/main-[\w-]+\.js/)?.[0], html.match(/\/assets\/[\w-]+\.css/)?.[0]]) {
      expect(asset).toBeTruthy();
      const res = await fetch(`${web.url}${asset}`, gz);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe("gzip");
    }
    // fetch() decoded it transparently; the raw check: curl-like request without decoding
    const raw = await rawGet(`${web.url}/api/zones?q=lux`);
    expect(JSON.parse(gunzipSync(raw.body).toString()).zones).toHaveLength(200);
  });

  it("caches hashed assets for a year and revalidates pages, config and data", async () => {
    const html = await (await fetch(`${web.url}/`)).text();
    const js = html.match(/\/assets\/main-[\w-]+\.js/)?.[0];
    const asset = await fetch(`${web.url}${js}`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/^application\/javascript/);
    for (const p of ["/", "/index.html", "/dashboard.html", "/config.json", "/data/dashboard/latest.json"]) {
      const res = await fetch(`${web.url}${p}`);
      expect(res.status, p).toBe(200);
      expect(res.headers.get("cache-control"), p).toBe("no-cache");
    }
  });

  it("sends security headers everywhere, with the basemap host in the CSP", async () => {
    for (const p of ["/", "/assets/nope.js", "/api/zones/1", "/data/dashboard/latest.json", "/config.json"]) {
      const res = await fetch(`${web.url}${p}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, p).toContain("default-src 'self'");
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp, p).toContain("connect-src 'self' https://basemap.example.org");
      expect(csp, p).not.toContain("unsafe");
      expect(res.headers.get("x-content-type-options"), p).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), p).toBe("strict-origin-when-cross-origin");
    }
    const config = await (await fetch(`${web.url}/config.json`)).json();
    expect(config).toEqual({
      basemapStyle: "https://basemap.example.org/styles/light.json",
      apiBase: "/api",
      tilesBase: "/tiles",
      dataBase: "/data",
    });
  });

  it("passes a service's 503 through with its Retry-After", async () => {
    const res = await fetch(`${web.url}/api/busy`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({ error: "overloaded" });
  });

  it("answers 503 + Retry-After (JSON) when a service is down", async () => {
    const port = await freePort();
    const down = await startWeb({
      apiUrl: `http://127.0.0.1:${port}`,
      tilesUrl: `http://127.0.0.1:${port}`,
      dataDir,
      prefixDir: tmpDir("nginx"),
      build: false,
    });
    try {
      for (const p of ["/api/zones/1", "/tiles/zones/0/0/0.pbf"]) {
        const res = await fetch(`${down.url}${p}`);
        expect(res.status, p).toBe(503);
        expect(res.headers.get("retry-after"), p).toBe("5");
        expect(await res.json(), p).toMatchObject({ error: "service unavailable" });
      }
    } finally {
      await down.close();
    }
  });

  it("maps /api/ to the old shapes with --api-compat, the new API staying at /api/v2/", async () => {
    const compat = await startWeb({
      apiUrl: api.url,
      tilesUrl: tiles.url,
      dataDir,
      prefixDir: tmpDir("nginx"),
      apiCompat: true,
      build: false,
    });
    try {
      await fetch(`${compat.url}/api/zones/7`);
      expect(api.seen.at(-1)?.path).toBe("/compat/zones/7");
      await fetch(`${compat.url}/api/v2/zones/7`);
      expect(api.seen.at(-1)?.path).toBe("/zones/7");
      expect(await (await fetch(`${compat.url}/config.json`)).json()).toMatchObject({ apiBase: "/api/v2" });
    } finally {
      await compat.close();
    }
  });

  it("refuses a port already in use with a one-line message", async () => {
    const port = Number(new URL(web.url).port);
    await expect(
      startWeb({ apiUrl: api.url, tilesUrl: tiles.url, dataDir, port, prefixDir: tmpDir("nginx"), build: false }),
    ).rejects.toThrow(
      new RegExp(
        `^web: cannot listen on 127\\.0\\.0\\.1:${port} \\(port already in use by pid \\d+ \\(nginx[^)]*\\); stop it or choose another port with --port\\)$`,
      ),
    );
  });

  it("stops nginx on close and leaves its files in the prefix", async () => {
    const w = await startWeb({
      apiUrl: api.url,
      tilesUrl: tiles.url,
      dataDir,
      prefixDir: tmpDir("nginx"),
      build: false,
    });
    const pid = Number(readFileSync(join(w.prefixDir, "nginx.pid"), "utf8"));
    expect(pid).toBeGreaterThan(0);
    await w.close();
    expect(existsSync(join(w.prefixDir, "nginx.pid"))).toBe(false);
    await expect(fetch(`${w.url}/healthz`)).rejects.toThrow();
  });
});

describe("nginx config rendering", () => {
  const base = {
    prefix: "/p",
    listenHost: "127.0.0.1",
    port: 8080,
    distDir: "/d",
    dataDir: "/data",
    apiUrl: "http://127.0.0.1:3000",
    tilesUrl: "http://127.0.0.1:3001",
  };

  it("refuses values that would break the config or the CSP", () => {
    expect(() => renderNginx({ ...base, distDir: "/my dist" })).toThrow(
      /explorer dist path contains a character nginx cannot take unquoted/,
    );
    expect(() => renderNginx({ ...base, apiUrl: "https://api.example.org" })).toThrow(/API URL must be http:\/\//);
    expect(() => renderNginx({ ...base, tilesUrl: "not a url" })).toThrow(/tiles URL is not a URL/);
    expect(() => contentSecurityPolicy(["javascript:alert(1)"])).toThrow(/CSP host must be http\(s\)/);
  });

  it("adds `user root;` only when running as root, and the CSP hosts as origins", () => {
    expect(renderNginx({ ...base, runningAsRoot: true })["nginx.conf"]).toMatch(/^user root;/m);
    expect(renderNginx({ ...base, runningAsRoot: false })["nginx.conf"]).not.toMatch(/^user /m);
    const csp = contentSecurityPolicy([
      "https://tiles.example.org/styles/x.json?key=1",
      "https://tiles.example.org/other",
    ]);
    expect(csp).toContain("img-src 'self' data: blob: https://tiles.example.org;");
    expect(csp.match(/tiles\.example\.org/g)).toHaveLength(4); // style, img, connect, font — once each
  });
});

/** GET without transparent decompression, to see the bytes nginx sent. */
async function rawGet(url: string): Promise<{ headers: IncomingMessage["headers"]; body: Buffer }> {
  const { get } = await import("node:http");
  return new Promise((ok, fail) => {
    get(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", fail);
  });
}
