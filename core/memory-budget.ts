// The extract's memory budget (`--memory-budget`, config `extract.memoryBudget`): sizes as people write them
// (1GiB, 512MiB, 2GB, a plain number of bytes), parsed by bytes-iec; unset, a share of the machine's memory.
// In core because the configuration's schema (core/config.ts) checks the setting with the same rule as the CLI.
import { totalmem } from "node:os";
import bytes from "bytes-iec";

/** Below this no extract can run at all (the Node runtime and the decode workers alone take more). */
export const MIN_MEMORY_BUDGET = 64 * 1024 * 1024;

/** Share of the machine's memory the extract takes when no budget is given (PostgreSQL runs beside it). */
const DEFAULT_SHARE = 0.5;

/** Why `text` is no usable memory budget, or undefined (the config schema and the CLI option share it). */
export function memoryBudgetProblem(text: string): string | undefined {
  const n = bytes.parse(text.trim(), { mode: "binary" });
  if (n === null || !Number.isFinite(n)) {
    return `expected a size such as 1GiB, 512MiB or 2GB, got ${JSON.stringify(text)}`;
  }
  if (n < MIN_MEMORY_BUDGET) {
    return `${JSON.stringify(text)} is below the smallest budget an extract can run in (64MiB)`;
  }
  return undefined;
}

/** The budget in bytes; `text` must have passed memoryBudgetProblem. */
export function memoryBudgetBytes(text: string): number {
  const problem = memoryBudgetProblem(text);
  if (problem) throw new Error(problem);
  return Math.floor(bytes.parse(text.trim(), { mode: "binary" }) as number);
}

/** The budget when none is given: sized to the machine. */
export function defaultMemoryBudget(): number {
  return Math.max(MIN_MEMORY_BUDGET, Math.floor(totalmem() * DEFAULT_SHARE));
}

/** Shown in logs and the summary: 1.0 GiB, 512.0 MiB. */
export function formatBytes(n: number): string {
  return bytes.format(n, { mode: "binary", decimalPlaces: 1 }) ?? `${n} B`;
}
