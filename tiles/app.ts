// The tile service's HTTP layer: routes, conditional requests, compression and admission control.
// Order per tile request: validate → resolve the served version once → memory cache (no queueing, no DB)
// → admission → persistent cache or render → respond.
import { createHash } from "node:crypto";
import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import type { Pool } from "pg";
import type { Logger } from "pino";
import { cors, EXPOSED_HEADERS } from "../core/serving/cors.ts";
import { healthRoutes } from "../core/serving/health.ts";
import { badParameter, errorHandler, HttpError, notFoundHandler } from "../core/serving/http-errors.ts";
import type { FastPath } from "../core/serving/listen.ts";
import { labelRoute } from "../core/serving/metrics.ts";
import { notModified } from "../core/serving/negotiate.ts";
import type { Admission } from "../core/serving/overload.ts";
import { pathEncodingCheck } from "../core/serving/path-encoding.ts";
import type { ServedDataset, ServedRef } from "../core/serving/served-dataset.ts";
import type { CachedTile, TileCache } from "./cache.ts";
import { parseTileAddress, type TileAddress } from "./coords.ts";
import { layerByUrlName, type TileLayer } from "./layers.ts";
import { PUBLIC_URL_HEADERS, publicBase } from "./public-url.ts";
import type { TileRenderer } from "./render.ts";
import { tileAnswer } from "./respond.ts";
import type { TilesSettings } from "./settings.ts";
import { tileJson } from "./tilejson.ts";

export interface TilesAppDeps {
  pool: Pool;
  served: ServedDataset;
  cache: TileCache;
  renderer: TileRenderer;
  admission: Admission;
  settings: TilesSettings;
  log: Logger;
}

const TILE_ROUTE = "/tiles/:name/:z/:x/:file";

interface TileRequest {
  layer: TileLayer;
  tile: TileAddress;
  ref: ServedRef;
}

export function createTilesApp(deps: TilesAppDeps): Express {
  const { served, cache, renderer, admission, settings } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // we set strong content-hash ETags ourselves
  app.use(cors(["*"]));

  healthRoutes(app, deps.pool, served);
  // Names the tile coordinate whose escape is not UTF-8 (the file segment is the `y` of the errors below).
  app.use(pathEncodingCheck(["/tiles/:layer/:z/:x/:y", "/tiles/:layer"]));

  const boundsByVersion = new Map<number, Promise<[number, number, number, number] | null>>();
  app.get("/tiles/:name.json", async (req, res) => {
    const layer = layerByUrlName(req.params.name);
    if (!layer) throw new HttpError(404, "not_found", `no tile layer "${req.params.name.slice(0, 40)}"`);
    const ref = await requireServed(served);
    let bounds = boundsByVersion.get(ref.version);
    if (!bounds) {
      bounds = renderer.bounds(ref);
      boundsByVersion.set(ref.version, bounds);
      bounds.catch(() => boundsByVersion.delete(ref.version));
    }
    const base = publicBase(req, settings);
    const doc = tileJson({
      baseUrl: base.baseUrl,
      layer,
      version: ref.version,
      bounds: await bounds,
      maxZoom: settings.maxZoom,
      languages: settings.languages,
    });
    const body = JSON.stringify(doc);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    res.set({ ETag: etag, "Cache-Control": "public, max-age=10", "X-Dataset-Version": String(ref.version) });
    if (base.fromRequest) res.vary(PUBLIC_URL_HEADERS);
    if (notModified(req.headers, etag)) return void res.status(304).end();
    res.type("application/json").send(body);
  });

  const parseTile: RequestHandler = async (req, res, next) => {
    const layer = layerByUrlName(String(req.params.name));
    if (!layer) throw new HttpError(404, "not_found", `no tile layer "${String(req.params.name).slice(0, 40)}"`);
    const m = /^(.*)\.(pbf|mvt)$/.exec(String(req.params.file));
    if (!m) throw badParameter("y", "expected {y}.pbf");
    const parsed = parseTileAddress(String(req.params.z), String(req.params.x), m[1] as string);
    if (!parsed.ok) throw badParameter(parsed.parameter, parsed.reason);
    const ref = await requireServed(served);
    const hot = cache.peek(ref.version, layer.layer, parsed.tile);
    if (hot) return sendTile(req, res, hot, ref, settings);
    res.locals.tileRequest = { layer, tile: parsed.tile, ref } satisfies TileRequest;
    next();
  };

  const renderTile: RequestHandler = async (req, res) => {
    let { layer, tile, ref } = res.locals.tileRequest as TileRequest;
    let result: CachedTile;
    try {
      result = (await cache.get(ref.version, layer.layer, tile, () => renderer.render(ref, layer, tile))).tile;
    } catch (err) {
      // The version's schema was dropped between resolving and querying (retired after a publish):
      // resolve again and answer from the new version instead of failing.
      if ((err as { code?: string }).code !== "42P01") throw err;
      const fresh = await served.refresh();
      if (!fresh || fresh.version === ref.version) throw err;
      ref = fresh;
      result = (await cache.get(ref.version, layer.layer, tile, () => renderer.render(ref, layer, tile))).tile;
    }
    sendTile(req, res, result, ref, settings);
  };

  app.get(TILE_ROUTE, parseTile, admission.middleware, renderTile);

  app.use(notFoundHandler());
  app.use(errorHandler(deps.log));
  return app;
}

async function requireServed(served: ServedDataset): Promise<ServedRef> {
  const ref = await served.current();
  if (!ref) throw new HttpError(503, "no_dataset", "no dataset is published yet", { retryAfter: 30 });
  return ref;
}

function sendTile(req: Request, res: Response, tile: CachedTile, ref: ServedRef, settings: TilesSettings): void {
  const answer = tileAnswer({
    tile,
    version: ref.version,
    requestHeaders: req.headers,
    versionParam: typeof req.query.v === "string" ? req.query.v : undefined,
    maxAgeSeconds: settings.maxAgeSeconds,
  });
  res.status(answer.status).set(answer.headers);
  if (answer.body) res.send(answer.body);
  else res.end();
}

/**
 * Memory-cache hits without Express (the hot path of a tile server): the same answer as the Express route,
 * for well-formed tile URLs whose tile is in memory; anything else falls through to Express.
 */
export function tilesFastPath(deps: Pick<TilesAppDeps, "served" | "cache" | "settings">): FastPath {
  const URL_RE = /^\/tiles\/([a-z]+)\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})\.(?:pbf|mvt)(?:\?v=(\d{1,9}))?$/;
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const m = URL_RE.exec(req.url ?? "");
    if (!m) return false;
    const layer = layerByUrlName(m[1] as string);
    const ref = deps.served.peek();
    if (!layer || !ref) return false;
    const parsed = parseTileAddress(m[2] as string, m[3] as string, m[4] as string);
    if (!parsed.ok) return false;
    const tile = deps.cache.peek(ref.version, layer.layer, parsed.tile);
    if (!tile) return false;
    const answer = tileAnswer({
      tile,
      version: ref.version,
      requestHeaders: req.headers,
      versionParam: m[5],
      maxAgeSeconds: deps.settings.maxAgeSeconds,
    });
    answer.headers["Access-Control-Allow-Origin"] = "*";
    answer.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS;
    if (answer.body) answer.headers["Content-Length"] = String(answer.body.length);
    labelRoute(res, TILE_ROUTE);
    res.writeHead(answer.status, answer.headers);
    res.end(req.method === "HEAD" ? undefined : answer.body);
    return true;
  };
}
