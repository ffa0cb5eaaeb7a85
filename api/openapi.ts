// /openapi.json from the route table's zod schemas (the ones that validate requests).
import { z } from "zod";
import { ZONE_TYPES } from "../core/cosmogony/model.ts";
import { LOCATE_MAX_BODY_BYTES, LOCATE_MAX_POINTS, LOCATE_PATH } from "./locate/http.ts";
import type { RouteSpec } from "./routes.ts";
import { ErrorResponse } from "./schemas.ts";

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema) return [];
  const js = jsonSchema(schema, "input") as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === "path" || (js.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const errorContent = (description: string) => ({
  description,
  content: { "application/json": { schema: jsonSchema(ErrorResponse, "output") } },
});

export function openApiDocument(routes: RouteSpec[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    paths[path] = {
      get: {
        summary: r.summary,
        tags: [r.tag],
        operationId: `get${path
          .replace(/[{}]/g, "")
          .replace(/(^|\/)(\w)/g, (_m, _s, c: string) => c.toUpperCase())
          .replace(/\W/g, "")}`,
        parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
        responses: {
          "200": {
            description: "OK",
            content: {
              [r.responseType ?? "application/json"]: r.response ? { schema: jsonSchema(r.response, "output") } : {},
            },
          },
          "400": errorContent("Invalid parameter (names the parameter and the reason) or a limit exceeded"),
          ...(r.params ? { "404": errorContent("Unknown id") } : {}),
          "503": errorContent("Busy (see Retry-After) or no dataset published"),
        },
      },
    };
  }
  paths[LOCATE_PATH] = { post: locateOperation() };
  paths["/healthz"] = { get: { summary: "Process is up", tags: ["ops"], responses: { "200": { description: "OK" } } } };
  paths["/readyz"] = {
    get: {
      summary: "Database reachable and a dataset published",
      tags: ["ops"],
      responses: { "200": { description: "Ready" }, "503": errorContent("Not ready") },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "cosmo zones API",
      version: info.version,
      description:
        "Administrative zones (cosmogony model) of the served dataset. Behind the explorer's nginx it is mounted under /api/.",
    },
    paths,
  };
}

/** POST /zones/locate (api/locate/http.ts checks the body by hand: its limits are that module's constants). */
function locateOperation(): Record<string, unknown> {
  const point = {
    type: "object",
    required: ["id", "lon", "lat"],
    properties: {
      id: { type: ["string", "number"], description: "returned as a string" },
      lon: { type: "number", minimum: -180, maximum: 180 },
      lat: { type: "number", minimum: -90, maximum: 90 },
    },
  };
  const zoneIds = {
    type: "object",
    description: "per zone type, the id of the smallest zone of that type covering the point, or null",
    properties: Object.fromEntries(ZONE_TYPES.map((t) => [t, { type: ["integer", "null"] }])),
  };
  return {
    summary: `Zones of up to ${LOCATE_MAX_POINTS} points (the zones /zones/at gives for each)`,
    tags: ["zones"],
    operationId: "postZonesLocate",
    requestBody: {
      required: true,
      description: `JSON, at most ${LOCATE_MAX_BODY_BYTES} bytes`,
      content: {
        "application/json": {
          schema: {
            type: "object",
            required: ["points"],
            additionalProperties: false,
            properties: {
              points: { type: "array", maxItems: LOCATE_MAX_POINTS, items: point },
              hierarchy: { type: "boolean", description: "every covering zone with names instead of ids per type" },
              lang: { type: "string", description: "names in this language (with hierarchy only)" },
            },
          },
        },
      },
    },
    responses: {
      "200": {
        description: "Every point located, in the order sent",
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: {
                dataset: { type: "integer" },
                results: {
                  type: "array",
                  items: {
                    ...point,
                    properties: {
                      ...point.properties,
                      id: { type: "string" },
                      zones: zoneIds,
                      hierarchy: { type: "array", items: { type: "object" } },
                    },
                  },
                },
              },
            },
          },
        },
      },
      "400": errorContent("Invalid body or points (every bad point by index, the first 100)"),
      "413": errorContent(`More than ${LOCATE_MAX_POINTS} points or a body over ${LOCATE_MAX_BODY_BYTES} bytes`),
      "503": errorContent("Busy (see Retry-After) or no dataset published"),
    },
  };
}
