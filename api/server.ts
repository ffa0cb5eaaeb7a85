// Entry point used by `cosmo api serve`, `cosmo web` and other stages' tests.
import { readFileSync } from "node:fs";
import { type Config, getConfig } from "../core/config.ts";
import type { Database } from "../core/db.ts";
import { childLogger } from "../core/log.ts";
import { listen, type RunningService } from "../core/serving/listen.ts";
import { createAdmission } from "../core/serving/overload.ts";
import { ServedDataset } from "../core/serving/served-dataset.ts";
import { apiFastPath, createApiApp, createResponseCache } from "./app.ts";
import { ZoneQueries } from "./queries.ts";
import { type ApiSettings, apiSettings } from "./settings.ts";

export interface StartApiOptions {
  db: Database;
  port?: number;
  host?: string;
  config?: Config;
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

export type { RunningService };

export async function startApiServer(opts: StartApiOptions): Promise<RunningService> {
  const config = opts.config ?? getConfig();
  const settings = apiSettings(config, opts.settings);
  const log = childLogger("api");
  const served = new ServedDataset(opts.db, { log });
  await served.start();
  // A version's data never changes, so a response is valid for as long as its version is served: cached by
  // version + URL (bounded by bytes) and dropped when the served version changes.
  const responses = createResponseCache(settings.responseCacheBytes);
  served.onChange(() => responses?.clear());
  const app = createApiApp({
    responses,
    pool: opts.db.pool,
    served,
    queries: new ZoneQueries(opts.db.pool),
    admission: createAdmission({
      service: "api",
      maxInFlight: settings.maxInFlight,
      queue: settings.queue,
      queueTimeoutMs: settings.queueTimeoutMs,
      retryAfterSeconds: settings.retryAfterSeconds,
    }),
    settings,
    log,
    version: packageVersion(),
  });
  const server = await listen(app, opts.port ?? settings.port, opts.host ?? settings.host, {
    fastPath: apiFastPath({ served, responses, settings }),
  });
  log.info({ url: server.url }, "api listening");
  return {
    url: server.url,
    async close() {
      await server.close();
      await served.close();
    },
  };
}
