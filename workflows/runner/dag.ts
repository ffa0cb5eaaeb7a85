// DAG scheduling: which task starts when (its `dependencies`/`depends` settled and satisfied, the DAG's
// `parallelism`, `failFast`, the run's abort), what a finished task adds to the DAG's scope
// (`tasks.T.status|outputs…`), the tasks that never run (Omitted), and the DAG's own outputs.
import { CosmoError } from "../../core/errors.ts";
import { abortMessage } from "./deadline.ts";
import {
  type DependencyState,
  dependsNames,
  evaluateDepends,
  handledFailures,
  type Phase,
  satisfiedBare,
} from "./expr.ts";
import type { Located, Task } from "./library.ts";
import type { RunNodes } from "./nodes.ts";
import { emptyOutputs, type Outcome, type Outputs } from "./outcome.ts";
import { extend, type Scope, substitute } from "./tags.ts";

/** A task's outcome; a fan-out also gives its children's phases (for `depends` on AnySucceeded/AllFailed). */
export type TaskOutcome = Outcome & { children?: Phase[] };

export interface DagRun {
  nodes: RunNodes;
  /** The run's abort (workflow deadline): nothing new starts once it fires. */
  signal: AbortSignal;
  /** Runs one task (`when`, fan-out, its template) in the DAG's scope as it is when the task starts. */
  runTask(
    task: Task,
    scope: Scope,
    artifactScope: Map<string, string>,
    name: string,
    depth: number,
  ): Promise<TaskOutcome>;
}

/** Runs the tasks of DAG template `loc` (node `name` at `depth`) to completion. */
export async function runDag(loc: Located, scope: Scope, name: string, depth: number, run: DagRun): Promise<Outcome> {
  const dag = loc.template.dag!;
  const where = `${loc.owner}/${loc.template.name}`;
  const failFast = dag.failFast ?? true;
  const dependsCache = new Map<string, string[]>();
  const dependsOn = (t: Task): string[] => {
    if (!t.depends) return t.dependencies ?? [];
    let names = dependsCache.get(t.depends);
    if (!names) {
      names = [...new Set(dependsNames(t.depends, `${where}/${t.name}`))];
      dependsCache.set(t.depends, names);
    }
    return names;
  };
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
    const tolerated = (phase === "Failed" && task.continueOn?.failed) || (phase === "Error" && task.continueOn?.error);
    if ((phase === "Failed" || phase === "Error") && !tolerated && !handled.has(task.name))
      failedUnhandled ??= `${task.name}: ${message ?? phase}`;
  };

  const start = (task: Task) => {
    const p = run
      .runTask(task, dagScope, artifactScope, `${name}/${task.name}`, depth + 1)
      .then(({ phase, message, outputs, children }) => {
        complete(task, phase, message, outputs, children);
        running.delete(task.name);
      });
    running.set(task.name, p);
  };

  const omit = (task: Task, message: string) =>
    run.nodes.add({
      name: `${name}/${task.name}`,
      template: "",
      kind: "Container",
      phase: "Omitted",
      message,
      depth: depth + 1,
    });

  for (;;) {
    if (!run.signal.aborted && !(failFast && failedUnhandled)) {
      for (const task of dag.tasks) {
        if (state.has(task.name) || running.has(task.name) || running.size >= limit) continue;
        const d = dependsOn(task);
        if (!d.every((n) => state.has(n))) continue;
        const satisfied = task.depends
          ? evaluateDepends(task.depends, `${where}/${task.name}.depends`, (n) => state.get(n)!)
          : d.every((n) => satisfiedBare(state.get(n)!));
        if (!satisfied) {
          omit(task, "dependencies not satisfied");
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
      omit(
        task,
        run.signal.aborted ? "workflow deadline exceeded" : `not started: ${failedUnhandled ?? "upstream failed"}`,
      );
      state.set(task.name, { phase: "Omitted" });
    }
  }
  if (run.signal.aborted) return { phase: "Failed", message: abortMessage(run.signal), outputs: emptyOutputs() };
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
