// CORS from config: `["*"]` allows any origin; otherwise only the listed origins are echoed back.
import type { RequestHandler } from "express";

/** The response headers a cross-origin page may read (Access-Control-Expose-Headers). */
export const EXPOSED_HEADERS = "ETag, X-Dataset-Version, Retry-After";

/** The CORS headers of a simple (non-preflight) response. */
export function corsHeaders(origins: string[], origin: string | undefined): Record<string, string> {
  const h: Record<string, string> = { "Access-Control-Expose-Headers": EXPOSED_HEADERS };
  if (origins.includes("*")) h["Access-Control-Allow-Origin"] = "*";
  else if (origin && origins.includes(origin)) {
    h["Access-Control-Allow-Origin"] = origin;
    h.Vary = "Origin";
  }
  return h;
}

export function cors(origins: string[]): RequestHandler {
  const any = origins.includes("*");
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get("Origin");
    if (any) res.set("Access-Control-Allow-Origin", "*");
    else if (origin && allowed.has(origin)) {
      res.set("Access-Control-Allow-Origin", origin);
      res.vary("Origin");
    }
    res.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    if (req.method === "OPTIONS") {
      res.set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      res.set("Access-Control-Allow-Headers", req.get("Access-Control-Request-Headers") ?? "Content-Type");
      res.set("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    next();
  };
}
