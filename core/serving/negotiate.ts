import type { IncomingHttpHeaders } from "node:http";
import fresh from "fresh";

// Tiny header parsers for the Express-free fast paths (cache hits), equivalent to what Express does for them.

/** Whether Accept-Encoding allows gzip (gzip or *, with a non-zero q). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const ok = !q || Number(q.slice(2)) > 0;
    if (name === "gzip") return ok;
    if (name === "*") star = ok;
  }
  return star;
}

/**
 * Whether the client's cached copy (If-None-Match) is the representation with this ETag: the `fresh` package,
 * the check behind Express's `req.fresh`, so the Express routes and the fast paths answer 304 alike.
 */
export function notModified(requestHeaders: IncomingHttpHeaders, etag: string): boolean {
  return fresh(requestHeaders, { etag });
}
