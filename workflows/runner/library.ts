// The rendered WorkflowTemplates as a lookup table, and the static check of what the local runner can honour:
// every field is either executed, noted as cluster-only behaviour, or refused by name, never ignored.
import { CosmoError } from "../../core/errors.ts";
import type { RenderedDoc } from "../render.ts";
import { dependsNames, evaluateRetryExpression } from "./expr.ts";

// Loose shapes of the Argo objects the runner reads (the rendered YAML, not the TS models).
export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  valueFrom?: { path?: string; parameter?: string; default?: string };
}
export interface Artifact {
  name: string;
  path?: string;
  from?: string;
  optional?: boolean;
  s3?: { key?: string; bucket?: string };
  archive?: { none?: object };
  raw?: { data: string };
}
export interface Task {
  name: string;
  template?: string;
  templateRef?: { name: string; template: string; clusterScope?: boolean };
  arguments?: { parameters?: Parameter[]; artifacts?: Artifact[] };
  dependencies?: string[];
  depends?: string;
  when?: string;
  withItems?: unknown[];
  withParam?: string;
  continueOn?: { failed?: boolean; error?: boolean };
}
export interface Template {
  name: string;
  inputs?: { parameters?: Parameter[]; artifacts?: Artifact[] };
  outputs?: { parameters?: Parameter[]; artifacts?: Artifact[] };
  container?: {
    image?: string;
    command?: string[];
    args?: string[];
    env?: { name: string; value?: string; valueFrom?: unknown }[];
    envFrom?: unknown[];
  };
  dag?: { tasks: Task[]; failFast?: boolean };
  activeDeadlineSeconds?: number | string;
  timeout?: string;
  retryStrategy?: {
    limit?: number | string;
    retryPolicy?: string;
    expression?: string;
    backoff?: { duration?: string; factor?: number | string; maxDuration?: string; cap?: string };
  };
  parallelism?: number;
  memoize?: { key: string; maxAge?: string; cache?: { configMap?: { name: string } } };
}
export interface Spec {
  templates: Template[];
  entrypoint?: string;
  onExit?: string;
  arguments?: { parameters?: Parameter[] };
  activeDeadlineSeconds?: number;
  parallelism?: number;
  synchronization?: { mutexes?: { name: string }[]; semaphores?: unknown[] };
}

/** A template together with the WorkflowTemplate that owns it (local `template:` names resolve there). */
export interface Located {
  owner: string;
  template: Template;
}

const HANDLED = {
  spec: ["templates", "entrypoint", "onExit", "arguments", "activeDeadlineSeconds", "parallelism", "synchronization"],
  template: [
    "name",
    "inputs",
    "outputs",
    "container",
    "dag",
    "activeDeadlineSeconds",
    "timeout",
    "retryStrategy",
    "parallelism",
    "memoize",
  ],
  container: ["name", "image", "command", "args", "env"],
  task: [
    "name",
    "template",
    "templateRef",
    "arguments",
    "dependencies",
    "depends",
    "when",
    "withItems",
    "withParam",
    "continueOn",
  ],
  dag: ["tasks", "failFast"],
  retry: ["limit", "retryPolicy", "backoff", "expression"],
  artifact: ["name", "path", "from", "optional", "s3", "archive", "raw"],
};
/** Cluster behaviour: reported once at the start of a run, not emulated. */
const NOTED: Record<string, string[]> = {
  spec: [
    "serviceAccountName",
    "artifactRepositoryRef",
    "podGC",
    "ttlStrategy",
    "workflowMetadata",
    "archiveLogs",
    "artifactGC",
    "metrics",
  ],
  template: [
    "synchronization",
    "metadata",
    "nodeSelector",
    "tolerations",
    "affinity",
    "priorityClassName",
    "serviceAccountName",
    "metrics",
  ],
  container: ["envFrom", "resources"],
  artifact: ["artifactGC"],
};

export class Library {
  readonly templates = new Map<string, { spec: Spec; byName: Map<string, Template> }>();
  /** Cluster-only fields met, by field name → where (printed once at the start of a run). */
  readonly notes = new Map<string, Set<string>>();

  private note(key: string, where: string): void {
    if (!this.notes.has(key)) this.notes.set(key, new Set());
    this.notes.get(key)!.add(where);
  }

  /** One line per cluster-only field, naming where it occurs. */
  noteLines(): string[] {
    return [...this.notes].map(([key, places]) => `not emulated locally: ${key} (${[...places].join("; ")})`);
  }

  constructor(docs: RenderedDoc[]) {
    for (const { file, doc } of docs) {
      if (doc.kind !== "WorkflowTemplate") continue;
      const name = (doc.metadata as { name: string }).name;
      const spec = doc.spec as Spec;
      if (this.templates.has(name)) throw new CosmoError(`${file}: WorkflowTemplate ${name} defined twice`);
      this.templates.set(name, { spec, byName: new Map(spec.templates.map((t) => [t.name, t])) });
    }
  }

  workflowTemplate(name: string): Spec {
    const wt = this.templates.get(name);
    if (!wt)
      throw new CosmoError(`WorkflowTemplate ${name} not found (have: ${[...this.templates.keys()].join(", ")})`, {
        exitCode: 2,
      });
    return wt.spec;
  }

  /** Resolve `template:` (within `owner`) or `templateRef:` (across WorkflowTemplates). */
  resolve(owner: string, task: Pick<Task, "name" | "template" | "templateRef">): Located {
    if (task.templateRef) {
      if (task.templateRef.clusterScope)
        throw new CosmoError(`task ${task.name}: ClusterWorkflowTemplate references are not supported locally`);
      const wt = this.templates.get(task.templateRef.name);
      if (!wt)
        throw new CosmoError(`task ${task.name}: templateRef to unknown WorkflowTemplate ${task.templateRef.name}`);
      const t = wt.byName.get(task.templateRef.template);
      if (!t)
        throw new CosmoError(
          `task ${task.name}: WorkflowTemplate ${task.templateRef.name} has no template ${task.templateRef.template}`,
        );
      return { owner: task.templateRef.name, template: t };
    }
    if (!task.template) throw new CosmoError(`task ${task.name}: neither template nor templateRef`);
    const t = this.templates.get(owner)?.byName.get(task.template);
    if (!t) throw new CosmoError(`task ${task.name}: WorkflowTemplate ${owner} has no template ${task.template}`);
    return { owner, template: t };
  }

  /**
   * Walks every template reachable from `entry` (and the exit handler): refuses what cannot run here, notes
   * cluster-only fields, rejects DAG cycles and unknown dependencies before anything is executed.
   */
  check(workflowTemplate: string, entry: string, onExit?: string): void {
    const spec = this.workflowTemplate(workflowTemplate);
    this.fields(spec as unknown as Record<string, unknown>, "spec", `${workflowTemplate}`);
    // The workflow's mutexes are held by the run (mutex.ts); its semaphores are cluster behaviour.
    if (spec.synchronization?.semaphores?.length)
      this.note(
        "synchronization",
        `${workflowTemplate}: ${describe("synchronization", { semaphores: spec.synchronization.semaphores })}`,
      );
    const seen = new Set<string>();
    const visit = (loc: Located) => {
      const id = `${loc.owner}/${loc.template.name}`;
      if (seen.has(id)) return;
      seen.add(id);
      const t = loc.template as unknown as Record<string, unknown>;
      if ("memoize" in t && !loc.template.container)
        throw new CosmoError(
          `${id}: memoize on a ${loc.template.dag ? "dag" : "non-container"} template is not supported locally`,
        );
      const kinds = [
        "container",
        "dag",
        "steps",
        "script",
        "resource",
        "suspend",
        "http",
        "plugin",
        "containerSet",
        "data",
      ].filter((k) => k in t);
      if (kinds.length !== 1 || !["container", "dag"].includes(kinds[0]!)) {
        throw new CosmoError(
          `${id}: ${kinds.join("+") || "no"} template type: the local runner runs container and dag templates only`,
        );
      }
      this.fields(t, "template", id);
      for (const a of [...(loc.template.inputs?.artifacts ?? []), ...(loc.template.outputs?.artifacts ?? [])])
        this.artifact(a, id);
      if (loc.template.retryStrategy) {
        this.fields(loc.template.retryStrategy as Record<string, unknown>, "retry", `${id}.retryStrategy`);
        // An expression the runner cannot evaluate is refused before anything runs (tags resolve later).
        const expression = loc.template.retryStrategy.expression;
        if (expression !== undefined && !expression.includes("{{"))
          evaluateRetryExpression(
            expression,
            { exitCode: "1", status: "Failed", duration: "0", message: "" },
            `${id}.retryStrategy.expression`,
          );
      }
      if (loc.template.container) {
        const c = loc.template.container;
        this.fields(c as Record<string, unknown>, "container", `${id}.container`);
        if (c.command && !(c.command.length === 1 && c.command[0] === "cosmo")) {
          throw new CosmoError(
            `${id}: container command ${JSON.stringify(c.command)}: the local runner runs the image entrypoint \`cosmo\` only`,
          );
        }
        for (const e of c.env ?? [])
          if (e.valueFrom) this.note("env valueFrom (the local config provides it)", `${id} ${e.name}`);
      }
      if (loc.template.dag) {
        this.fields(loc.template.dag as unknown as Record<string, unknown>, "dag", `${id}.dag`);
        const names = new Set(loc.template.dag.tasks.map((x) => x.name));
        const deps = new Map<string, string[]>();
        for (const task of loc.template.dag.tasks) {
          this.fields(task as unknown as Record<string, unknown>, "task", `${id}/${task.name}`);
          const d = task.depends ? dependsNames(task.depends, `${id}/${task.name}.depends`) : (task.dependencies ?? []);
          for (const n of d)
            if (!names.has(n)) throw new CosmoError(`${id}/${task.name}: depends on unknown task ${n}`);
          deps.set(task.name, d);
          visit(this.resolve(loc.owner, task));
        }
        rejectCycles(deps, id);
        rejectNonAncestorTags(loc.template.dag.tasks, deps, id);
      }
    };
    visit({
      owner: workflowTemplate,
      template: this.resolve(workflowTemplate, { name: "entrypoint", template: entry }).template,
    });
    if (onExit)
      visit({
        owner: workflowTemplate,
        template: this.resolve(workflowTemplate, { name: "onExit", template: onExit }).template,
      });
  }

  private fields(obj: Record<string, unknown>, kind: keyof typeof HANDLED, where: string): void {
    for (const key of Object.keys(obj)) {
      if (HANDLED[kind].includes(key)) continue;
      if (NOTED[kind]?.includes(key)) {
        this.note(key, `${where}: ${describe(key, obj[key])}`);
        continue;
      }
      throw new CosmoError(`${where}: ${kind} field "${key}" is not supported by the local runner`);
    }
  }

  private artifact(a: Artifact, where: string): void {
    this.fields(a as unknown as Record<string, unknown>, "artifact", `${where} artifact ${a.name}`);
    if (a.s3 && !a.archive?.none)
      throw new CosmoError(
        `${where} artifact ${a.name}: only \`archive: {none: {}}\` artefacts are supported locally (no tgz)`,
      );
  }
}

function describe(key: string, value: unknown): string {
  if (key === "synchronization") {
    const s = value as {
      semaphores?: { configMapKeyRef?: { name: string; key: string } }[];
      mutexes?: { name: string }[];
    };
    const sem = (s.semaphores ?? []).map((x) => `semaphore ${x.configMapKeyRef?.name}/${x.configMapKeyRef?.key}`);
    const mut = (s.mutexes ?? []).map((x) => `mutex ${x.name}`);
    return `${[...sem, ...mut].join(", ")}; local concurrency is --parallelism`;
  }
  if (key === "artifactRepositoryRef") return "artefacts go to the embedded S3 store";
  if (key === "resources") return "requests/limits not enforced";
  return JSON.stringify(value);
}

export function rejectCycles(deps: Map<string, string[]>, where: string): void {
  const state = new Map<string, "visiting" | "done">();
  const walk = (n: string, path: string[]) => {
    if (state.get(n) === "done") return;
    if (state.get(n) === "visiting") throw new CosmoError(`${where}: dependency cycle ${[...path, n].join(" → ")}`);
    state.set(n, "visiting");
    for (const d of deps.get(n) ?? []) walk(d, [...path, n]);
    state.set(n, "done");
  };
  for (const n of deps.keys()) walk(n, []);
}

/** Like Argo's validation: a task may only use `{{tasks.T.…}}` of tasks it (transitively) depends on. */
export function rejectNonAncestorTags(tasks: Task[], deps: Map<string, string[]>, where: string): void {
  const ancestors = (name: string, seen = new Set<string>()): Set<string> => {
    for (const d of deps.get(name) ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        ancestors(d, seen);
      }
    }
    return seen;
  };
  for (const task of tasks) {
    const text = JSON.stringify([task.arguments, task.when, task.withParam]);
    const mine = ancestors(task.name);
    for (const m of text.matchAll(/\{\{\s*tasks\.([^.}\s]+)\./g)) {
      if (!mine.has(m[1]!))
        throw new CosmoError(`${where}/${task.name}: uses {{tasks.${m[1]}.…}} but does not depend on ${m[1]}`);
    }
  }
}
