// `cosmo web`: nginx in front of the API and tile services (reused when already running on their configured
// ports and proven to be this checkout's — same database —, otherwise started in this process on the served
// dataset), the built explorer and the dashboard files.
import { Command } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import type { Database } from "../core/db.ts";
import { CosmoError, EXIT } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { describeHolder, portProblem } from "../core/ports.ts";
import { closeOnSignals, type RunningService } from "../core/serving/listen.ts";

const log = childLogger("web");

// What the command runs (the config's schema, the explorer's build, nginx, the health probe and its SQL) is
// loaded when it runs (`await import(…)`): `--help` does not need it (start-up, issue 17).

/** Does a cosmo service on `base` answer `probe` (200, or 503 = no dataset yet), and on which database? */
async function runningService(base: string, probe: string): Promise<{ database: string | null } | null> {
  const { DATABASE_HEADER } = await import("../core/serving/health.ts");
  try {
    const res = await fetch(`${base}${probe}`, { signal: AbortSignal.timeout(1500) });
    await res.body?.cancel();
    if (res.status !== 200 && res.status !== 503) return null;
    const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1500) });
    await health.body?.cancel();
    return { database: health.headers.get(DATABASE_HEADER) };
  } catch {
    return null;
  }
}

/**
 * The port to start a service on: the configured one when free; a free one (0) when something else holds it —
 * another checkout's service (its database is not ours) or any other process — said in the log.
 */
async function portFor(service: string, port: number): Promise<number> {
  if ((await portProblem(port)) === null) return port;
  log.warn(
    { port, holder: describeHolder(port) },
    `${service}: port ${port} is held by ${describeHolder(port)}, which does not serve this checkout's database; starting ours on a free port`,
  );
  return 0;
}

/** `cosmo web --static ARCHIVE`: nginx with the built app and the archive (an s3:// one is downloaded first). */
async function serveStatic(archive: string, opts: WebCliOptions): Promise<void> {
  if (opts.apiCompat)
    throw new CosmoError("web: --api-compat needs the API; it cannot be combined with --static", {
      exitCode: EXIT.input,
    });
  const { getConfig } = await import("../core/config.ts");
  const { buildExplorer } = await import("./build.ts");
  const { startWeb, stopStaleNginx } = await import("./web.ts");
  const config = getConfig();
  await buildExplorer();
  const { localFile } = await import("../core/storage.ts");
  const file = await localFile(archive);
  try {
    await stopStaleNginx();
    let port = opts.port ?? config.web.port;
    // As for the full explorer: a taken default port → a free one; an explicit --port is refused by startWeb.
    if (opts.port === undefined && port > 0 && (await portProblem(port, opts.host)) !== null) {
      log.warn({ port }, `web: port ${port} is held by ${describeHolder(port)}; using a free port`);
      port = 0;
    }
    const web = await startWeb({
      archive: file.path,
      dataDir: projectPath(config.data.publicDir),
      port,
      host: opts.host,
      basemapStyle: config.web.basemapStyle || undefined,
      cspHosts: opts.cspHost,
      build: false,
    });
    process.stdout.write(`explorer (static, ${archive}): ${web.url}/  (Ctrl-C stops)\n`);
    closeOnSignals(async () => {
      await web.close();
      await file.cleanup();
    }, log);
  } catch (err) {
    await file.cleanup();
    throw err;
  }
}

interface WebCliOptions {
  port?: number;
  host: string;
  apiCompat?: boolean;
  cspHost: string[];
  static?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function commands(): Command[] {
  const web = new Command("web")
    .description("serve the web explorer through nginx: / app, /api/ API, /tiles/ tiles, /data/ dashboard files")
    .option("--port <port>", "nginx port (default: config web.port)", intOption("--port"))
    .option("--host <host>", "interface nginx listens on", "127.0.0.1")
    .option("--api-compat", "map /api/ to the old cosmogony_explorer shapes (/compat/…); the UI then uses /api/v2/")
    .option(
      "--static <archive>",
      "static mode: serve the app and this PMTiles archive (path or s3:// URL) only; no API, tile service or database",
    )
    .option(
      "--csp-host <origin>",
      "another origin the page may load from (basemap tiles, glyphs); repeatable",
      collect,
      [],
    )
    .action(
      runAction(async (opts: WebCliOptions) => {
        const { getConfig } = await import("../core/config.ts");
        const { databaseIdentity } = await import("../core/serving/health.ts");
        const { buildExplorer } = await import("./build.ts");
        const { startWeb, stopStaleNginx } = await import("./web.ts");
        const config = getConfig();
        if (opts.static !== undefined) return serveStatic(opts.static, opts);
        const started: RunningService[] = [];
        let db: Database | undefined;
        const openDb = async () => {
          if (!db) {
            const { openDatabase } = await import("../core/db.ts");
            db = await openDatabase(config, { applicationName: "cosmo-web", serving: true });
          }
          return db;
        };
        const stopAll = async () => {
          for (const s of started.reverse())
            await s.close().catch((err: Error) => log.warn({ err: err.message }, "stopping a service failed"));
          await db?.close();
        };
        try {
          await buildExplorer();
          const ours = await databaseIdentity((await openDb()).pool);
          let apiUrl = `http://127.0.0.1:${config.api.port}`;
          if ((await runningService(apiUrl, "/datasets"))?.database === ours)
            log.info({ apiUrl }, "reusing the running API (same database)");
          else {
            const { startApiServer } = await import("../api/server.ts");
            const port = await portFor("api", config.api.port);
            const api = await startApiServer({ db: await openDb(), port, host: "127.0.0.1", config });
            started.push(api);
            apiUrl = api.url;
          }
          let tilesUrl = `http://127.0.0.1:${config.tiles.port}`;
          if ((await runningService(tilesUrl, "/tiles/zones.json"))?.database === ours)
            log.info({ tilesUrl }, "reusing the running tile server (same database)");
          else {
            const { startTilesServer } = await import("../tiles/server.ts");
            const { openStore } = await import("../core/storage.ts");
            const store = config.tiles.persistentCache ? await openStore(config) : undefined;
            const tiles = await startTilesServer({
              db: await openDb(),
              store,
              port: await portFor("tiles", config.tiles.port),
              host: "127.0.0.1",
              config,
            });
            started.push(tiles);
            tilesUrl = tiles.url;
          }
          // An nginx of ours left by a `cosmo web` killed with -9 would hold the port: stop it first.
          await stopStaleNginx();
          let webPort = opts.port ?? config.web.port;
          if (opts.port === undefined && webPort > 0 && (await portProblem(webPort, opts.host)) !== null) {
            // The configured default is taken (another checkout's explorer?): an explicit --port is refused instead.
            log.warn(
              { port: webPort },
              `web: port ${webPort} is held by ${describeHolder(webPort)}; using a free port`,
            );
            webPort = 0;
          }
          const web = await startWeb({
            apiUrl,
            tilesUrl,
            dataDir: projectPath(config.data.publicDir),
            port: webPort,
            host: opts.host,
            basemapStyle: config.web.basemapStyle || undefined,
            cspHosts: opts.cspHost,
            apiCompat: opts.apiCompat,
            build: false,
          });
          started.push(web);
          process.stdout.write(`explorer: ${web.url}/  (dashboard: ${web.url}/dashboard.html; Ctrl-C stops)\n`);
        } catch (err) {
          await stopAll();
          throw err;
        }
        closeOnSignals(stopAll, log);
      }),
    );
  return [web];
}
