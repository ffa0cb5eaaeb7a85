// Runs the real helm binary on the chart (the one on PATH, else .tools/bin/helm from `make helm`) and parses
// what it renders the way Kubernetes reads it (YAML 1.1).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { PROJECT_ROOT } from "../../core/paths.ts";

export const CHART_DIR = join(PROJECT_ROOT, "chart");
export const WORKFLOW_FILES = join(CHART_DIR, "files/workflows");

export type Doc = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: any };
};

let helmPath: string | undefined;
/** The helm binary, or an error that says how to get one. */
export function helm(): string {
  if (helmPath) return helmPath;
  const onPath = spawnSync("helm", ["version", "--short"], { encoding: "utf8" });
  const local = join(PROJECT_ROOT, ".tools/bin/helm");
  if (onPath.status === 0) helmPath = "helm";
  else if (existsSync(local)) helmPath = local;
  if (helmPath) return helmPath;
  throw new Error("helm not found on PATH nor in .tools/bin: run `make helm` (or `make init`) to install it");
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function runHelm(args: string[]): HelmResult {
  const r = spawnSync(helm(), args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The chart to render: the repository's chart/, unless the workflow files the workflows stage renders into
 * chart/files/workflows are not there yet — then a temporary copy with freshly rendered ones.
 */
let chartPath: string | undefined;
export async function chart(): Promise<string> {
  if (chartPath) return chartPath;
  const present = existsSync(WORKFLOW_FILES) && readdirSync(WORKFLOW_FILES).some((f) => f.endsWith(".yaml"));
  if (present) {
    chartPath = CHART_DIR;
    return chartPath;
  }
  const copy = mkdtempSync(join(tmpdir(), "cosmo-chart-"));
  cpSync(CHART_DIR, copy, { recursive: true });
  const { writeRendered } = await import("../../workflows/render.ts");
  writeRendered(join(copy, "files/workflows"));
  process.on("exit", () => rmSync(copy, { recursive: true, force: true }));
  chartPath = copy;
  return chartPath;
}

/** Writes values to a temp file (JSON is YAML) and returns helm's args for them. */
function valuesArgs(values: object): { args: string[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "cosmo-values-"));
  const file = join(dir, "values.json");
  writeFileSync(file, JSON.stringify(values));
  return { args: ["-f", file], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function template(values: object = {}, extra: string[] = []): Promise<HelmResult> {
  const v = valuesArgs(values);
  try {
    return runHelm(["template", "rel", await chart(), "--namespace", "cosmo", ...v.args, ...extra]);
  } finally {
    v.cleanup();
  }
}

export async function lint(values: object = {}): Promise<HelmResult> {
  const v = valuesArgs(values);
  try {
    return runHelm(["lint", "--strict", await chart(), "--namespace", "cosmo", ...v.args]);
  } finally {
    v.cleanup();
  }
}

/** Rendered text → documents, read as YAML 1.1 like Kubernetes and Helm do. */
export function parseDocs(text: string): Doc[] {
  return YAML.parseAllDocuments(text, { version: "1.1" })
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS() as Doc | null;
    })
    .filter((d): d is Doc => d !== null);
}

export async function render(values: object = {}): Promise<{ text: string; docs: Doc[] }> {
  const r = await template(values);
  if (!r.ok) throw new Error(`helm template failed: ${r.stderr.trim()}`);
  return { text: r.stdout, docs: parseDocs(r.stdout) };
}

export function helmVersion(): string {
  return execFileSync(helm(), ["version", "--short"], { encoding: "utf8" }).trim();
}
