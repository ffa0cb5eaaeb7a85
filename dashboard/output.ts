// Where dashboard documents and diff reports go: any artefact URL (s3:// through core/storage, local paths
// written atomically), and the public directory nginx serves as /data/ (only through the publish functions).
import { join } from "node:path";
import { isRemote } from "../core/artefact-url.ts";
import { type Config, getConfig } from "../core/config.ts";
import { projectPath } from "../core/paths.ts";
import { putArtefact } from "../core/storage.ts";
import { oldTestResults, toJson } from "./dashboard.ts";
import type { DiffReport } from "./diff-schema.ts";
import type { DashboardReport } from "./report-schema.ts";

/** Write text to a local path (temp name + rename: readers never see half a file) or an s3:// URL. */
export async function writeArtefact(url: string, text: string, config: Config = getConfig()): Promise<string> {
  return putArtefact(url, text, { contentType: "application/json", config });
}

/** A sibling of an artefact URL: `s3://b/x/latest.json` + `test_results.json` → `s3://b/x/test_results.json`. */
export function siblingUrl(url: string, name: string): string {
  const slash = url.lastIndexOf("/");
  return slash < 0 ? name : `${url.slice(0, slash + 1)}${name}`;
}

/** A document under `data.publicDir`: a local directory, or an s3:// prefix (a cluster: the API serves /data/ from it). */
export function publicPath(config: Config, ...parts: string[]): string {
  const dir = config.data.publicDir;
  if (isRemote(dir)) return [dir.replace(/\/+$/, ""), ...parts].join("/");
  return join(projectPath(dir), ...parts);
}

/**
 * What the explorer's Changes tab shows: `<publicDir>/diff/latest.json`. Written only once a publish went through
 * (the report of the gate that let it through): a `cosmo diff`, a gate or a refused publish never change what the
 * public sees.
 */
export async function publishDiffReport(
  report: DiffReport,
  opts: { config?: Config; dir?: string } = {},
): Promise<string> {
  const config = opts.config ?? getConfig();
  const dir = (opts.dir ?? publicPath(config)).replace(/\/+$/, "");
  return writeArtefact(`${dir}/diff/latest.json`, `${JSON.stringify(report, null, 2)}\n`, config);
}

/**
 * A dashboard document as the explorer reads it: `<dir>/dashboard/latest.json`, `<dir>/dashboard/test_results.json`
 * and `<dir>/test_results.json` (the URL the old dashboard fetched). `dir` defaults to `data.publicDir`.
 */
export async function publishDashboard(
  report: DashboardReport,
  opts: { config?: Config; dir?: string } = {},
): Promise<string[]> {
  const config = opts.config ?? getConfig();
  const dir = (opts.dir ?? publicPath(config)).replace(/\/+$/, "");
  const doc = toJson(report);
  const old = toJson(oldTestResults(report));
  return [
    await writeArtefact(`${dir}/dashboard/latest.json`, doc, config),
    await writeArtefact(`${dir}/dashboard/test_results.json`, old, config),
    await writeArtefact(`${dir}/test_results.json`, old, config),
  ];
}
