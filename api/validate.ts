// Request input → 400 with the parameter and the reason: strict decoding of the query string and the path,
// characters no parameter takes, then the zod schemas.
import type { RequestHandler } from "express";
import type { z } from "zod";
import { badParameter } from "../core/serving/http-errors.ts";

const NOT_UTF8 = "is not valid percent-encoded UTF-8";
// C0 and C1 control characters: no parameter takes them, and PostgreSQL refuses NUL in text (it was a 500).
const CONTROL = /\p{Cc}/u;

/** A client-sent name fit for an error message: short, printable. */
function shown(name: string): string {
  return name.replace(/\p{Cc}/gu, "?").slice(0, 40);
}

/** One percent-encoded URL component as text; a bad escape or invalid UTF-8 is the client's error. */
function decodeComponent(raw: string, parameter: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replaceAll("+", " ") : raw);
  } catch {
    throw badParameter(parameter, NOT_UTF8);
  }
}

/**
 * The API's "query parser" (Express setting): `a=1&b=2` with strict UTF-8 — Node's querystring turns invalid
 * bytes into U+FFFD and a bad escape into literal text, so neither could be refused afterwards. A repeated name
 * gives an array (refused by `validate`); `[` in a name is not special (`q[a]` is just an unknown name).
 */
export function parseQuery(text: string | null | undefined): Record<string, string | string[]> {
  const entries = new Map<string, string | string[]>();
  for (const pair of (text ?? "").split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decodeComponent(rawName, shown(rawName) || "query", true);
    const value = decodeComponent(eq < 0 ? "" : pair.slice(eq + 1), shown(name), true);
    const seen = entries.get(name);
    entries.set(name, seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]);
  }
  // fromEntries defines own properties: a `__proto__` name stays an (unknown) parameter, not a prototype.
  return Object.fromEntries(entries);
}

/**
 * Path parameters are decoded by Express before any route code runs, and a bad escape became a bare 400 naming
 * nothing: check the raw path first and name the route's parameter at that position.
 */
export function pathEncodingCheck(routePaths: string[]): RequestHandler {
  const patterns = routePaths.map((p) => p.split("/"));
  return (req, _res, next) => {
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

function checkValue(name: string, value: unknown): void {
  if (Array.isArray(value)) throw badParameter(shown(name), "given more than once");
  if (typeof value === "string" && CONTROL.test(value))
    throw badParameter(shown(name), "must not contain control characters (U+0000–U+001F, U+007F–U+009F)");
}

export function validate<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  for (const [name, value] of Object.entries(input)) checkValue(name, value);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw badParameter("request", "invalid");
  if (issue.code === "unrecognized_keys") throw badParameter(shown(String(issue.keys[0] ?? "?")), "unknown parameter");
  const name = String(issue.path[0] ?? "request");
  if (issue.code === "invalid_type" && input[name] === undefined) throw badParameter(name, "required");
  throw badParameter(name, issue.message);
}
