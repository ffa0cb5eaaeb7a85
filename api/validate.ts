// Request input → 400 with the parameter and the reason: strict decoding of the query string (the path's is
// core/serving/path-encoding.ts, shared with tiles/), characters no parameter takes, then the zod schemas.
import type { z } from "zod";
import { badParameter } from "../core/serving/http-errors.ts";
import { NOT_UTF8 } from "../core/serving/path-encoding.ts";

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
