// The run's nodes as Argo lists them (DAGs, containers, fan-out groups, skipped and omitted tasks): the one
// list the status view, the run summary and the exit handler's `workflow.failures` read.
import type { Phase } from "./expr.ts";
import type { Outputs } from "./outcome.ts";

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

export type OnNodeChange = (node: NodeStatus, all: readonly NodeStatus[]) => void;

export class RunNodes {
  readonly all: NodeStatus[] = [];
  private counter = 0;

  constructor(
    /** Node ids are `<workflow name>-<n>`, as Argo names them. */
    private readonly workflowName: string,
    private readonly onChange?: OnNodeChange,
  ) {}

  add(n: Omit<NodeStatus, "id">): NodeStatus {
    const node = { id: `${this.workflowName}-${++this.counter}`, ...n };
    this.all.push(node);
    this.changed(node);
    return node;
  }

  /** Tells the listener about a change made to `node` in place. */
  changed(node: NodeStatus): void {
    this.onChange?.(node, this.all);
  }

  finish(node: NodeStatus, outcome: { phase: Phase; message?: string; outputs?: Outputs }): void {
    if (outcome.outputs) {
      node.outputs = Object.fromEntries(outcome.outputs.parameters);
      if (outcome.outputs.result !== undefined) node.outputs.result = outcome.outputs.result;
    }
    node.phase = outcome.phase;
    node.message = outcome.message;
    node.finishedAt = Date.now();
    this.changed(node);
  }
}
