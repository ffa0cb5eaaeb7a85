// Executes rendered WorkflowTemplates on this machine with Argo's semantics (see docs/workflows.md for the
// list): DAG ordering, when/depends, fan-out, retries with backoff, deadlines, artefacts in the embedded S3,
// output parameters from files and stdout, and the exit handler with {{workflow.status}}.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CosmoError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import type { RenderedDoc } from "../render.ts";
import { type ContainerResult, runContainer } from "./container.ts";
import { parseDurationSeconds } from "./duration.ts";
import {
  type DependencyState,
  dependsNames,
  evaluateDepends,
  evaluateWhen,
  handledFailures,
  type Phase,
  satisfiedBare,
} from "./expr.ts";
import { type Artifact, Library, type Located, type Parameter, type Task, type Template } from "./library.ts";
import { extend, itemScope, type Scope, substitute, substituteDeep } from "./tags.ts";

export interface NodeStatus {
  id: string;
  /** Display path, e.g. `update/regions(0:luxembourg)/fetch`. */
  name: string;
  template: string;
  kind: "DAG" | "Container" | "TaskGroup";
  phase: Phase;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
  attempt?: number;
  attempts?: number;
  depth: number;
  logFile?: string;
  /** Output parameters (and `result`) once the node finished: for tests and the run summary. */
  outputs?: Record<string, string>;
}

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
  onChange?: (node: NodeStatus, all: readonly NodeStatus[]) => void;
  onNote?: (line: string) => void;
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

export interface Outputs {
  parameters: Map<string, string>;
  result?: string;
  artifacts: Map<string, string>;
}
interface Outcome {
  phase: Phase;
  message?: string;
  outputs: Outputs;
}
const emptyOutputs = (): Outputs => ({ parameters: new Map(), artifacts: new Map() });

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
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
  const run = new Run(lib, opts);
  return run.execute(entry);
}

class Run {
  readonly name: string;
  readonly nodes: NodeStatus[] = [];
  readonly runDir: string;
  private readonly containers: Semaphore;
  private readonly workflowScope: Scope;
  private readonly bucket: string;
  private readonly abort = new AbortController();
  private counter = 0;

  constructor(
    private readonly lib: Library,
    private readonly opts: RunLocalOptions,
  ) {
    this.name = opts.workflowName ?? `${opts.workflowTemplate}-${randomBytes(3).toString("hex")}`;
    this.runDir = opts.runDir ?? join(PROJECT_ROOT, ".data/workflows/runs", this.name);
    mkdirSync(this.runDir, { recursive: true });
    this.containers = new Semaphore(
      Math.max(1, opts.parallelism ?? lib.workflowTemplate(opts.workflowTemplate).parallelism ?? 2),
    );
    this.bucket = opts.artifactBucket ?? opts.store.defaultBucket;
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
      ["workflow.name", this.name],
      ["workflow.namespace", "local"],
      ["workflow.uid", randomBytes(8).toString("hex")],
    ]);
    for (const [k, v] of declared) {
      const value = opts.params?.[k] ?? v;
      if (value === undefined)
        throw new CosmoError(`workflow parameter ${k} has no value: pass --param ${k}=…`, { exitCode: 2 });
      scope.set(`workflow.parameters.${k}`, value);
    }
    this.workflowScope = scope;
  }

  async execute(entry: string): Promise<RunResult> {
    const spec = this.lib.workflowTemplate(this.opts.workflowTemplate);
    for (const line of this.lib.noteLines()) this.opts.onNote?.(line);
    if (this.opts.maxBackoffSeconds !== undefined)
      this.opts.onNote?.(`retry backoffs capped at ${this.opts.maxBackoffSeconds}s (--max-backoff)`);
    let timer: NodeJS.Timeout | undefined;
    if (spec.activeDeadlineSeconds) {
      timer = setTimeout(
        () => this.abort.abort(new Error(`workflow activeDeadlineSeconds ${spec.activeDeadlineSeconds}s exceeded`)),
        spec.activeDeadlineSeconds * 1000,
      );
    }
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
      clearTimeout(timer);
    }
    let phase: RunResult["phase"] =
      main.phase === "Succeeded" ? "Succeeded" : main.phase === "Error" ? "Error" : "Failed";
    let message = main.message;
    if (this.abort.signal.aborted) message = String((this.abort.signal.reason as Error).message);
    let exitHandlerPhase: Phase | undefined;
    if (spec.onExit) {
      const failures = this.nodes
        .filter((n) => n.kind === "Container" && (n.phase === "Failed" || n.phase === "Error"))
        .map((n) => ({ displayName: n.name, message: n.message ?? "", templateName: n.template, phase: n.phase }));
      const scope = extend(this.workflowScope, [
        ["workflow.status", phase],
        ["workflow.failures", JSON.stringify(failures)],
      ]);
      const exit = await this.execTemplate(
        this.lib.resolve(this.opts.workflowTemplate, { name: "onExit", template: spec.onExit }),
        new Map(),
        new Map(),
        `${this.name}.onExit`,
        0,
        scope,
      );
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
      nodes: this.nodes,
      notes: this.lib.noteLines(),
      exitHandlerPhase,
      runDir: this.runDir,
    };
  }

  private addNode(n: Omit<NodeStatus, "id">): NodeStatus {
    const node = { id: `${this.name}-${++this.counter}`, ...n };
    this.nodes.push(node);
    this.changed(node);
    return node;
  }
  private changed(node: NodeStatus): void {
    this.opts.onChange?.(node, this.nodes);
  }
  private finish(node: NodeStatus, outcome: { phase: Phase; message?: string; outputs?: Outputs }): void {
    if (outcome.outputs) {
      node.outputs = Object.fromEntries(outcome.outputs.parameters);
      if (outcome.outputs.result !== undefined) node.outputs.result = outcome.outputs.result;
    }
    node.phase = outcome.phase;
    node.message = outcome.message;
    node.finishedAt = Date.now();
    this.changed(node);
  }

  /** Input resolution: argument → default → value; a missing one is an error of the step. */
  private inputScope(loc: Located, args: Map<string, string>, where: string, base: Scope): Scope {
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

  private async execTemplate(
    loc: Located,
    args: Map<string, string>,
    artifactArgs: Map<string, string>,
    name: string,
    depth: number,
    base: Scope,
  ): Promise<Outcome> {
    const kind = loc.template.dag ? "DAG" : "Container";
    const node = this.addNode({
      name,
      template: `${loc.owner}/${loc.template.name}`,
      kind,
      phase: "Running",
      startedAt: Date.now(),
      depth,
    });
    let outcome: Outcome;
    try {
      const scope = this.inputScope(loc, args, name, base);
      outcome = loc.template.dag
        ? await this.execDag(loc, scope, name, depth)
        : await this.execContainerWithRetries(loc, scope, artifactArgs, node);
    } catch (err) {
      outcome = { phase: "Error", message: (err as Error).message, outputs: emptyOutputs() };
    }
    this.finish(node, outcome);
    return outcome;
  }

  private deadlineSeconds(t: Template, scope: Scope, where: string): number | undefined {
    const values = [
      t.activeDeadlineSeconds === undefined
        ? undefined
        : Number(substitute(String(t.activeDeadlineSeconds), scope, `${where}.activeDeadlineSeconds`)),
      parseDurationSeconds(t.timeout && substitute(t.timeout, scope, `${where}.timeout`), `${where}.timeout`),
    ].filter((v): v is number => v !== undefined && !Number.isNaN(v));
    return values.length ? Math.min(...values) : undefined;
  }

  private async execContainerWithRetries(
    loc: Located,
    scope: Scope,
    artifactArgs: Map<string, string>,
    node: NodeStatus,
  ): Promise<Outcome> {
    const t = loc.template;
    const where = node.template;
    const rs = t.retryStrategy;
    const limit =
      rs?.limit === undefined ? 0 : Number(substitute(String(rs.limit), scope, `${where}.retryStrategy.limit`));
    if (!Number.isInteger(limit) || limit < 0)
      throw new CosmoError(`${where}: retryStrategy.limit must be a non-negative integer`);
    const policy = rs?.retryPolicy ?? "OnFailure";
    if (!["Always", "OnFailure", "OnError", "OnTransientError"].includes(policy))
      throw new CosmoError(`${where}: unknown retryPolicy ${policy}`);
    const duration = parseDurationSeconds(rs?.backoff?.duration, `${where}.backoff.duration`) ?? 0;
    const factor = Number(rs?.backoff?.factor ?? 1);
    const cap = parseDurationSeconds(rs?.backoff?.cap, `${where}.backoff.cap`);
    const maxDuration = parseDurationSeconds(rs?.backoff?.maxDuration, `${where}.backoff.maxDuration`);
    const started = Date.now();
    node.attempts = limit + 1;
    let last: Outcome = { phase: "Error", outputs: emptyOutputs() };
    for (let attempt = 0; attempt <= limit; attempt++) {
      node.attempt = attempt + 1;
      node.phase = "Running";
      node.message = attempt ? `attempt ${attempt + 1}/${limit + 1}` : undefined;
      this.changed(node);
      const release = await this.containers.acquire();
      try {
        last = await this.execContainerOnce(
          loc,
          extend(scope, [["retries", String(attempt)]]),
          artifactArgs,
          node,
          attempt,
        );
      } finally {
        release();
      }
      if (last.phase === "Succeeded" || this.abort.signal.aborted) return last;
      const retryable =
        policy === "Always" ||
        (policy === "OnFailure" && last.phase === "Failed") ||
        ((policy === "OnError" || policy === "OnTransientError") && last.phase === "Error");
      if (!retryable || attempt === limit) {
        if (attempt > 0) last.message = `${last.message ?? ""} (after ${attempt + 1} attempts)`;
        return last;
      }
      let delay = duration * factor ** attempt;
      if (cap !== undefined) delay = Math.min(delay, cap);
      if (maxDuration !== undefined && (Date.now() - started) / 1000 + delay > maxDuration) {
        last.message = `${last.message ?? ""} (retry stopped: backoff.maxDuration ${rs?.backoff?.maxDuration} reached)`;
        return last;
      }
      if (this.opts.maxBackoffSeconds !== undefined) delay = Math.min(delay, this.opts.maxBackoffSeconds);
      node.message = `${last.phase}: ${last.message ?? ""}; retry ${attempt + 2}/${limit + 1} in ${delay}s`;
      this.changed(node);
      await sleep(delay * 1000, this.abort.signal);
    }
    return last;
  }

  private async execContainerOnce(
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
    const result: ContainerResult = await runContainer({
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
      deadlineSeconds: this.deadlineSeconds(t, scope, where),
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
    return { phase: result.phase, message: result.message, outputs: result.outputs };
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

  private async execDag(loc: Located, scope: Scope, name: string, depth: number): Promise<Outcome> {
    const dag = loc.template.dag!;
    const where = `${loc.owner}/${loc.template.name}`;
    const failFast = dag.failFast ?? true;
    const dependsOn = (t: Task) =>
      t.depends ? this.dependsNamesCached(t.depends, `${where}/${t.name}`) : (t.dependencies ?? []);
    const handled = new Set(
      dag.tasks.flatMap((t) => (t.depends ? handledFailures(t.depends, `${where}/${t.name}`) : [])),
    );
    const state = new Map<string, DependencyState & { outputs?: Outputs }>();
    const artifactScope = new Map<string, string>();
    let dagScope = scope;
    const running = new Map<string, Promise<void>>();
    let failedUnhandled: string | undefined;
    const limit = loc.template.parallelism ?? Number.POSITIVE_INFINITY;

    const complete = (
      task: Task,
      phase: Phase,
      message: string | undefined,
      outputs: Outputs | undefined,
      children?: Phase[],
    ) => {
      state.set(task.name, { phase, continueOn: task.continueOn, children, outputs });
      const entries: [string, string][] = [[`tasks.${task.name}.status`, phase]];
      if (outputs) {
        for (const [k, v] of outputs.parameters) entries.push([`tasks.${task.name}.outputs.parameters.${k}`, v]);
        if (outputs.result !== undefined) entries.push([`tasks.${task.name}.outputs.result`, outputs.result]);
        for (const [k, v] of outputs.artifacts) artifactScope.set(`tasks.${task.name}.outputs.artifacts.${k}`, v);
      }
      dagScope = extend(dagScope, entries);
      const tolerated =
        (phase === "Failed" && task.continueOn?.failed) || (phase === "Error" && task.continueOn?.error);
      if ((phase === "Failed" || phase === "Error") && !tolerated && !handled.has(task.name))
        failedUnhandled ??= `${task.name}: ${message ?? phase}`;
    };

    const start = (task: Task) => {
      const p = this.execTask(loc, task, dagScope, artifactScope, `${name}/${task.name}`, depth + 1).then(
        ({ phase, message, outputs, children }) => {
          complete(task, phase, message, outputs, children);
          running.delete(task.name);
        },
      );
      running.set(task.name, p);
    };

    for (;;) {
      if (!this.abort.signal.aborted && !(failFast && failedUnhandled)) {
        for (const task of dag.tasks) {
          if (state.has(task.name) || running.has(task.name) || running.size >= limit) continue;
          const d = dependsOn(task);
          if (!d.every((n) => state.has(n))) continue;
          const satisfied = task.depends
            ? evaluateDepends(task.depends, `${where}/${task.name}.depends`, (n) => state.get(n)!)
            : d.every((n) => satisfiedBare(state.get(n)!));
          if (!satisfied) {
            this.addNode({
              name: `${name}/${task.name}`,
              template: "",
              kind: "Container",
              phase: "Omitted",
              message: "dependencies not satisfied",
              depth: depth + 1,
            });
            complete(task, "Omitted", undefined, undefined);
            continue;
          }
          start(task);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    // Tasks never started (failFast, deadline) are Omitted, so the view shows the whole DAG.
    for (const task of dag.tasks) {
      if (!state.has(task.name)) {
        const why = this.abort.signal.aborted
          ? "workflow deadline exceeded"
          : `not started: ${failedUnhandled ?? "upstream failed"}`;
        this.addNode({
          name: `${name}/${task.name}`,
          template: "",
          kind: "Container",
          phase: "Omitted",
          message: why,
          depth: depth + 1,
        });
        state.set(task.name, { phase: "Omitted" });
      }
    }
    if (this.abort.signal.aborted)
      return { phase: "Failed", message: String((this.abort.signal.reason as Error).message), outputs: emptyOutputs() };
    if (failedUnhandled) return { phase: "Failed", message: failedUnhandled, outputs: emptyOutputs() };
    const outputs = emptyOutputs();
    for (const p of loc.template.outputs?.parameters ?? []) {
      const src = p.valueFrom?.parameter ?? p.value;
      if (src === undefined)
        throw new CosmoError(`${where}: output parameter ${p.name} needs valueFrom.parameter or value`);
      outputs.parameters.set(p.name, substitute(src, dagScope, `${where}.outputs.${p.name}`));
    }
    return { phase: "Succeeded", outputs };
  }

  private dependsCache = new Map<string, string[]>();
  private dependsNamesCached(text: string, where: string): string[] {
    let v = this.dependsCache.get(text);
    if (!v) {
      v = [...new Set(dependsNames(text, where))];
      this.dependsCache.set(text, v);
    }
    return v;
  }

  /** One DAG task: `when`, fan-out, then the template with its arguments resolved in the DAG's scope. */
  private async execTask(
    loc: Located,
    task: Task,
    scope: Scope,
    artifactScope: Map<string, string>,
    name: string,
    depth: number,
  ): Promise<Outcome & { children?: Phase[] }> {
    const where = `${loc.owner}/${loc.template.name}/${task.name}`;
    const target = this.lib.resolve(loc.owner, task);
    try {
      let items: unknown[] | undefined;
      if (task.withItems) items = task.withItems;
      else if (task.withParam) {
        const text = substitute(task.withParam, scope, `${where}.withParam`);
        try {
          items = JSON.parse(text);
        } catch {
          throw new CosmoError(`${where}: withParam is not a JSON list: ${text.slice(0, 80)}`);
        }
        if (!Array.isArray(items)) throw new CosmoError(`${where}: withParam is not a JSON list: ${text.slice(0, 80)}`);
      }
      const runOne = async (s: Scope, displayName: string, d: number): Promise<Outcome> => {
        if (task.when && !evaluateWhen(substitute(task.when, s, `${where}.when`), `${where}.when`)) {
          this.addNode({
            name: displayName,
            template: `${target.owner}/${target.template.name}`,
            kind: target.template.dag ? "DAG" : "Container",
            phase: "Skipped",
            message: `when ${substitute(task.when, s, where)} is false`,
            depth: d,
          });
          return { phase: "Skipped", outputs: emptyOutputs() };
        }
        const args = new Map(
          (task.arguments?.parameters ?? []).map((p) => [
            p.name,
            substitute(p.value ?? "", s, `${where}.arguments.${p.name}`),
          ]),
        );
        const artifactArgs = new Map<string, string>();
        for (const a of task.arguments?.artifacts ?? []) {
          const m = a.from && /^\{\{(.+)\}\}$/.exec(a.from.trim());
          const url = m ? artifactScope.get(m[1]!.trim()) : undefined;
          if (!url)
            throw new CosmoError(`${where}: artifact argument ${a.name}: cannot resolve from ${a.from ?? "(none)"}`);
          artifactArgs.set(a.name, url);
        }
        return this.execTemplate(target, args, artifactArgs, displayName, d, extendWorkflow(this.workflowScope, s));
      };
      if (!items) return await runOne(scope, name, depth);
      if (items.length === 0) {
        this.addNode({
          name,
          template: `${target.owner}/${target.template.name}`,
          kind: "TaskGroup",
          phase: "Skipped",
          message: "empty item list",
          depth,
        });
        return { phase: "Skipped", outputs: emptyOutputs() };
      }
      const group = this.addNode({
        name,
        template: `${target.owner}/${target.template.name}`,
        kind: "TaskGroup",
        phase: "Running",
        startedAt: Date.now(),
        depth,
      });
      const results = await Promise.all(
        items.map((item, i) => {
          const label = typeof item === "string" ? item : ((item as { name?: string })?.name ?? JSON.stringify(item));
          return runOne(extend(scope, itemScope(item)), `${name}(${i}:${label})`, depth + 1);
        }),
      );
      const phases = results.map((r) => r.phase);
      const failed = results.find((r) => r.phase === "Failed" || r.phase === "Error");
      const outputs = aggregate(results);
      const outcome: Outcome & { children: Phase[] } = failed
        ? { phase: failed.phase, message: failed.message, outputs, children: phases }
        : { phase: phases.every((p) => p === "Skipped") ? "Skipped" : "Succeeded", outputs, children: phases };
      this.finish(group, outcome);
      return outcome;
    } catch (err) {
      const message = (err as Error).message;
      this.addNode({
        name,
        template: `${target.owner}/${target.template.name}`,
        kind: "Container",
        phase: "Error",
        message,
        depth,
      });
      return { phase: "Error", message, outputs: emptyOutputs() };
    }
  }
}

/** Templates see workflow-level tags; DAG tags (tasks.*, item) stay in the caller's scope. */
function extendWorkflow(workflowScope: Scope, callerScope: Scope): Scope {
  return extend(
    workflowScope,
    [...callerScope].filter(([k]) => k.startsWith("workflow.")),
  );
}

/** Fan-out outputs: `tasks.T.outputs.parameters.P` is the JSON list of the children's values. */
function aggregate(results: Outcome[]): Outputs {
  const out = emptyOutputs();
  const names = new Set(results.flatMap((r) => [...r.outputs.parameters.keys()]));
  for (const n of names)
    out.parameters.set(
      n,
      JSON.stringify(results.filter((r) => r.phase !== "Skipped").map((r) => r.outputs.parameters.get(n) ?? null)),
    );
  if (results.some((r) => r.outputs.result !== undefined)) {
    out.result = JSON.stringify(
      results.map((r) => {
        const v = r.outputs.result;
        try {
          return v === undefined ? null : JSON.parse(v);
        } catch {
          return v;
        }
      }),
    );
  }
  return out;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(-80);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
