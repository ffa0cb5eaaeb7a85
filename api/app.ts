// The API's HTTP layer: CORS, ops routes, the route table (validate → admission → resolve version once →
// query that schema → JSON), gzip for larger bodies, JSON errors.
import { hash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { gzipSync } from "node:zlib";
import express, { type Express, type Request, type Response } from "express";
import { LRUCache } from "lru-cache";
import type { Pool } from "pg";
import type { Logger } from "pino";
import { cors, corsHeaders } from "../core/serving/cors.ts";
import { healthRoutes } from "../core/serving/health.ts";
import { errorHandler, HttpError, notFoundHandler } from "../core/serving/http-errors.ts";
import type { FastPath } from "../core/serving/listen.ts";
import { labelRoute } from "../core/serving/metrics.ts";
import { acceptsGzip, notModified } from "../core/serving/negotiate.ts";
import type { Admission } from "../core/serving/overload.ts";
import { pathEncodingCheck } from "../core/serving/path-encoding.ts";
import type { ServedDataset } from "../core/serving/served-dataset.ts";
import { locateRoute } from "./locate/http.ts";
import { openApiDocument } from "./openapi.ts";
import type { ZoneQueries } from "./queries.ts";
import { RawJson, routeTable } from "./routes.ts";
import type { ApiSettings } from "./settings.ts";
import { parseQuery, validate } from "./validate.ts";

export interface ApiAppDeps {
  pool: Pool;
  served: ServedDataset;
  queries: ZoneQueries;
  admission: Admission;
  settings: ApiSettings;
  log: Logger;
  version: string;
  /** Responses of the served version, by version + URL (see createResponseCache). */
  responses: ResponseCache | null;
}

/**
 * Smaller answers go uncompressed: a lean point lookup or zone (1-3 kB) arrives in as few packets either way, and
 * gzip's fixed cost (a fresh deflate stream per body) was ~3 % of the API process's CPU per such answer, the
 * process being the bottleneck at 100 connections. Behind the explorer's nginx they are compressed there.
 */
const GZIP_MIN_BYTES = 4096;
/** Larger bodies (big geometries) are not worth keeping in the response cache. */
const CACHE_MAX_ENTRY_BYTES = 1 << 20;

/** A response body with its gzip form computed at most once. */
export interface Body {
  text: string;
  type: string;
  gz?: Buffer;
  etag?: string;
  headers?: Record<string, string>;
  /** The route pattern that made it (the metrics' label when the fast path answers it). */
  route?: string;
  /**
   * Made for one request and never again (POST /zones/locate): no ETag (a conditional request cannot ask for it
   * again, and hashing a bulk answer of a megabyte cost more than a lookup), and gzip at its fastest level (a
   * cached body is compressed once and sent many times; this one is compressed at every request).
   */
  once?: boolean;
}

/** The gzip level of a body compressed once per request (Body.once), and of one compressed once and kept. */
const GZIP_LEVEL_ONCE = 1;
const GZIP_LEVEL_KEPT = 4;

/** The response cache with its lookups counted (/metrics: cosmo_cache_requests_total{cache="responses"}). */
export interface ResponseCache {
  entries: LRUCache<string, Body>;
  hits: number;
  misses: number;
}

export function createResponseCache(bytes: number): ResponseCache | null {
  return bytes > 0
    ? {
        entries: new LRUCache<string, Body>({
          maxSize: bytes,
          sizeCalculation: (b, key) => b.text.length + (b.gz?.length ?? 0) + key.length + 64,
        }),
        hits: 0,
        misses: 0,
      }
    : null;
}

/** A cached body, counted as a hit, or undefined, counted as a miss only when `countMiss` (the last lookup). */
function cachedBody(cache: ResponseCache, key: string, countMiss: boolean): Body | undefined {
  const body = cache.entries.get(key);
  if (body) cache.hits++;
  else if (countMiss) cache.misses++;
  return body;
}

function bodyEtag(text: string): string {
  // One-shot: a Hash object per answer cost more than hashing a few kB.
  return `W/"${hash("sha1", text, "base64url")}"`;
}

/** Status, headers and bytes for a body, shared by Express routes and the fast path. */
function answer(b: Body, requestHeaders: IncomingHttpHeaders) {
  const headers: Record<string, string> = {
    "Content-Type": `${b.type}; charset=utf-8`,
    Vary: "Accept-Encoding",
    ...b.headers,
  };
  if (!b.once) {
    b.etag ??= bodyEtag(b.text);
    headers.ETag = b.etag;
    if (notModified(requestHeaders, b.etag)) return { status: 304, headers, body: undefined };
  }
  if (b.text.length >= GZIP_MIN_BYTES && acceptsGzip(requestHeaders["accept-encoding"])) {
    b.gz ??= gzipSync(b.text, { level: b.once ? GZIP_LEVEL_ONCE : GZIP_LEVEL_KEPT });
    headers["Content-Encoding"] = "gzip";
    return { status: 200, headers, body: b.gz };
  }
  return { status: 200, headers, body: Buffer.from(b.text) };
}

/**
 * Cached responses of the served version without Express: the cache only holds answers to requests that
 * passed validation, so a hit needs none of the route machinery.
 */
export function apiFastPath(deps: {
  served: ServedDataset;
  responses: ResponseCache | null;
  settings: ApiSettings;
}): FastPath {
  return (req, res) => {
    if (!deps.responses || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const ref = deps.served.peek();
    if (!ref) return false;
    // A miss falls through to the route, whose own lookup counts it.
    const body = cachedBody(deps.responses, `${ref.version} ${req.url}`, false);
    if (!body) return false;
    if (body.route) labelRoute(res, body.route);
    const a = answer(body, req.headers);
    const cors = corsHeaders(deps.settings.corsOrigins, req.headers.origin);
    const headers = {
      ...a.headers,
      ...cors,
      Vary: cors.Vary ? "Accept-Encoding, Origin" : "Accept-Encoding",
      "X-Dataset-Version": String(ref.version),
      "Cache-Control": `public, max-age=${deps.settings.maxAgeSeconds}`,
      ...(a.body ? { "Content-Length": String(a.body.length) } : {}),
    };
    res.writeHead(a.status, headers);
    res.end(req.method === "HEAD" ? undefined : a.body);
    return true;
  };
}

/**
 * Writes the answer on Node's response itself: Express's res.send would look at the body's type, set the
 * Content-Type again and compute freshness a second time (answer() did it) for every answer of the hot routes.
 * Headers set before (CORS, X-Dataset-Version, Cache-Control) stay; Vary keeps Origin when CORS added it.
 */
export function sendBody(req: Request, res: Response, body: Body | string): void {
  const b = typeof body === "string" ? { text: body, type: "application/json" } : body;
  const a = answer(b, req.headers);
  for (const name in a.headers) if (name !== "Vary") res.setHeader(name, a.headers[name] as string);
  res.vary("Accept-Encoding");
  res.statusCode = a.status;
  if (a.body) res.setHeader("Content-Length", a.body.length);
  // A HEAD answer's body is dropped by Node.
  res.end(a.body);
}

export function createApiApp(deps: ApiAppDeps): Express {
  const { served, queries, admission, settings } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // answer() sets one ETag for Express and fast-path responses alike
  app.set("query parser", parseQuery);
  app.use(cors(settings.corsOrigins));

  const routes = routeTable(queries, settings);
  app.use(pathEncodingCheck(routes.map((r) => r.path)));
  const responses = deps.responses;
  const openapi = JSON.stringify(openApiDocument(routes, { version: deps.version }));

  healthRoutes(app, deps.pool, served);
  app.get("/openapi.json", (req, res) => {
    res.set("Cache-Control", "public, max-age=300");
    sendBody(req, res, openapi);
  });

  for (const route of routes) {
    app.get(
      route.path,
      (req, res, next) => {
        // Validation first: bad requests never queue and never reach the database.
        res.locals.params = route.params ? validate(route.params, req.params as Record<string, unknown>) : {};
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
        // A request pinned to another version (`dataset=`) is not cached: the cache is keyed by the served version,
        // and a pinned version may be pruned while the served one stays.
        const key = ref && res.locals.query.dataset === undefined ? `${ref.version} ${req.url}` : null;
        let body = key && responses ? cachedBody(responses, key, true) : undefined;
        if (!body) {
          const out = await route.handler({
            req,
            res,
            ref: ref as NonNullable<typeof ref>,
            params: res.locals.params,
            query: res.locals.query,
          });
          body = {
            text: out instanceof RawJson ? out.text : JSON.stringify(out),
            type: route.responseType ?? "application/json",
            route: route.path,
            headers: route.path.endsWith("/geometry")
              ? { "Content-Disposition": `inline; filename="zone-${res.locals.params.id}.geojson"` }
              : undefined,
          };
          if (key && body.text.length <= CACHE_MAX_ENTRY_BYTES) responses?.entries.set(key, body);
        }
        if (ref) res.set("X-Dataset-Version", String(res.locals.answeredVersion ?? ref.version));
        res.set("Cache-Control", `public, max-age=${settings.maxAgeSeconds}`);
        sendBody(req, res, body);
      },
    );
  }

  locateRoute(app, { pool: deps.pool, served, admission, indexDir: settings.locateIndexDir || undefined }, sendBody);

  app.use(notFoundHandler());
  app.use(errorHandler(deps.log));
  return app;
}
