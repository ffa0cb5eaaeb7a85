// Runs nginx (the explorer's web server) as a child process with its own prefix under .data/nginx: the built
// app at /, the API at /api/, the tiles at /tiles/, the dashboard files at /data/ — or, in static mode, the built
// app and one PMTiles archive at /zones.pmtiles, with no service behind it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, CosmoError, EXIT, InputError } from "../core/errors.ts";
import { processAlive } from "../core/lock.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { describeHolder, freePort, portProblem } from "../core/ports.ts";
import { MAGIC, SPEC_VERSION } from "../tiles/pmtiles/format.ts";
import { buildExplorer, DIST_DIR } from "./build.ts";
import { renderNginx, renderStaticNginx } from "./nginx/render.ts";

const log = childLogger("web");
export const NGINX_BIN = process.env.NGINX_BIN ?? "/usr/sbin/nginx";

export interface WebOptions {
  /** The API and the tile service (both required unless `archive` is given). */
  apiUrl?: string;
  tilesUrl?: string;
  /** Static mode: a local PMTiles archive served at /zones.pmtiles instead of the services; the app runs without API. */
  archive?: string;
  /** Directory served at /data/ (dashboard/latest.json, test_results.json, diff/latest.json). */
  dataDir: string;
  /** 0 or unset = a free port. */
  port?: number;
  host?: string;
  /** Optional MapLibre style URL drawn under the zones; its origin is added to the CSP. */
  basemapStyle?: string;
  /** More origins for the CSP (a basemap's tile, glyph and sprite hosts). */
  cspHosts?: string[];
  /** /api/ answers with the old explorer's shapes; the UI then uses /api/v2/. */
  apiCompat?: boolean;
  /** Instance directory (default .data/nginx/web-<port>). */
  prefixDir?: string;
  /** Build explorer/dist first if missing or stale (default true). */
  build?: boolean;
}

export interface WebServer {
  url: string;
  prefixDir: string;
  close(): Promise<void>;
}

export { freePort };

/** Where `cosmo web` keeps its nginx instances (one directory per port). */
export const NGINX_INSTANCES_DIR = ".data/nginx";

/** Fails with a clear message when something already listens there (nginx would retry for seconds, then log it 5 times). */
async function assertPortFree(host: string, port: number): Promise<void> {
  const problem = await portProblem(port, host);
  if (problem === null) return;
  throw new CosmoError(
    `web: cannot listen on ${host}:${port} (${
      problem === "EADDRINUSE"
        ? `port already in use by ${describeHolder(port)}; stop it or choose another port with --port`
        : problem
    })`,
    { exitCode: EXIT.unavailable },
  );
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Is `pid` an nginx master started on this instance directory (not a recycled pid of something else)? */
function isNginxOf(pid: number, prefixDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    return /nginx/.test(cmdline) && cmdline.includes(`-p ${prefixDir} `);
  } catch {
    return false;
  }
}

function instanceDirs(): string[] {
  const base = projectPath(NGINX_INSTANCES_DIR);
  return existsSync(base) ? readdirSync(base).map((d) => join(base, d)) : [];
}

/**
 * nginx instances of this checkout whose `cosmo web` is gone (killed with -9, so it could not stop its nginx):
 * they still hold their port. Stopped here, checked first to be our nginx on that instance directory.
 */
export async function stopStaleNginx(dirs = instanceDirs()): Promise<number[]> {
  const stopped: number[] = [];
  for (const dir of dirs) {
    const owner = readPid(join(dir, "owner.pid"));
    if (owner !== null && owner !== process.pid && processAlive(owner)) continue; // a running `cosmo web`
    const pid = readPid(join(dir, "nginx.pid"));
    if (pid === null || !processAlive(pid) || !isNginxOf(pid, dir)) continue;
    log.warn({ pid, dir }, "stopping the nginx left running by a `cosmo web` that is gone");
    process.kill(pid, "SIGQUIT");
    for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(50);
    if (processAlive(pid)) process.kill(pid, "SIGKILL");
    rmSync(join(dir, "owner.pid"), { force: true });
    stopped.push(pid);
  }
  return stopped;
}

function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-lines).join(" | ");
  } catch {
    return "";
  }
}

/** The path served as the static archive: refused unless it is a PMTiles v3 file (checked by its header's magic). */
export function checkArchive(path: string): string {
  if (!path.endsWith(".pmtiles"))
    throw new InputError("a static explorer serves a PMTiles archive (.pmtiles; make one with `cosmo tiles export`)", {
      file: path,
    });
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError("no such file", { file: path });
  const head = Buffer.alloc(MAGIC.length + 1); // the magic, then the spec version byte
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, MAGIC.length).toString("latin1") !== MAGIC || head[MAGIC.length] !== SPEC_VERSION)
    throw new InputError("not a PMTiles v3 archive (its first bytes are not 'PMTiles' and version 3)", {
      file: path,
      offset: 0,
    });
  return path;
}

/** Renders the config into the prefix and writes the app's /config.json. Returns the main config path. */
export function writeNginxFiles(o: WebOptions & { port: number; prefixDir: string }): string {
  const archive = o.archive === undefined ? undefined : checkArchive(o.archive); // refused before anything is written
  for (const d of ["logs", "tmp"]) mkdirSync(join(o.prefixDir, d), { recursive: true });
  mkdirSync(o.dataDir, { recursive: true });
  const hosts = [...(o.cspHosts ?? [])];
  if (o.basemapStyle) hosts.push(o.basemapStyle);
  writeFileSync(join(o.prefixDir, "mime.types"), readFileSync(new URL("./nginx/mime.types", import.meta.url)));
  const common = {
    prefix: o.prefixDir,
    listenHost: o.host ?? "127.0.0.1",
    port: o.port,
    distDir: DIST_DIR,
    dataDir: o.dataDir,
    cspHosts: hosts,
    runningAsRoot: process.getuid?.() === 0,
  };
  let files: Record<string, string>;
  let appConfig: Record<string, string>;
  if (archive !== undefined) {
    files = renderStaticNginx({ ...common, archive });
    // no API: the map reads the archive nginx serves beside the app
    appConfig = { basemapStyle: o.basemapStyle ?? "", apiBase: "", tilesArchive: "/zones.pmtiles", dataBase: "/data" };
  } else {
    if (!o.apiUrl || !o.tilesUrl)
      throw new ConfigError("web: the API and tile service URLs are required (or an archive)");
    files = renderNginx({ ...common, apiUrl: o.apiUrl, tilesUrl: o.tilesUrl, apiCompat: o.apiCompat });
    appConfig = {
      basemapStyle: o.basemapStyle ?? "",
      apiBase: o.apiCompat ? "/api/v2" : "/api",
      tilesBase: "/tiles",
      dataBase: "/data",
    };
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(o.prefixDir, name), text);
  writeFileSync(join(o.prefixDir, "config.json"), `${JSON.stringify(appConfig, null, 2)}\n`);
  return join(o.prefixDir, "nginx.conf");
}

/** `nginx -t` on a rendered config: throws with nginx's own message when it is invalid. */
export function testNginxConfig(prefixDir: string, confPath: string): void {
  if (!existsSync(NGINX_BIN))
    throw new CosmoError(`nginx not found at ${NGINX_BIN}: run \`make init\` (apt package nginx) or set NGINX_BIN`);
  const r = spawnSync(
    NGINX_BIN,
    ["-t", "-q", "-p", prefixDir, "-c", confPath, "-e", join(prefixDir, "logs/error.log")],
    { encoding: "utf8" },
  );
  if (r.status !== 0)
    throw new CosmoError(
      `nginx config ${confPath} is invalid: ${(r.stderr || r.stdout).trim().split("\n").join(" | ")}`,
    );
}

async function waitReady(url: string, child: ChildProcess, errorLog: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new CosmoError(`nginx exited with code ${child.exitCode} at start: ${tail(errorLog, 1)}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  throw new CosmoError(`nginx did not answer on ${url} within ${timeoutMs} ms: ${tail(errorLog)}`);
}

export async function startWeb(opts: WebOptions): Promise<WebServer> {
  if (opts.build !== false) await buildExplorer();
  const host = opts.host ?? "127.0.0.1";
  await stopStaleNginx(opts.prefixDir ? [opts.prefixDir] : undefined);
  const port = opts.port && opts.port > 0 ? opts.port : await freePort(host);
  await assertPortFree(host, port);
  const prefixDir = opts.prefixDir ?? projectPath(`${NGINX_INSTANCES_DIR}/web-${port}`);
  const confPath = writeNginxFiles({ ...opts, port, prefixDir });
  testNginxConfig(prefixDir, confPath);
  const errorLog = join(prefixDir, "logs/error.log");
  const child = spawn(NGINX_BIN, ["-p", prefixDir, "-c", confPath, "-e", errorLog], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  // Who started this nginx: the next `cosmo web` stops it if we die without stopping it (kill -9).
  writeFileSync(join(prefixDir, "owner.pid"), `${process.pid}\n`);
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  // nginx outliving us would hold the port: stop it when this process exits for any reason we can see.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const hostForUrl = host === "0.0.0.0" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${hostForUrl}:${port}`;
  try {
    await waitReady(url, child, errorLog);
  } catch (err) {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    throw stderr ? new CosmoError(`${(err as Error).message} ${stderr.trim()}`) : err;
  }
  log.info({ url, prefixDir, pid: child.pid }, "nginx started");
  let closing: Promise<void> | undefined;
  return {
    url,
    prefixDir,
    close() {
      closing ??= (async () => {
        process.off("exit", killOnExit);
        if (child.exitCode !== null) return;
        const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
        child.kill("SIGQUIT"); // graceful: finish the requests in flight
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
