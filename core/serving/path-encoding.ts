// A bad percent-escape in a path parameter, refused before Express decodes it, naming the parameter: the same for
// every service (the API's routes, the tile coordinates).
import type { RequestHandler } from "express";
import { badParameter } from "./http-errors.ts";

/** The reason given for a URL component (path segment or query parameter) that does not decode. */
export const NOT_UTF8 = "is not valid percent-encoded UTF-8";

/**
 * Path parameters are decoded by Express before any route code runs, and a bad escape became a bare 400 naming
 * nothing: check the raw path first and name the route's parameter at that position.
 */
export function pathEncodingCheck(routePaths: string[]): RequestHandler {
  const patterns = routePaths.map((p) => p.split("/"));
  return (req, _res, next) => {
    // Most requests have no escape at all: no need to split their path.
    if (!req.url.includes("%")) return next();
    const segments = req.path.split("/");
    segments.forEach((segment, i) => {
      if (!segment.includes("%")) return;
      try {
        decodeURIComponent(segment);
      } catch {
        const route = patterns.find(
          (p) => p.length === segments.length && p.every((s, j) => s.startsWith(":") || s === segments[j]),
        );
        const name = route?.[i]?.startsWith(":") ? route[i].slice(1) : "path";
        throw badParameter(name, NOT_UTF8);
      }
    });
    next();
  };
}
