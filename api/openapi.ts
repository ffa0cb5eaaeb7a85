// /openapi.json from the route table's zod schemas (the ones that validate requests).
import { z } from "zod";
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
