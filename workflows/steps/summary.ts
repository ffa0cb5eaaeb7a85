// Stage commands print a JSON summary (`store fetch` on stdout, `import --summary-json`); Argo passes it on
// as a parameter, and the glue steps read it and write single fields as files, which is how Argo reads
// output parameters (`valueFrom.path`).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../core/errors.ts";

/** `zoneCount` → `zone-count` (Argo parameter names are conventionally kebab-case). */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase();
}

/** Finds the summary object: the whole text, else its last line that parses as a JSON object. */
export function parseSummary(text: string, source: string): Record<string, unknown> {
  const candidates = [text.trim(), ...text.trim().split("\n").reverse()];
  for (const c of candidates) {
    try {
      const v = JSON.parse(c);
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not this one
    }
  }
  throw new InputError("no JSON object summary found", { file: source });
}

export function explode(summary: Record<string, unknown>, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [k, v] of Object.entries(summary)) {
    const name = kebab(k);
    writeFileSync(join(dir, name), typeof v === "string" ? v : JSON.stringify(v));
    written.push(name);
  }
  return written;
}
