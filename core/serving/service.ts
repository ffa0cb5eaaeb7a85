// The life of a service over the served dataset, the same for api/ and tiles/: follow the served version, admit
// at most so many requests at once, count and time requests (/metrics), listen, and on close stop the server, then
// the served dataset, then whatever the service itself holds. Each service brings only its HTTP layer (and the caches it keeps).
import type { Express } from "express";
import type { Logger } from "pino";
import { type Config, getConfig } from "../config.ts";
import type { Database } from "../db.ts";
import { childLogger } from "../log.ts";
import { type FastPath, listen, type RunningService } from "./listen.ts";
import { type CacheStats, createServiceMetrics, labelRoute, METRICS_PATH } from "./metrics.ts";
import { type Admission, createAdmission } from "./overload.ts";
import { ServedDataset } from "./served-dataset.ts";

/** The keys every service's config section has (`api` and `tiles` in core/config.ts). */
export interface ServiceSettings {
  port: number;
  host: string;
  maxInFlight: number;
  queue: number;
  queueTimeoutMs: number;
  retryAfterSeconds: number;
}

/** What the shared part hands a service to build its HTTP layer on. */
export interface ServiceBase {
  served: ServedDataset;
  admission: Admission;
  log: Logger;
}

/** A service's own part: its app, its Express-free fast path, and what it releases once the server stopped. */
export interface ServiceParts {
  app: Express;
  fastPath: FastPath;
  /** Its caches' hits and misses, for /metrics. */
  cacheStats?: CacheStats;
  close?: () => Promise<void>;
}

/** How a caller starts a service (`cosmo api serve`, `cosmo web`, tests); each service adds its own options. */
export interface ServiceOptions {
  db: Database;
  /** Override the settings' port and host (tests, `--port`, `--host`). */
  port?: number;
  host?: string;
  config?: Config;
}

/**
 * Start the service `name` (it names the logger, the admission's busy message and the "listening" line) with its
 * config section `settings`; `build` makes its HTTP layer once the served dataset is followed.
 */
export async function startService(
  name: string,
  opts: ServiceOptions,
  settings: ServiceSettings,
  build: (base: ServiceBase) => ServiceParts,
): Promise<RunningService> {
  const log = childLogger(name);
  const served = new ServedDataset(
    opts.db,
    opts.db.replica ? { log, listen: false, pollMs: (opts.config ?? getConfig()).database.readPollMs } : { log },
  );
  await served.start();
  const admission = createAdmission({
    service: name,
    maxInFlight: settings.maxInFlight,
    queue: settings.queue,
    queueTimeoutMs: settings.queueTimeoutMs,
    retryAfterSeconds: settings.retryAfterSeconds,
  });
  const parts = build({ served, admission, log });
  const metrics = createServiceMetrics(name, admission, () => parts.cacheStats?.() ?? {});
  const server = await listen(parts.app, opts.port ?? settings.port, opts.host ?? settings.host, {
    // Every request is timed and counted; /metrics is answered here, before admission control and the database
    // (like /healthz, a scrape must get through when the service sheds load).
    fastPath: (req, res) => {
      metrics.observe(req, res);
      if (req.method === "GET" && req.url?.split("?")[0] === METRICS_PATH) {
        labelRoute(res, METRICS_PATH);
        void metrics.respond(res);
        return true;
      }
      return parts.fastPath(req, res);
    },
  });
  log.info({ url: server.url }, `${name} listening`);
  return {
    url: server.url,
    async close() {
      await server.close();
      await served.close();
      await parts.close?.();
    },
  };
}
