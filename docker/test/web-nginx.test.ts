// The web image's nginx wiring, run with this machine's nginx: docker/web/render-nginx.ts turns the explorer's
// templates into envsubst templates, docker/web/entrypoint.sh fills them (as in the container) and starts nginx;
// real HTTP services stand behind it in place of the API, the tiles server and the artefact store.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../core/paths.ts";

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A plain HTTP service that answers JSON naming itself and records what reached it. */
async function upstream(name: string): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ from: name, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const root = mkdtempSync(join(tmpdir(), "cosmo-web-"));
const dist = join(root, "dist");

/**
 * The image's build step for one run folder (its path is baked into the config), then the entrypoint started
 * like the container does, its stdout/stderr going to a file as to a container log.
 */
function entrypoint(env: Record<string, string>, run: string, configJson?: object, args: string[] = ["nginx"]) {
  const conf = `${run}-conf`;
  const r = spawnSync(
    join(PROJECT_ROOT, "node_modules/.bin/tsx"),
    [join(PROJECT_ROOT, "docker/web/render-nginx.ts"), conf, run, dist],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`render-nginx.ts failed: ${r.stderr}`);
  copyFileSync(join(PROJECT_ROOT, "explorer/nginx/mime.types"), join(conf, "mime.types"));
  if (configJson) {
    mkdirSync(join(conf, "config"));
    writeFileSync(join(conf, "config/config.json"), JSON.stringify(configJson));
  }
  // Tests run as root: nginx workers run as nobody and must read these.
  chmodSync(conf, 0o755);
  const out = openSync(`${run}.log`, "w");
  const proc = spawn(join(PROJECT_ROOT, "docker/web/entrypoint.sh"), args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", COSMO_WEB_CONF_DIR: conf, COSMO_WEB_RUN_DIR: run, ...env },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  return { proc, log: () => readFileSync(`${run}.log`, "utf8") };
}

async function waitFor(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not answer ${url}: ${log()}`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const done = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM");
  await done;
}

describe("web image nginx (explorer templates + entrypoint)", () => {
  let api: Awaited<ReturnType<typeof upstream>>;
  let tiles: Awaited<ReturnType<typeof upstream>>;
  let store: Awaited<ReturnType<typeof upstream>>;
  let nginx: ChildProcess;
  let base: string;
  let nginxLog: () => string;

  beforeAll(async () => {
    mkdirSync(dist);
    writeFileSync(join(dist, "index.html"), "<!doctype html><html><title>cosmo</title></html>\n");
    for (const d of [root, dist]) chmodSync(d, 0o755);

    [api, tiles, store] = await Promise.all([upstream("api"), upstream("tiles"), upstream("store")]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    ({ proc: nginx, log: nginxLog } = entrypoint(
      {
        COSMO_WEB_PORT: String(port),
        COSMO_API_UPSTREAM: `127.0.0.1:${api.port}`,
        COSMO_TILES_UPSTREAM: `127.0.0.1:${tiles.port}`,
        COSMO_DATA_UPSTREAM: `http://127.0.0.1:${store.port}/cosmo/www/data/`,
        COSMO_CSP_HOSTS: "https://tiles.example.org",
      },
      join(root, "run"),
      { basemapStyle: "https://tiles.example.org/style.json" },
    ));
    await waitFor(`${base}/healthz`, nginx, nginxLog);
  });

  afterAll(async () => {
    if (nginx) await stop(nginx);
    for (const u of [api, tiles, store]) u?.server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serves the explorer, /healthz and the deployment's /config.json", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>cosmo</title>");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/config.json`)).json()).toEqual({
      basemapStyle: "https://tiles.example.org/style.json",
    });
  });

  it("proxies /api/ (prefix stripped) and /tiles/ (path kept) to the configured upstreams", async () => {
    expect(await (await fetch(`${base}/api/zones/42?lang=fr`)).json()).toEqual({
      from: "api",
      url: "/zones/42?lang=fr",
    });
    expect(await (await fetch(`${base}/tiles/zones/3/4/2.pbf`)).json()).toEqual({
      from: "tiles",
      url: "/tiles/zones/3/4/2.pbf",
    });
  });

  it("proxies /data/ read-only to the store prefix, with the store's Host and no client credentials", async () => {
    const res = await fetch(`${base}/data/dashboard/latest.json`, {
      headers: { authorization: "Bearer secret", cookie: "a=b" },
    });
    expect(await res.json()).toEqual({ from: "store", url: "/cosmo/www/data/dashboard/latest.json" });
    const seen = store.seen.at(-1)!;
    expect(seen.headers.host).toBe(`127.0.0.1:${store.port}`);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect((await fetch(`${base}/data/x.json`, { method: "PUT", body: "{}" })).status).toBe(403);
  });

  it("adds the extra CSP origins from COSMO_CSP_HOSTS and the explorer's security headers", async () => {
    const res = await fetch(`${base}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("img-src 'self' data: blob: https://tiles.example.org");
    expect(csp).toContain("script-src 'self';");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 503 when the API is down, like the services' own overload answer", async () => {
    const down = await freePort();
    const port = await freePort();
    const run = join(root, "run-down");
    const { proc, log } = entrypoint(
      {
        COSMO_WEB_PORT: String(port),
        COSMO_API_UPSTREAM: `127.0.0.1:${down}`,
        COSMO_TILES_UPSTREAM: `127.0.0.1:${down}`,
      },
      run,
    );
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`, proc, log);
      const res = await fetch(`http://127.0.0.1:${port}/api/zones/1`);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      // Without COSMO_DATA_UPSTREAM, /data/ is the local folder (what `cosmo web` serves).
      writeFileSync(join(run, "data/hello.json"), '{"local":true}');
      expect(await (await fetch(`http://127.0.0.1:${port}/data/hello.json`)).json()).toEqual({ local: true });
    } finally {
      await stop(proc);
    }
  });

  it("refuses a data upstream that is not an http(s) URL ending in /", () => {
    const r = spawnSync(join(PROJECT_ROOT, "docker/web/entrypoint.sh"), ["nginx", "-t"], {
      env: {
        PATH: process.env.PATH,
        COSMO_WEB_CONF_DIR: `${join(root, "run")}-conf`,
        COSMO_WEB_RUN_DIR: join(root, "run-bad"),
        COSMO_DATA_UPSTREAM: "minio:9000/cosmo",
      },
      encoding: "utf8",
    });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("COSMO_DATA_UPSTREAM must be an http(s) URL ending in /");
  });
});
