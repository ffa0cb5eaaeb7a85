// One DAG task: its `when`, its fan-out (`withItems`/`withParam`, one child per item, outputs aggregated
// into JSON lists), and its template run with the arguments resolved in the DAG's scope.
import { CosmoError } from "../../core/errors.ts";
import type { TaskOutcome } from "./dag.ts";
import { evaluateWhen, type Phase } from "./expr.ts";
import type { Library, Located, Task } from "./library.ts";
import type { RunNodes } from "./nodes.ts";
import { emptyOutputs, type Outcome, type Outputs } from "./outcome.ts";
import { extend, itemScope, type Scope, substitute } from "./tags.ts";

/** Runs template `loc` with its arguments as node `name` at `depth`, its tags resolved over `base`. */
export type RunTemplate = (
  loc: Located,
  args: Map<string, string>,
  artifactArgs: Map<string, string>,
  name: string,
  depth: number,
  base: Scope,
) => Promise<Outcome>;

export interface TaskRun {
  lib: Library;
  nodes: RunNodes;
  /** The workflow-level tags (`workflow.*`) every template sees. */
  workflowScope: Scope;
  runTemplate: RunTemplate;
}

/** Task `task` of DAG template `loc`, as node `name` at `depth`; errors of the task become an Error node. */
export async function runTask(
  run: TaskRun,
  loc: Located,
  task: Task,
  scope: Scope,
  artifactScope: Map<string, string>,
  name: string,
  depth: number,
): Promise<TaskOutcome> {
  const where = `${loc.owner}/${loc.template.name}/${task.name}`;
  const target = run.lib.resolve(loc.owner, task);
  const template = `${target.owner}/${target.template.name}`;
  try {
    const items = fanOutItems(task, scope, where);
    const runOne = async (s: Scope, displayName: string, d: number): Promise<Outcome> => {
      if (task.when && !evaluateWhen(substitute(task.when, s, `${where}.when`), `${where}.when`)) {
        run.nodes.add({
          name: displayName,
          template,
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
      return run.runTemplate(target, args, artifactArgs, displayName, d, extendWorkflow(run.workflowScope, s));
    };
    if (!items) return await runOne(scope, name, depth);
    if (items.length === 0) {
      run.nodes.add({ name, template, kind: "TaskGroup", phase: "Skipped", message: "empty item list", depth });
      return { phase: "Skipped", outputs: emptyOutputs() };
    }
    const group = run.nodes.add({
      name,
      template,
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
    run.nodes.finish(group, outcome);
    return outcome;
  } catch (err) {
    const message = (err as Error).message;
    run.nodes.add({ name, template, kind: "Container", phase: "Error", message, depth });
    return { phase: "Error", message, outputs: emptyOutputs() };
  }
}

/** The items of a fan-out task, or undefined when the task runs once. */
function fanOutItems(task: Task, scope: Scope, where: string): unknown[] | undefined {
  if (task.withItems) return task.withItems;
  if (!task.withParam) return undefined;
  const text = substitute(task.withParam, scope, `${where}.withParam`);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw new CosmoError(`${where}: withParam is not a JSON list: ${text.slice(0, 80)}`);
  }
  if (!Array.isArray(items)) throw new CosmoError(`${where}: withParam is not a JSON list: ${text.slice(0, 80)}`);
  return items;
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
