// `cosmo workflows exec --outputs DIR [--json FILE] -- <cosmo args…>`: runs a stage command and turns the
// fields of its JSON summary (stdout, or FILE) into one file per field, which is how Argo reads output
// parameters (`valueFrom.path`). Glue only: the stage command itself is unchanged.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CosmoError, InputError } from "../../core/errors.ts";
import { runCosmo } from "./spawn-cosmo.ts";

/** `zoneCount` → `zone-count` (Argo parameter names are conventionally kebab-case). */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase();
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

export async function execStep(args: string[], opts: { outputs: string; json?: string }): Promise<void> {
  if (args.length === 0) throw new CosmoError("workflows exec: no command after --", { exitCode: 2 });
  mkdirSync(opts.outputs, { recursive: true });
  const run = await runCosmo(args);
  if (run.code !== 0) {
    process.exitCode = run.code;
    return;
  }
  const text = opts.json ? readFileSync(opts.json, "utf8") : run.stdout;
  explode(parseSummary(text, opts.json ?? `stdout of cosmo ${args[0]}`), opts.outputs);
}
