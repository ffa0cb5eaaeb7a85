// What the CPU does per request, for a target beyond the hardware to be shown rather than lowered: the CPU time
// of the service process and of the whole machine (every process: PostgreSQL, nginx, the load generator) over a
// case, from /proc, in clock ticks turned into milliseconds.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

export interface CpuSample {
  processMs: number;
  machineBusyMs: number;
}

/** utime + stime of one process (fields 14 and 15 of /proc/PID/stat, counted after the command's parentheses). */
function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Every CPU's non-idle time: /proc/stat's first line minus idle and iowait. */
function machineBusyTicks(): number {
  const v = (readFileSync("/proc/stat", "utf8").split("\n")[0] as string).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = [0, 1, 2, 5, 6, 7];
  return busy.reduce((sum, i) => sum + (v[i] ?? 0), 0);
}

export function cpuSample(pid: number): CpuSample {
  return { processMs: processTicks(pid) * TICK_MS, machineBusyMs: machineBusyTicks() * TICK_MS };
}

/** CPU milliseconds per answer between two samples. */
export function cpuPerAnswer(
  before: CpuSample,
  after: CpuSample,
  answers: number,
): { processMs: number; machineMs: number } {
  const n = Math.max(1, answers);
  return {
    processMs: (after.processMs - before.processMs) / n,
    machineMs: (after.machineBusyMs - before.machineBusyMs) / n,
  };
}
