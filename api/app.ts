// The API's HTTP layer: CORS, ops routes, the route table (validate → admission → resolve version once →
// query that schema → JSON), gzip for larger bodies, JSON errors.
import { gzipSync } from "node:zlib";
import { LRUCache } from "lru-cache";
import express, { type Express, type Request, type Response } from "express";
import type { Pool } from "pg";
import type { Logger } from "pino";
import { cors } from "./kit/cors.ts";
import { HttpError, errorHandler, notFoundHandler, sendError } from "./kit/http-errors.ts";
import type { Admission } from "./kit/overload.ts";
import type { ServedDataset } from "./kit/served-dataset.ts";
import { openApiDocument } from "./openapi.ts";
import type { ZoneQueries } from "./queries.ts";
import { RawJson, routeTable } from "./routes.ts";
import type { ApiSettings } from "./settings.ts";
import { validate } from "./validate.ts";

export interface ApiAppDeps {
  pool: Pool;
  served: ServedDataset;
  queries: ZoneQueries;
  admission: Admission;
  settings: ApiSettings;
  log: Logger;
  version: string;
}

const GZIP_MIN_BYTES = 1024;
/** Larger bodies (big geometries) are not worth keeping in the response cache. */
const CACHE_MAX_ENTRY_BYTES = 1 << 20;

/** A response body with its gzip form computed at most once. */
interface Body {
  text: string;
  type: string;
  gz?: Buffer;
}

export function sendBody(req: Request, res: Response, body: Body | string): void {
  const b = typeof body === "string" ? { text: body, type: "application/json" } : body;
  res.type(res.get("Content-Type") ?? b.type);
  res.vary("Accept-Encoding");
  if (b.text.length >= GZIP_MIN_BYTES && req.acceptsEncodings("gzip") === "gzip") {
    b.gz ??= gzipSync(b.text, { level: 4 });
    res.set("Content-Encoding", "gzip");
    res.send(b.gz);
  } else {
    res.send(b.text);
  }
}

export function createApiApp(deps: ApiAppDeps): Express {
  const { served, queries, admission, settings } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.use(cors(settings.corsOrigins));

  const routes = routeTable(queries, settings);
  // A version's data never changes, so a response is valid for as long as its version is served: cache by
  // version + URL (bounded by bytes), which a publish invalidates by construction.
  const responses =
    settings.responseCacheBytes > 0
      ? new LRUCache<string, Body>({
          maxSize: settings.responseCacheBytes,
          sizeCalculation: (b, key) => b.text.length + (b.gz?.length ?? 0) + key.length + 64,
        })
      : null;
  served.onChange(() => responses?.clear());
  const openapi = JSON.stringify(openApiDocument(routes, { version: deps.version }));

  app.get("/healthz", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await deps.pool.query("SELECT 1");
      const ref = await served.refresh();
      if (!ref) return sendError(res, 503, "not_ready", "no dataset is published yet");
      res.set("Cache-Control", "no-store").json({ status: "ready", dataset: ref.version });
    } catch (err) {
      sendError(res, 503, "not_ready", `database unreachable: ${(err as Error).message}`);
    }
  });
  app.get("/openapi.json", (req, res) => {
    res.set("Cache-Control", "public, max-age=300");
    sendBody(req, res, openapi);
  });

  for (const route of routes) {
    app.get(
      route.path,
      (req, res, next) => {
        // Validation first: bad requests never queue and never reach the database.
        res.locals.params = route.params ? validate(route.params, req.params) : {};
        res.locals.query = validate(route.query, req.query);
        next();
      },
      admission.middleware,
      async (req, res) => {
        const ref = route.dataset ? await served.current() : null;
        if (route.dataset && !ref) {
          res.set("Retry-After", "30");
          throw new HttpError(503, "no_dataset", "no dataset is published yet");
        }
        const key = ref ? `${ref.version} ${req.url}` : null;
        let body = key ? responses?.get(key) : undefined;
        if (!body) {
          const out = await route.handler({
            req,
            res,
            ref: ref as NonNullable<typeof ref>,
            params: res.locals.params,
            query: res.locals.query,
          });
          body = { text: out instanceof RawJson ? out.text : JSON.stringify(out), type: route.responseType ?? "application/json" };
          if (key && body.text.length <= CACHE_MAX_ENTRY_BYTES) responses?.set(key, body);
        }
        if (ref) res.set("X-Dataset-Version", String(ref.version));
        if (route.path.endsWith("/geometry")) res.set("Content-Disposition", `inline; filename="zone-${res.locals.params.id}.geojson"`);
        res.set("Cache-Control", `public, max-age=${settings.maxAgeSeconds}`);
        sendBody(req, res, body);
      },
    );
  }

  app.use(notFoundHandler());
  app.use(errorHandler(deps.log));
  return app;
}
