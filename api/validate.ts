// zod → 400 with the parameter and the reason.
import type { z } from "zod";
import { badParameter } from "./kit/http-errors.ts";

export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw badParameter("request", "invalid");
  if (issue.code === "unrecognized_keys") {
    const key = String(issue.keys[0] ?? "?").slice(0, 40);
    throw badParameter(key, "unknown parameter");
  }
  throw badParameter(String(issue.path[0] ?? "request"), issue.message);
}
