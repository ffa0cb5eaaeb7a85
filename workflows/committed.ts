// Is the committed rendered YAML what a fresh render produces? (A hand edit or a forgotten render fails.)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renderToStrings } from "./render.ts";
import type { RenderOptions } from "./templates/common.ts";

/** Names of files that differ, are missing, or are stale. */
export function checkCommitted(dir: string, opts?: RenderOptions): string[] {
  const fresh = renderToStrings(opts);
  const differing: string[] = [];
  for (const [file, text] of fresh) {
    const path = join(dir, file);
    if (!existsSync(path)) differing.push(`${file} missing`);
    else if (readFileSync(path, "utf8") !== text) differing.push(`${file} differs`);
  }
  if (existsSync(dir))
    for (const f of readdirSync(dir)) if (f.endsWith(".yaml") && !fresh.has(f)) differing.push(`${f} stale`);
  return differing;
}
