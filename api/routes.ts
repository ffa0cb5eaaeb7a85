// Route table of the API: paths, schemas and handlers in one place, so routing, validation and
// /openapi.json cannot drift apart.
import type { Request, Response } from "express";
import type { z } from "zod";
import { HttpError } from "../core/serving/http-errors.ts";
import type { ServedRef } from "../core/serving/served-dataset.ts";
import type { ZoneQueries } from "./queries.ts";
import * as S from "./schemas.ts";
import type { ApiSettings } from "./settings.ts";
import {
  COMPAT_SHAPE,
  compatZonesText,
  compatZoneText,
  featureText,
  statsJson,
  type ZoneShape,
  zoneShape,
  zonesText,
  zoneText,
} from "./views.ts";

export interface RouteContext {
  req: Request;
  res: Response;
  /** The version resolved once for this request (non-null when `dataset` is true). */
  ref: ServedRef;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
}

export interface RouteSpec {
  /** Express path (`:id`); OpenAPI paths are derived from it. */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType;
  query: z.ZodType;
  response?: z.ZodType;
  responseType?: string;
  /** Answer in the served dataset's schema (503 when none). */
  dataset: boolean;
  handler(ctx: RouteContext): Promise<unknown>;
}

function notFound(id: unknown): HttpError {
  return new HttpError(404, "not_found", `no zone with id ${String(id)}`, { id });
}

function datasetGone(version: number, status: string | null): HttpError {
  const why = status === null ? "does not exist" : `is not loaded (status ${status})`;
  return new HttpError(
    404,
    "dataset_not_found",
    `dataset version ${version} ${why}; only loaded versions can be read (see /datasets)`,
    { parameter: "dataset", dataset: version },
  );
}

/** A version loaded by a cosmo older than the names table (the only relation search reads and others do not). */
function searchNamesMissing(version: number): HttpError {
  return new HttpError(
    503,
    "no_search_names",
    `dataset version ${version} was imported by an older cosmo, without this cosmo's search names: publish it again (cosmo publish ${version}, which builds them) or import its file again to search it by name`,
    { dataset: version },
  );
}

function isMissingSchema(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "3F000" || code === "42P01";
}

export function routeTable(queries: ZoneQueries, settings: ApiSettings): RouteSpec[] {
  /** `dataset=N`: that version's schema when it is still loaded (the served one needs no lookup). */
  const pinnedVersion = async (ref: ServedRef, version: number | undefined): Promise<ServedRef> => {
    if (version === undefined || version === ref.version) return ref;
    const d = await queries.dataset(version);
    if (!d?.readable) throw datasetGone(version, d?.status ?? null);
    return d.ref;
  };
  const withChildren = async (ref: ServedRef, id: number, shape: ZoneShape) =>
    (await queries.zoneAndChildren(ref, id, shape)) ?? Promise.reject(notFound(id));
  const withParents = async (ref: ServedRef, id: number, shape: ZoneShape) =>
    (await queries.zoneAndParents(ref, id, shape)) ?? Promise.reject(notFound(id));
  return [
    {
      path: "/zones",
      summary: "Search zones by name (any language), type, country and/or bbox",
      tag: "zones",
      query: S.searchQuery(settings),
      response: S.ZoneListResponse,
      dataset: true,
      async handler({ ref, query }) {
        const shape = zoneShape(query);
        const rows = await queries.search(ref, query as never, shape).catch((err: unknown) => {
          // A missing search function (42883) too: the version's search structures are an older cosmo's.
          const missing = isMissingSchema(err) || (err as { code?: string }).code === "42883";
          throw missing && /zone_names/.test(String(err)) ? searchNamesMissing(ref.version) : err;
        });
        return new RawJson(`{"dataset":${ref.version},"zones":${zonesText(rows, shape)}}`);
      },
    },
    {
      path: "/zones/at",
      summary: "Every zone containing a point, smallest type first",
      tag: "zones",
      query: S.AtQuery,
      response: S.ZoneListResponse,
      dataset: true,
      async handler({ ref, query }) {
        const shape = zoneShape(query);
        const rows = await queries.at(ref, query.lon as number, query.lat as number, shape);
        return new RawJson(`{"dataset":${ref.version},"zones":${zonesText(rows, shape)}}`);
      },
    },
    {
      path: "/zones/:id",
      summary: "A zone and its direct children (old field names and types kept, new fields added)",
      tag: "zones",
      params: S.ZoneIdParams,
      query: S.ZoneQuery,
      response: S.ZoneResponse,
      dataset: true,
      async handler({ ref, params, query }) {
        const id = params.id as number;
        const shape = zoneShape(query);
        const { zone, children } = await withChildren(ref, id, shape);
        return new RawJson(
          `{"zone":${zoneText(zone, shape)},"children":${zonesText(children, shape)},"dataset":${ref.version}}`,
        );
      },
    },
    {
      path: "/zones/:id/parents",
      summary: "A zone and its parents, immediate parent first, up to the root",
      tag: "zones",
      params: S.ZoneIdParams,
      query: S.ZoneQuery,
      response: S.ParentsResponse,
      dataset: true,
      async handler({ ref, params, query }) {
        const id = params.id as number;
        const shape = zoneShape(query);
        const { zone, parents } = await withParents(ref, id, shape);
        return new RawJson(
          `{"zone":${zoneText(zone, shape)},"parents":${zonesText(parents, shape)},"dataset":${ref.version}}`,
        );
      },
    },
    {
      path: "/zones/:id/geometry",
      summary: "A zone's boundary as a GeoJSON Feature (WGS84), optionally simplified",
      tag: "zones",
      params: S.ZoneIdParams,
      query: S.GeometryQuery,
      response: S.GeometryResponse,
      responseType: "application/geo+json",
      dataset: true,
      async handler({ ref, res, params, query }) {
        const at = await pinnedVersion(ref, query.dataset as number | undefined);
        let g: Awaited<ReturnType<ZoneQueries["geometry"]>>;
        try {
          g = await queries.geometry(at, params.id as number, (query.simplify as number | undefined) ?? 0);
        } catch (err) {
          // Pruned between the lookup and the query (an import retiring it right now).
          if (at !== ref && isMissingSchema(err)) throw datasetGone(at.version, "retired");
          throw err;
        }
        if (!g) throw notFound(params.id);
        res.locals.answeredVersion = at.version;
        return new RawJson(featureText(g, at.version));
      },
    },
    {
      path: "/stats",
      summary: "Zone counts by type, admin level and country for the served dataset",
      tag: "datasets",
      query: S.EmptyQuery,
      response: S.StatsResponse,
      dataset: true,
      async handler({ ref }) {
        return statsJson(ref.version, await queries.stats(ref));
      },
    },
    {
      path: "/compat/zones/:id",
      summary: "Old cosmogony_explorer shape: {zone (with bbox), children}, old fields only",
      tag: "compat",
      params: S.ZoneIdParams,
      query: S.CompatZoneQuery,
      response: S.CompatZoneResponse,
      dataset: true,
      async handler({ ref, params }) {
        const id = params.id as number;
        const { zone, children } = await withChildren(ref, id, COMPAT_SHAPE);
        return new RawJson(`{"zone":${compatZoneText(zone, true)},"children":${compatZonesText(children)}}`);
      },
    },
    {
      path: "/compat/zones/:id/parents",
      summary: "Old cosmogony_explorer shape: {zone (with bbox), parents}, old fields only",
      tag: "compat",
      params: S.ZoneIdParams,
      query: S.CompatZoneQuery,
      response: S.CompatParentsResponse,
      dataset: true,
      async handler({ ref, params }) {
        const id = params.id as number;
        const { zone, parents } = await withParents(ref, id, COMPAT_SHAPE);
        return new RawJson(`{"zone":${compatZoneText(zone, true)},"parents":${compatZonesText(parents)}}`);
      },
    },
    {
      path: "/datasets",
      summary: "Dataset versions (newest first) and which one is served",
      tag: "datasets",
      query: S.EmptyQuery,
      response: S.DatasetsResponse,
      dataset: false,
      async handler() {
        const rows = await queries.datasets();
        return {
          served: rows.find((r) => r.served)?.version ?? null,
          datasets: rows.map((r) => ({
            ...r,
            // A local path names a machine's folders and users, forced_by a person: public only when configured.
            source: settings.showDatasetOrigin ? r.source : null,
            forced_by: settings.showDatasetOrigin ? r.forced_by : null,
            created_at: r.created_at ? new Date(r.created_at).toISOString() : null,
            published_at: r.published_at ? new Date(r.published_at).toISOString() : null,
          })),
        };
      },
    },
  ];
}

/**
 * A body already serialised as JSON text: the zone routes write theirs themselves (views.ts), splicing the GeoJSON
 * PostgreSQL wrote.
 */
export class RawJson {
  constructor(readonly text: string) {}
}
