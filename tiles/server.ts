// Entry point used by `cosmo tiles serve`, `cosmo web` and other stages' tests.
import { getConfig } from "../core/config.ts";
import type { RunningService } from "../core/serving/listen.ts";
import { type ServiceOptions, startService } from "../core/serving/service.ts";
import type { ArtefactStore } from "../core/storage.ts";
import { createTilesApp, tilesFastPath } from "./app.ts";
import { TileCache } from "./cache.ts";
import { TileRenderer } from "./render.ts";
import { type TilesSettings, tilesSettings } from "./settings.ts";

export interface StartTilesOptions extends ServiceOptions {
  /** Persistent tile cache; without it only the memory cache is used. */
  store?: ArtefactStore;
  /** Overrides of the `tiles` config section (tests, benchmarks). */
  settings?: Partial<TilesSettings>;
}

export async function startTilesServer(opts: StartTilesOptions): Promise<RunningService> {
  const settings = tilesSettings(opts.config ?? getConfig(), opts.settings);
  return startService("tiles", opts, settings, ({ served, admission, log }) => {
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
      admission,
      settings,
      log,
    };
    return {
      app: createTilesApp(deps),
      fastPath: tilesFastPath(deps),
      // A memory miss is a stored tile read or a render; a store miss is a render.
      cacheStats: () => ({
        "tiles-memory": { hits: cache.counters.memory, misses: cache.counters.store + cache.counters.render },
        "tiles-store": { hits: cache.counters.store, misses: cache.counters.render },
      }),
      close: () => cache.flush(),
    };
  });
}
