// Generates the Argo Server API types (workflows/generated/argo-api.ts, git-ignored) from data/argo/swagger.json
// with openapi-typescript 5 (the last major that reads Swagger 2.0). `make init` runs it; tests call it if missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CosmoError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";

export const GENERATED = join(PROJECT_ROOT, "workflows/generated/argo-api.ts");
export const SWAGGER = join(PROJECT_ROOT, "data/argo/swagger.json");

export function ensureGeneratedClient(): string {
  if (existsSync(GENERATED)) return GENERATED;
  if (!existsSync(SWAGGER)) throw new CosmoError(`${SWAGGER} is missing: run \`make init\``);
  const r = spawnSync("npx", ["--no-install", "openapi-typescript", SWAGGER, "--output", GENERATED], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new CosmoError(`openapi-typescript failed: ${r.stderr || r.stdout}`);
  return GENERATED;
}
