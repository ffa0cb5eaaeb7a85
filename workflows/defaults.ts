// The names and defaults `cosmo workflows` shows in its help (the pipeline's name, where rendered YAML goes, the
// image coordinates), kept apart from the templates and the renderer so that the help and the glue steps start
// without loading the Argo/Kubernetes models and the validators (they load when a command needs them).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../core/paths.ts";
import type { RenderOptions } from "./templates/common.ts";

/** The update pipeline's WorkflowTemplate (and its mutex). */
export const PIPELINE = "cosmo-update";

/** Where `cosmo workflows render` writes, and the chart reads, the rendered YAML. */
export const DEFAULT_OUT = join(PROJECT_ROOT, "chart/files/workflows");

export function defaultRenderOptions(): RenderOptions {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  return { registry: "ghcr.io/cosmo-project", tag: pkg.version };
}
