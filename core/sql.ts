// SQL lives in .sql files beside the code that runs it; this reads one relative to the caller's module.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cache = new Map<string, string>();

/** `loadSql(import.meta.url, "sql/tile.sql")` → the file's text (cached). */
export function loadSql(moduleUrl: string, relativePath: string): string {
  const path = fileURLToPath(new URL(relativePath, moduleUrl));
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, "utf8");
    cache.set(path, text);
  }
  return text;
}
