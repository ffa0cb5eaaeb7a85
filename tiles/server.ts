// Entry point used by `cosmo tiles serve`, `cosmo web` and other stages' tests.

import { type Config, getConfig } from "../core/config.ts";
import type { Database } from "../core/db.ts";
import { childLogger } from "../core/log.ts";
import { listen, type RunningService } from "../core/serving/listen.ts";
import { createAdmission } from "../core/serving/overload.ts";
import { ServedDataset } from "../core/serving/served-dataset.ts";
import type { ArtefactStore } from "../core/storage.ts";
import { createTilesApp, tilesFastPath } from "./app.ts";
import { TileCache } from "./cache.ts";
import { TileRenderer } from "./render.ts";
import { type TilesSettings, tilesSettings } from "./settings.ts";

export interface StartTilesOptions {
  db: Database;
  /** Persistent tile cache; without it only the memory cache is used. */
  store?: ArtefactStore;
  port?: number;
  host?: string;
  config?: Config;
  /** Overrides of the `tiles` config section (tests, benchmarks). */
  settings?: Partial<TilesSettings>;
}

export type { RunningService };

export async function startTilesServer(opts: StartTilesOptions): Promise<RunningService> {
  const config = opts.config ?? getConfig();
  const settings = tilesSettings(config, opts.settings);
  const log = childLogger("tiles");
  const served = new ServedDataset(opts.db, { log });
  await served.start();
  const cache = new TileCache({
    memoryBytes: settings.memoryCacheBytes,
    store: settings.persistentCache ? opts.store : undefined,
    persistentMaxZoom: settings.persistentMaxZoom,
    log,
  });
  served.onChange((ref) => {
    if (ref) cache.keepOnly(ref.version);
  });
  const deps = {
    pool: opts.db.pool,
    served,
    cache,
    renderer: new TileRenderer(opts.db.pool, settings.languages),
    admission: createAdmission({
      service: "tiles",
      maxInFlight: settings.maxInFlight,
      queue: settings.queue,
      queueTimeoutMs: settings.queueTimeoutMs,
      retryAfterSeconds: settings.retryAfterSeconds,
    }),
    settings,
    log,
  };
  const server = await listen(createTilesApp(deps), opts.port ?? settings.port, opts.host ?? settings.host, {
    fastPath: tilesFastPath(deps),
  });
  log.info({ url: server.url }, "tiles listening");
  return {
    url: server.url,
    async close() {
      await server.close();
      await served.close();
      await cache.flush();
    },
  };
}
