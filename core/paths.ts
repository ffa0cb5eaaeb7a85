// Paths relative to the project root, so commands run from any folder share the same .data/ and data/.
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Resolve a configured path: absolute as-is, relative against the project root. */
export function projectPath(p: string): string {
  return isAbsolute(p) ? p : resolve(PROJECT_ROOT, p);
}
