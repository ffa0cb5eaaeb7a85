// The life of a service over the served dataset, the same for api/ and tiles/: follow the served version, admit
// at most so many requests at once, listen, and on close stop the server, then the served dataset, then whatever
// the service itself holds. Each service brings only its HTTP layer (and the caches it keeps).
import type { Express } from "express";
import type { Logger } from "pino";
import { type Config, getConfig } from "../config.ts";
import type { Database } from "../db.ts";
import { childLogger } from "../log.ts";
import { type FastPath, listen, type RunningService } from "./listen.ts";
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
  const parts = build({
    served,
    admission: createAdmission({
      service: name,
      maxInFlight: settings.maxInFlight,
      queue: settings.queue,
      queueTimeoutMs: settings.queueTimeoutMs,
      retryAfterSeconds: settings.retryAfterSeconds,
    }),
    log,
  });
  const server = await listen(parts.app, opts.port ?? settings.port, opts.host ?? settings.host, {
    fastPath: parts.fastPath,
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
