// Measuring helpers for the import benchmark: wall time plus CPU seconds of the client and of the PostgreSQL
// backends doing the work. CPU seconds do not depend on what else the (shared, 2-core) machine runs, so the
// benchmark also reports the ratios on them: "critical path" = the wall time a run would take on this machine
// were it idle, with client and server overlapping perfectly: max(total CPU / cores, client CPU / client threads,
// server CPU).
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface Measured {
  wallMs: number;
  clientCpuS: number;
  serverCpuS: number;
  /** Threads the client's CPU is spread over (1 for psql and ogr2ogr). */
  clientThreads: number;
}

export function criticalPathS(m: Measured, cores = availableParallelism()): number {
  return Math.max((m.clientCpuS + m.serverCpuS) / cores, m.clientCpuS / m.clientThreads, m.serverCpuS);
}

const TICK = 100; // USER_HZ on Linux

function procCpuS(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICK; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

/** CPU seconds used by the backends of database `datname` (excluding the monitor's own) until stop(). */
export async function serverCpuMonitor(url: string, datname: string): Promise<{ stop(): Promise<number> }> {
  const client = new pg.Client({ connectionString: url, application_name: "cosmo-bench-monitor" });
  await client.connect();
  const self = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
  const start = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async (initial: boolean) => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> $2",
      [datname, self],
    );
    for (const { pid } of rows) {
      const cpu = procCpuS(pid);
      if (cpu === null) continue;
      if (initial) start.set(pid, cpu);
      else if (!start.has(pid)) start.set(pid, 0); // a backend born during the run
      last.set(pid, cpu);
    }
  };
  await sample(true);
  let running = true;
  const loop = (async () => {
    while (running) {
      await sample(false);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await sample(false);
      await client.end();
      let total = 0;
      for (const [pid, cpu] of last) total += cpu - (start.get(pid) ?? 0);
      return total;
    },
  };
}

/** A line the command wrote on stderr, with when it arrived (ms since the command was started). */
export interface TimedLine {
  ms: number;
  line: string;
}

/**
 * Runs a command under /usr/bin/time: wall ms and the command's own CPU seconds; its stderr lines each stamped
 * with when they arrived, on the same clock as the wall time (how far into the run the command said something).
 */
export async function runTimed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ wallMs: number; cpuS: number; stderr: string; lines: TimedLine[] }> {
  const timeFile = join(tmpdir(), `cosmo-bench-time-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const lines: TimedLine[] = [];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%U %S", "-o", timeFile, cmd, ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    let partial = "";
    child.stderr.on("data", (d) => {
      const ms = performance.now() - t0;
      err += d;
      const parts = (partial + d).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) lines.push({ ms, line });
    });
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, stderr: err }));
  });
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`${cmd} failed (exit ${code}): ${stderr.slice(0, 2000)}`);
  const [u, s] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
  rmSync(timeFile, { force: true });
  return { wallMs, cpuS: u + s, stderr, lines };
}

/** CPU seconds of this process during fn (the client side of an in-process load). */
export async function inProcess<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuS: (c.user + c.system) / 1e6 };
}
