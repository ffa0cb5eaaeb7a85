// The API's HTTP layer: CORS, ops routes, the route table (validate → admission → resolve version once →
// query that schema → JSON), gzip for larger bodies, JSON errors.
import { gzipSync } from "node:zlib";
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

export function sendBody(req: Request, res: Response, text: string): void {
  if (!res.get("Content-Type")) res.type("application/json");
  res.vary("Accept-Encoding");
  if (text.length >= GZIP_MIN_BYTES && req.acceptsEncodings("gzip") === "gzip") {
    res.set("Content-Encoding", "gzip");
    res.send(gzipSync(text, { level: 4 }));
  } else {
    res.send(text);
  }
}

export function createApiApp(deps: ApiAppDeps): Express {
  const { served, queries, admission, settings } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.use(cors(settings.corsOrigins));

  const routes = routeTable(queries, settings);
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
        const body = await route.handler({
          req,
          res,
          ref: ref as NonNullable<typeof ref>,
          params: res.locals.params,
          query: res.locals.query,
        });
        if (ref) res.set("X-Dataset-Version", String(ref.version));
        res.set("Cache-Control", `public, max-age=${settings.maxAgeSeconds}`);
        sendBody(req, res, body instanceof RawJson ? body.text : JSON.stringify(body));
      },
    );
  }

  app.use(notFoundHandler());
  app.use(errorHandler(deps.log));
  return app;
}
