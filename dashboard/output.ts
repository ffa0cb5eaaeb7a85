// Where dashboard documents and diff reports go: any artefact URL (s3:// through core/storage, local paths
// written atomically), the public directory nginx serves as /data/, and "next to the dataset" in the store.
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Config, getConfig } from "../core/config.ts";
import { projectPath } from "../core/paths.ts";
import { isRemote, openStore, parseArtefactUrl } from "../core/storage.ts";
import { oldTestResults, toJson } from "./dashboard.ts";
import type { DatasetInfo, DiffReport } from "./diff-schema.ts";
import type { DashboardReport } from "./report-schema.ts";

/** Write text to a local path (temp name + rename: readers never see half a file) or an s3:// URL. */
export async function writeArtefact(url: string, text: string, config: Config = getConfig()): Promise<string> {
  if (isRemote(url)) {
    const store = await openStore(config);
    await store.put(url, text, { contentType: "application/json" });
    return url;
  }
  const loc = parseArtefactUrl(url);
  if (loc.kind !== "file") throw new Error(`unexpected artefact URL ${url}`);
  await mkdir(dirname(loc.path), { recursive: true });
  const tmp = `${loc.path}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, loc.path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return loc.path;
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

function tag(info: DatasetInfo): string {
  if (info.kind === "version") return `v${info.version}`;
  if (info.kind === "none") return "none";
  const base = info.source.split("/").pop() ?? "file";
  return base.replace(/\.(jsonl?)(\.gz)?$/, "");
}

/**
 * Where a diff report lives next to its new dataset: `<dir of the dataset's source>/diff/<old>--<new>.json`.
 * Null when the new side has no source (nothing to be next to).
 */
export function diffReportUrl(report: DiffReport): string | null {
  if (!report.new.source) return null;
  return siblingUrl(report.new.source, `diff/${tag(report.old)}--${tag(report.new)}.json`);
}

/** Store a diff report next to its dataset and as `<publicDir>/diff/latest.json`; returns where it went. */
export async function writeDiffReport(
  report: DiffReport,
  opts: { config?: Config; store?: boolean; publish?: boolean } = {},
): Promise<string[]> {
  const config = opts.config ?? getConfig();
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const written: string[] = [];
  const nextTo = diffReportUrl(report);
  if (opts.store !== false && nextTo) written.push(await writeArtefact(nextTo, text, config));
  if (opts.publish !== false)
    written.push(await writeArtefact(publicPath(config, "diff", "latest.json"), text, config));
  return written;
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
