// What a template, a task or a container attempt hands back to its caller: its phase, and the outputs that
// the caller's scope gains (`tasks.T.outputs.…`).
import type { Phase } from "./expr.ts";

export interface Outputs {
  parameters: Map<string, string>;
  result?: string;
  artifacts: Map<string, string>;
}

export interface Outcome {
  phase: Phase;
  message?: string;
  outputs: Outputs;
  /** A container attempt's exit code (`lastRetry.exitCode`); none when it did not run to an exit. */
  exitCode?: number;
}

export const emptyOutputs = (): Outputs => ({ parameters: new Map(), artifacts: new Map() });
