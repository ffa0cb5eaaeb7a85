// One attempt of a container step: the image entrypoint `cosmo` becomes `node bin/cosmo.js`, the container's
// /work becomes a per-attempt sandbox, artefacts come from / go to the embedded S3 store.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { CosmoError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import { WORK } from "../templates/common.ts";
import type { Phase } from "./expr.ts";
import type { Artifact, Parameter } from "./library.ts";
import type { Outputs } from "./outcome.ts";

/** Argo keeps at most this much of stdout as `outputs.result`. */
const RESULT_LIMIT = 256 * 1024;
/** The container work dir of the rendered templates (workflows/templates/common.ts WORK). */
const CONTAINER_WORK = WORK;

export interface ContainerRun {
  where: string;
  sandbox: string;
  args: string[];
  env: Record<string, string>;
  baseEnv: NodeJS.ProcessEnv;
  cosmoBin: string;
  deadlineSeconds?: number;
  signal: AbortSignal;
  store: ArtefactStore;
  inputArtifacts: { name: string; path: string; url?: string; raw?: string; optional: boolean }[];
  outputParameters: Parameter[];
  outputArtifacts: (Artifact & { url?: string })[];
}

export interface ContainerResult {
  phase: Phase;
  message?: string;
  exitCode?: number;
  outputs: Outputs;
  logFile: string;
}

/** Container paths live under /step (the images' writable work dir); map them into the sandbox. */
export function mapPath(path: string, work: string, where: string): string {
  if (path === CONTAINER_WORK || path.startsWith(`${CONTAINER_WORK}/`))
    return join(work, path.slice(CONTAINER_WORK.length));
  throw new CosmoError(
    `${where}: path ${path} is outside ${CONTAINER_WORK}: the local runner only maps ${CONTAINER_WORK}`,
  );
}

/** In argument and env text, `/step/…` at the start of a value or after `=` names a container path. */
export function mapText(text: string, work: string): string {
  return text.replace(/(^|=)\/step(?=\/|$)/g, (_m, pre: string) => `${pre}${work}`);
}

export async function runContainer(run: ContainerRun): Promise<ContainerResult> {
  const work = join(run.sandbox, "work");
  mkdirSync(work, { recursive: true });
  const logFile = join(run.sandbox, "main.log");
  const outputs: Outputs = { parameters: new Map(), artifacts: new Map() };
  const fail = (phase: Phase, message: string): ContainerResult => ({ phase, message, outputs, logFile });

  // Inputs first: a failing download is an Error (infrastructure), not a Failed step.
  for (const a of run.inputArtifacts) {
    const target = mapPath(a.path, work, `${run.where} artifact ${a.name}`);
    mkdirSync(dirname(target), { recursive: true });
    try {
      if (a.raw !== undefined) writeFileSync(target, a.raw);
      else if (a.url) {
        if (!(await run.store.exists(a.url))) {
          if (a.optional) continue;
          return fail("Error", `input artifact ${a.name}: ${a.url} not found`);
        }
        await pipeline(await run.store.get(a.url), createWriteStream(target));
      }
    } catch (err) {
      return fail("Error", `input artifact ${a.name} (${a.url}): ${(err as Error).message}`);
    }
  }

  const args = run.args.map((a) => mapText(a, work));
  const env = { ...run.baseEnv, ...Object.fromEntries(Object.entries(run.env).map(([k, v]) => [k, mapText(v, work)])) };
  const log = createWriteStream(logFile);
  log.write(`$ cosmo ${args.join(" ")}\n`);
  // The images' working directory is the application folder (relative config paths such as data/… resolve
  // there), so steps run in the project root; only /step is private to the attempt.
  const child = spawn(process.execPath, [run.cosmoBin, ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let lastErrorLine = "";
  child.stdout.on("data", (chunk: Buffer) => {
    if (stdout.length < RESULT_LIMIT) stdout += chunk.toString("utf8");
    log.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    log.write(chunk);
    const lines = chunk
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim());
    const err = lines.reverse().find((l) => l.startsWith("error:"));
    if (err) lastErrorLine = err;
    else if (lines[0] && !lastErrorLine) lastErrorLine = lines[0].slice(0, 200);
  });
  let killedFor: string | undefined;
  const kill = (why: string) => {
    killedFor ??= why;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  };
  const timer =
    run.deadlineSeconds !== undefined
      ? setTimeout(() => kill(`activeDeadlineSeconds ${run.deadlineSeconds}s exceeded`), run.deadlineSeconds * 1000)
      : undefined;
  const onAbort = () => kill(String((run.signal.reason as Error)?.message ?? "aborted"));
  run.signal.addEventListener("abort", onAbort, { once: true });
  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on("error", (error) => resolve({ code: null, error }));
    child.on("close", (code) => resolve({ code }));
  });
  clearTimeout(timer);
  run.signal.removeEventListener("abort", onAbort);
  await new Promise<void>((r) => log.end(r));

  // Argo saves the artefacts that exist even when the main container failed (e.g. a refused gate's report).
  const saved = await saveArtifacts(run, work, outputs, exit.code === 0);
  if (exit.error) return fail("Error", `cannot start cosmo: ${exit.error.message}`);
  if (killedFor) return fail("Failed", killedFor);
  if (exit.code !== 0)
    return {
      ...fail("Failed", `exit code ${exit.code}${lastErrorLine ? `: ${lastErrorLine}` : ""} (log: ${logFile})`),
      exitCode: exit.code ?? undefined,
    };
  if (saved) return fail("Error", saved);

  outputs.result = stdout.trim();
  for (const p of run.outputParameters) {
    if (p.valueFrom?.path) {
      const file = mapPath(p.valueFrom.path, work, `${run.where} output ${p.name}`);
      if (existsSync(file)) outputs.parameters.set(p.name, readFileSync(file, "utf8").trim());
      else if (p.valueFrom.default !== undefined) outputs.parameters.set(p.name, p.valueFrom.default);
      else return fail("Error", `output parameter ${p.name}: ${p.valueFrom.path} was not written`);
    } else if (p.value !== undefined) outputs.parameters.set(p.name, p.value);
    else return fail("Error", `output parameter ${p.name}: no valueFrom.path or value`);
  }
  // Like podGC OnPodSuccess: a succeeded attempt's files (input PBFs can be GBs) go, its log stays; a failed
  // attempt's /step is kept for inspection.
  rmSync(work, { recursive: true, force: true });
  return { phase: "Succeeded", outputs, logFile };
}

/** Uploads output artefacts; returns an error message for a missing mandatory one (after a success only). */
async function saveArtifacts(
  run: ContainerRun,
  work: string,
  outputs: Outputs,
  succeeded: boolean,
): Promise<string | undefined> {
  for (const a of run.outputArtifacts) {
    if (!a.path || !a.url) return `output artifact ${a.name}: needs a path and an s3 key`;
    const file = mapPath(a.path, work, `${run.where} artifact ${a.name}`);
    if (!existsSync(file)) {
      if (a.optional || !succeeded) continue;
      return `output artifact ${a.name}: ${a.path} was not written`;
    }
    const { createReadStream } = await import("node:fs");
    await run.store.put(a.url, createReadStream(file));
    outputs.artifacts.set(a.name, a.url);
  }
  return undefined;
}
