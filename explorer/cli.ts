// `cosmo web`: nginx in front of the API and tile services (reused when already running on their configured
// ports, otherwise started in this process on the served dataset), the built explorer and the dashboard files.
import { Command } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import { getConfig } from "../core/config.ts";
import type { Database } from "../core/db.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { buildExplorer } from "./build.ts";
import { startWeb } from "./web.ts";

const log = childLogger("web");

interface Service {
  url: string;
  close(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    await res.body?.cancel();
    return res.status === 200 || res.status === 503; // 503 = a cosmo service with no dataset served yet
  } catch {
    return false;
  }
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
      "--csp-host <origin>",
      "another origin the page may load from (basemap tiles, glyphs); repeatable",
      collect,
      [],
    )
    .action(
      runAction(async (opts: { port?: number; host: string; apiCompat?: boolean; cspHost: string[] }) => {
        const config = getConfig();
        const started: Service[] = [];
        let db: Database | undefined;
        const openDb = async () => {
          if (!db) {
            const { openDatabase } = await import("../core/db.ts");
            db = await openDatabase(config, { applicationName: "cosmo-web" });
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
          let apiUrl = `http://127.0.0.1:${config.api.port}`;
          if (await answers(`${apiUrl}/datasets`)) log.info({ apiUrl }, "reusing the running API");
          else {
            const { startApiServer } = await import("../api/server.ts");
            const api = await startApiServer({ db: await openDb(), port: config.api.port, host: "127.0.0.1", config });
            started.push(api);
            apiUrl = api.url;
          }
          let tilesUrl = `http://127.0.0.1:${config.tiles.port}`;
          if (await answers(`${tilesUrl}/tiles/zones.json`)) log.info({ tilesUrl }, "reusing the running tile server");
          else {
            const { startTilesServer } = await import("../tiles/server.ts");
            const { openStore } = await import("../core/storage.ts");
            const store = config.tiles.persistentCache ? await openStore(config) : undefined;
            const tiles = await startTilesServer({
              db: await openDb(),
              store,
              port: config.tiles.port,
              host: "127.0.0.1",
              config,
            });
            started.push(tiles);
            tilesUrl = tiles.url;
          }
          const web = await startWeb({
            apiUrl,
            tilesUrl,
            dataDir: projectPath(config.data.publicDir),
            port: opts.port ?? config.web.port,
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
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          log.info({ signal }, "stopping");
          stopAll().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      }),
    );
  return [web];
}
