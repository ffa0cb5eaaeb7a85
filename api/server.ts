// Entry point used by `cosmo api serve`, `cosmo web` and other stages' tests.
import { readFileSync } from "node:fs";
import { getConfig } from "../core/config.ts";
import type { RunningService } from "../core/serving/listen.ts";
import { type ServiceOptions, startService } from "../core/serving/service.ts";
import { apiFastPath, createApiApp, createResponseCache } from "./app.ts";
import { ZoneQueries } from "./queries.ts";
import { type ApiSettings, apiSettings } from "./settings.ts";

export interface StartApiOptions extends ServiceOptions {
  /** Overrides of the `api` config section (tests, benchmarks). */
  settings?: Partial<ApiSettings>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
      .version;
  } catch {
    return "0.0.0";
  }
}

export async function startApiServer(opts: StartApiOptions): Promise<RunningService> {
  const settings = apiSettings(opts.config ?? getConfig(), opts.settings);
  return startService("api", opts, settings, ({ served, admission, log }) => {
    // A version's data never changes, so a response is valid for as long as its version is served: cached by
    // version + URL (bounded by bytes) and dropped when the served version changes.
    const responses = createResponseCache(settings.responseCacheBytes);
    served.onChange(() => responses?.entries.clear());
    const app = createApiApp({
      responses,
      pool: opts.db.pool,
      served,
      queries: new ZoneQueries(opts.db.pool),
      admission,
      settings,
      log,
      version: packageVersion(),
    });
    return {
      app,
      fastPath: apiFastPath({ served, responses, settings }),
      cacheStats: (): Record<string, { hits: number; misses: number }> =>
        responses ? { responses: { hits: responses.hits, misses: responses.misses } } : {},
    };
  });
}
