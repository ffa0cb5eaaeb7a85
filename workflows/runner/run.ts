// Executes rendered WorkflowTemplates on this machine with Argo's semantics (see docs/workflows.md for the
// list): DAG ordering, when/depends, fan-out, retries with backoff, deadlines, artefacts in the embedded S3,
// output parameters from files and stdout, and the exit handler with {{workflow.status}}.
//
// The pipeline of a run: the workflow's parameters become its scope; its deadline is armed; the entrypoint
// template runs (a DAG: dag.ts schedules its tasks, task.ts runs each one; a container: retry.ts repeats its
// attempts, container.ts runs one); then the exit handler runs with the workflow's status.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CosmoError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import type { RenderedDoc } from "../render.ts";
import { runContainer } from "./container.ts";
import { runDag } from "./dag.ts";
import { abortMessage, armWorkflowDeadline, templateDeadlineSeconds } from "./deadline.ts";
import type { Phase } from "./expr.ts";
import { type Artifact, Library, type Located, type Parameter } from "./library.ts";
import { memoHit, memoOf, memoSave } from "./memo.ts";
import { acquireMutexes } from "./mutex.ts";
import { type NodeStatus, type OnNodeChange, RunNodes } from "./nodes.ts";
import { emptyOutputs, type Outcome } from "./outcome.ts";
import { retryPlan, withRetries } from "./retry.ts";
import { Semaphore } from "./semaphore.ts";
import { extend, type Scope, substitute, substituteDeep } from "./tags.ts";
import { type RunTemplate, runTask, type TaskRun } from "./task.ts";

export interface RunLocalOptions {
  docs: RenderedDoc[];
  workflowTemplate: string;
  entrypoint?: string;
  params?: Record<string, string>;
  /** The local stand-in for the default artifact repository. */
  store: ArtefactStore;
  artifactBucket?: string;
  /** Environment of every step (database and storage settings). */
  env?: NodeJS.ProcessEnv;
  runDir?: string;
  /** How many container steps run at once (Argo's semaphores are cluster behaviour). */
  parallelism?: number;
  /** Caps every retry backoff (tests, demos); reported when it shortens a wait. */
  maxBackoffSeconds?: number;
  cosmoBin?: string;
  workflowName?: string;
  onChange?: OnNodeChange;
  onNote?: (line: string) => void;
  /** Where the workflow's synchronization mutexes are held (default .data/workflows/locks). */
  lockDir?: string;
}

export interface RunResult {
  name: string;
  phase: "Succeeded" | "Failed" | "Error";
  message?: string;
  nodes: NodeStatus[];
  notes: string[];
  exitHandlerPhase?: Phase;
  runDir: string;
}

export async function runLocal(opts: RunLocalOptions): Promise<RunResult> {
  const lib = new Library(opts.docs);
  const spec = lib.workflowTemplate(opts.workflowTemplate);
  const entry = opts.entrypoint ?? spec.entrypoint;
  if (!entry)
    throw new CosmoError(`WorkflowTemplate ${opts.workflowTemplate} has no entrypoint: pass --entrypoint`, {
      exitCode: 2,
    });
  lib.check(opts.workflowTemplate, entry, spec.onExit);
  const workflowName = opts.workflowName ?? `${opts.workflowTemplate}-${randomBytes(3).toString("hex")}`;
  // A second run of a pipeline holding a mutex is refused before it creates or starts anything.
  const release = acquireMutexes(
    (spec.synchronization?.mutexes ?? []).map((m) => m.name),
    opts.lockDir ?? join(PROJECT_ROOT, ".data/workflows/locks"),
    workflowName,
  );
  try {
    return await new Run(lib, { ...opts, workflowName }).execute(entry);
  } finally {
    release();
  }
}

class Run {
  readonly name: string;
  readonly nodes: RunNodes;
  readonly runDir: string;
  private readonly containers: Semaphore;
  private readonly workflowScope: Scope;
  private readonly bucket: string;
  /** What a DAG's tasks need from the run (task.ts). */
  private readonly taskRun: TaskRun;
  /** Fired by the workflow's deadline: running containers are killed, nothing new starts. */
  private readonly abort = new AbortController();

  constructor(
    private readonly lib: Library,
    private readonly opts: RunLocalOptions,
  ) {
    this.name = opts.workflowName ?? `${opts.workflowTemplate}-${randomBytes(3).toString("hex")}`;
    this.nodes = new RunNodes(this.name, opts.onChange);
    this.runDir = opts.runDir ?? join(PROJECT_ROOT, ".data/workflows/runs", this.name);
    mkdirSync(this.runDir, { recursive: true });
    this.containers = new Semaphore(
      Math.max(1, opts.parallelism ?? lib.workflowTemplate(opts.workflowTemplate).parallelism ?? 2),
    );
    this.bucket = opts.artifactBucket ?? opts.store.defaultBucket;
    this.workflowScope = workflowScope(lib, opts, this.name);
    this.taskRun = {
      lib,
      nodes: this.nodes,
      workflowScope: this.workflowScope,
      runTemplate: this.execTemplate,
    };
  }

  async execute(entry: string): Promise<RunResult> {
    const spec = this.lib.workflowTemplate(this.opts.workflowTemplate);
    for (const line of this.lib.noteLines()) this.opts.onNote?.(line);
    if (this.opts.maxBackoffSeconds !== undefined)
      this.opts.onNote?.(`retry backoffs capped at ${this.opts.maxBackoffSeconds}s (--max-backoff)`);

    const disarmDeadline = armWorkflowDeadline(spec.activeDeadlineSeconds, this.abort);
    let main: Outcome;
    try {
      main = await this.execTemplate(
        this.lib.resolve(this.opts.workflowTemplate, { name: entry, template: entry }),
        new Map(),
        new Map(),
        entry,
        0,
        this.workflowScope,
      );
    } finally {
      disarmDeadline();
    }
    let phase: RunResult["phase"] =
      main.phase === "Succeeded" ? "Succeeded" : main.phase === "Error" ? "Error" : "Failed";
    let message = main.message;
    if (this.abort.signal.aborted) message = abortMessage(this.abort.signal);

    let exitHandlerPhase: Phase | undefined;
    if (spec.onExit) {
      const exit = await this.execExitHandler(spec.onExit, phase);
      exitHandlerPhase = exit.phase;
      // Argo marks the workflow failed when its exit handler fails.
      if (exit.phase !== "Succeeded" && phase === "Succeeded") {
        phase = "Failed";
        message = `exit handler ${exit.phase}: ${exit.message ?? ""}`;
      }
    }
    return {
      name: this.name,
      phase,
      message,
      nodes: this.nodes.all,
      notes: this.lib.noteLines(),
      exitHandlerPhase,
      runDir: this.runDir,
    };
  }

  /** The onExit template, with `workflow.status` and `workflow.failures` (the failed container steps). */
  private execExitHandler(onExit: string, status: RunResult["phase"]): Promise<Outcome> {
    const failures = this.nodes.all
      .filter((n) => n.kind === "Container" && (n.phase === "Failed" || n.phase === "Error"))
      .map((n) => ({ displayName: n.name, message: n.message ?? "", templateName: n.template, phase: n.phase }));
    const scope = extend(this.workflowScope, [
      ["workflow.status", status],
      ["workflow.failures", JSON.stringify(failures)],
    ]);
    return this.execTemplate(
      this.lib.resolve(this.opts.workflowTemplate, { name: "onExit", template: onExit }),
      new Map(),
      new Map(),
      `${this.name}.onExit`,
      0,
      scope,
    );
  }

  /** One template as node `name`: a DAG or a container step; an error of the template is its Error phase. */
  private readonly execTemplate: RunTemplate = async (loc, args, artifactArgs, name, depth, base) => {
    const node = this.nodes.add({
      name,
      template: `${loc.owner}/${loc.template.name}`,
      kind: loc.template.dag ? "DAG" : "Container",
      phase: "Running",
      startedAt: Date.now(),
      depth,
    });
    let outcome: Outcome;
    try {
      const scope = inputScope(loc, args, name, base);
      outcome = loc.template.dag
        ? await this.execDag(loc, scope, name, depth)
        : await this.execContainer(loc, scope, artifactArgs, node);
    } catch (err) {
      outcome = { phase: "Error", message: (err as Error).message, outputs: emptyOutputs() };
    }
    this.nodes.finish(node, outcome);
    return outcome;
  };

  private execDag(loc: Located, scope: Scope, name: string, depth: number): Promise<Outcome> {
    return runDag(loc, scope, name, depth, {
      nodes: this.nodes,
      signal: this.abort.signal,
      runTask: (task, ...where) => runTask(this.taskRun, loc, task, ...where),
    });
  }

  /**
   * A container step: the outcome memoized under its key if there is one; else its attempts as its
   * retryStrategy allows, each holding one of the run's slots (a success is memoized).
   */
  private async execContainer(
    loc: Located,
    scope: Scope,
    artifactArgs: Map<string, string>,
    node: NodeStatus,
  ): Promise<Outcome> {
    const memo = memoOf(loc.template, scope, node.template, this.bucket);
    if (memo) {
      const hit = await memoHit(this.opts.store, memo);
      if (hit) return hit;
    }
    const outcome = await this.execAttempts(loc, scope, artifactArgs, node);
    if (memo && outcome.phase === "Succeeded") await memoSave(this.opts.store, memo, node.id, outcome);
    return outcome;
  }

  private execAttempts(
    loc: Located,
    scope: Scope,
    artifactArgs: Map<string, string>,
    node: NodeStatus,
  ): Promise<Outcome> {
    const plan = retryPlan(loc.template, scope, node.template);
    const retrying = {
      node,
      nodes: this.nodes,
      signal: this.abort.signal,
      maxBackoffSeconds: this.opts.maxBackoffSeconds,
    };
    return withRetries(plan, retrying, async (attempt) => {
      const release = await this.containers.acquire();
      try {
        return await this.execAttempt(loc, extend(scope, [["retries", String(attempt)]]), artifactArgs, node, attempt);
      } finally {
        release();
      }
    });
  }

  /** One attempt of a container step, in its own sandbox under the run's folder. */
  private async execAttempt(
    loc: Located,
    scope: Scope,
    artifactArgs: Map<string, string>,
    node: NodeStatus,
    attempt: number,
  ): Promise<Outcome> {
    const t = loc.template;
    const where = node.template;
    const c = t.container!;
    const sandbox = join(
      this.runDir,
      `${node.id.slice(this.name.length + 1)}-${safe(node.name)}`,
      `attempt-${attempt}`,
    );
    const inputs = (t.inputs?.artifacts ?? []).map((a) => this.resolveArtifact(a, scope, artifactArgs, where));
    const outputs = substituteDeep(t.outputs ?? {}, scope, `${where}.outputs`);
    const result = await runContainer({
      where,
      sandbox,
      args: substituteDeep(c.args ?? [], scope, `${where}.container.args`),
      env: Object.fromEntries(
        (c.env ?? [])
          .filter((e) => e.value !== undefined)
          .map((e) => [e.name, substitute(e.value!, scope, `${where}.env.${e.name}`)]),
      ),
      baseEnv: this.opts.env ?? process.env,
      cosmoBin: this.opts.cosmoBin ?? join(PROJECT_ROOT, "bin/cosmo.js"),
      deadlineSeconds: templateDeadlineSeconds(t, scope, where),
      signal: this.abort.signal,
      store: this.opts.store,
      inputArtifacts: inputs,
      outputParameters: (outputs.parameters ?? []) as Parameter[],
      outputArtifacts: ((outputs.artifacts ?? []) as Artifact[]).map((a) => ({
        ...a,
        url: a.s3?.key ? `s3://${a.s3.bucket ?? this.bucket}/${a.s3.key}` : undefined,
      })),
    });
    node.logFile = result.logFile;
    return { phase: result.phase, message: result.message, outputs: result.outputs, exitCode: result.exitCode };
  }

  private resolveArtifact(
    a: Artifact,
    scope: Scope,
    artifactArgs: Map<string, string>,
    where: string,
  ): { name: string; path: string; url?: string; raw?: string; optional: boolean } {
    if (!a.path) throw new CosmoError(`${where}: input artifact ${a.name} has no path`);
    const url =
      artifactArgs.get(a.name) ??
      (a.s3?.key
        ? `s3://${a.s3.bucket ?? this.bucket}/${substitute(a.s3.key, scope, `${where} artifact ${a.name}`)}`
        : undefined);
    if (!url && a.raw === undefined && !a.optional)
      throw new CosmoError(`${where}: input artifact ${a.name} has no location and no argument`);
    return { name: a.name, path: a.path, url, raw: a.raw?.data, optional: !!a.optional };
  }
}

/** `workflow.name|namespace|uid` and the workflow's parameters (`--param` over the declared values). */
function workflowScope(lib: Library, opts: RunLocalOptions, name: string): Scope {
  const spec = lib.workflowTemplate(opts.workflowTemplate);
  const declared = new Map((spec.arguments?.parameters ?? []).map((p) => [p.name, p.value ?? p.default]));
  for (const k of Object.keys(opts.params ?? {})) {
    if (!declared.has(k))
      throw new CosmoError(
        `--param ${k}: WorkflowTemplate ${opts.workflowTemplate} has no parameter ${k} (has: ${[...declared.keys()].join(", ")})`,
        { exitCode: 2 },
      );
  }
  const scope: Scope = new Map([
    ["workflow.name", name],
    ["workflow.namespace", "local"],
    ["workflow.uid", randomBytes(8).toString("hex")],
  ]);
  for (const [k, v] of declared) {
    const value = opts.params?.[k] ?? v;
    if (value === undefined)
      throw new CosmoError(`workflow parameter ${k} has no value: pass --param ${k}=…`, { exitCode: 2 });
    scope.set(`workflow.parameters.${k}`, value);
  }
  return scope;
}

/** Input resolution: argument → default → value; a missing one is an error of the step. */
function inputScope(loc: Located, args: Map<string, string>, where: string, base: Scope): Scope {
  const entries: [string, string][] = [];
  for (const p of loc.template.inputs?.parameters ?? []) {
    const v = args.get(p.name) ?? p.default ?? p.value;
    if (v === undefined)
      throw new CosmoError(`${where}: input parameter ${p.name} of ${loc.owner}/${loc.template.name} not supplied`);
    entries.push([`inputs.parameters.${p.name}`, v]);
  }
  for (const a of loc.template.inputs?.artifacts ?? [])
    if (a.path) entries.push([`inputs.artifacts.${a.name}.path`, a.path]);
  return extend(base, entries);
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(-80);
}
