// POST /zones/locate: up to LOCATE_MAX_POINTS points in a JSON body, located as `cosmo locate` does (same
// records). Every bad point is reported by its index (400, no partial answer); too many points or too large a
// body is 413; nothing the client sends turns into a 5xx.
import express, { type Express, type Request, type Response } from "express";
import type { Pool } from "pg";
import { HttpError } from "../../core/serving/http-errors.ts";
import type { Admission } from "../../core/serving/overload.ts";
import type { ServedDataset } from "../../core/serving/served-dataset.ts";
import type { Body } from "../app.ts";
import { jsonArray, LOCATE_BATCH, type LocatedBatch, locateRanks } from "./locate.ts";
import { type LocatePoint, pointOf } from "./points.ts";

export const LOCATE_PATH = "/zones/locate";
export const LOCATE_MAX_POINTS = 10_000;
/** 10 k points of ~100 bytes each, with room for long ids. */
export const LOCATE_MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Bad points listed in a 400 (the first ones). */
const MAX_REPORTED = 100;
const LANG = /^[a-z]{2,3}([-_][A-Za-z0-9]{1,8})?$/;

interface LocateRequest {
  points: LocatePoint[];
  hierarchy: boolean;
  lang?: string;
}

function badBody(message: string, details: Record<string, unknown> = {}): HttpError {
  return new HttpError(400, "invalid_body", message, details);
}

/** The request body checked: options first, then every point (all bad ones reported, by index). */
export function parseLocateBody(body: unknown): LocateRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw badBody('expected a JSON object {"points": [{"id", "lon", "lat"}, …]} (Content-Type: application/json)');
  const { points, hierarchy, lang, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw badBody(`unknown field ${JSON.stringify(unknown.slice(0, 40))}`);
  if (hierarchy !== undefined && typeof hierarchy !== "boolean") throw badBody("hierarchy must be true or false");
  if (lang !== undefined && (typeof lang !== "string" || !LANG.test(lang)))
    throw badBody("lang must be a language code like fr");
  if (lang !== undefined && hierarchy !== true) throw badBody("lang only goes with hierarchy: true");
  if (!Array.isArray(points)) throw badBody("points must be an array of {id, lon, lat}");
  if (points.length > LOCATE_MAX_POINTS)
    throw new HttpError(
      413,
      "too_many_points",
      `at most ${LOCATE_MAX_POINTS} points per request (got ${points.length}): split them`,
      { limit: LOCATE_MAX_POINTS },
    );
  const good: LocatePoint[] = [];
  const bad: { index: number; reason: string }[] = [];
  for (const [index, p] of points.entries()) {
    const r =
      p !== null && typeof p === "object" && !Array.isArray(p)
        ? pointOf((p as LocatePoint).id, (p as LocatePoint).lon, (p as LocatePoint).lat)
        : { reason: "expected an object {id, lon, lat}" };
    if ("reason" in r) bad.push({ index, reason: r.reason });
    else good.push(r);
  }
  if (bad.length)
    throw new HttpError(
      400,
      "invalid_points",
      `${bad.length} invalid point(s), the first at index ${bad[0]?.index}: ${bad[0]?.reason}`,
      { points: bad.slice(0, MAX_REPORTED) },
    );
  return { points: good, hierarchy: hierarchy === true, lang: lang as string | undefined };
}

export function locateRoute(
  app: Express,
  deps: { pool: Pool; served: ServedDataset; admission: Admission; indexDir?: string },
  send: (req: Request, res: Response, body: Body) => void,
): void {
  app.post(
    LOCATE_PATH,
    express.json({ limit: LOCATE_MAX_BODY_BYTES, type: () => true }),
    (req, _res, next) => {
      req.body = parseLocateBody(req.body);
      next();
    },
    deps.admission.middleware,
    async (req, res) => {
      const ref = await deps.served.current();
      if (!ref) {
        res.set("Retry-After", "30");
        throw new HttpError(503, "no_dataset", "no dataset is published yet");
      }
      const { points, ...opts } = req.body as LocateRequest;
      // the batches of one request run at once (on as many connections): the database tests one batch's pairs
      // while Node looks up the next one's candidates
      const batches: Promise<LocatedBatch>[] = [];
      for (let k = 0; k < points.length; k += LOCATE_BATCH)
        batches.push(
          locateRanks(deps.pool, ref, points.slice(k, k + LOCATE_BATCH), { ...opts, indexDir: deps.indexDir }),
        );
      const results = jsonArray(await Promise.all(batches), opts);
      res.set("X-Dataset-Version", String(ref.version));
      res.set("Cache-Control", "no-store");
      // JSON.stringify({ dataset, results }) of the records, written from the located batches
      send(req, res, { text: `{"dataset":${ref.version},"results":${results}}`, type: "application/json", once: true });
    },
  );
}
