// Loopback ports for the embedded servers and the local services: a free one, whether one is free, and, when
// it is not, which process holds it (so a message can say what to stop instead of just "in use").
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CosmoError, EXIT } from "./errors.ts";

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** null when we can listen on host:port, else the listen error's code (EADDRINUSE, EACCES, …). */
export function portProblem(port: number, host = "127.0.0.1"): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
}

export interface PortHolder {
  pid: number;
  /** The process's command line (or its name when the command line cannot be read). */
  command: string;
}

/** The process listening on a TCP port, as far as `ss` can tell (null when unknown: not ours to see, or no ss). */
export function portHolder(port: number): PortHolder | null {
  const res = spawnSync("ss", ["-Hltnp", `sport = :${port}`], { encoding: "utf8" });
  const match = /users:\(\("([^"]*)",pid=(\d+)/.exec(res.stdout ?? "");
  if (!match) return null;
  const pid = Number(match[2]);
  let command = match[1] as string;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    if (cmdline) command = cmdline;
  } catch {
    /* gone in the meantime, or not readable: keep the name */
  }
  return { pid, command };
}

/** "pid 123 (nginx: master process …)" or "another process" when we cannot see which. */
export function describeHolder(port: number): string {
  const holder = portHolder(port);
  return holder ? `pid ${holder.pid} (${holder.command.slice(0, 120)})` : "another process";
}

/**
 * The port an embedded server of this checkout listens on: chosen once and kept in `<dir>/port`, so that the
 * services started earlier find the server again at the same address after it restarts.
 */
export async function stablePort(dir: string, service: string): Promise<number> {
  const file = join(dir, "port");
  const kept = existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : Number.NaN;
  if (Number.isInteger(kept) && kept > 0 && kept < 65536) {
    const problem = await portProblem(kept);
    if (problem === null) return kept;
    throw new CosmoError(
      `${service}: its port 127.0.0.1:${kept} (kept in ${file} so that running services find it again) is ${
        problem === "EADDRINUSE" ? `taken by ${describeHolder(kept)}` : `unusable (${problem})`
      }; stop that process, or delete ${file} to let cosmo choose a new port (then restart the services using it)`,
      { exitCode: EXIT.unavailable },
    );
  }
  const port = await freePort();
  writeFileSync(file, `${port}\n`);
  return port;
}

/** Network-level failures (nothing listening, no route, name unknown) and a server not accepting connections yet. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P03", // the database system is starting up / shutting down
]);

export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errors?: unknown[] };
  if (e?.code && UNREACHABLE_CODES.has(e.code)) return true;
  if (/Connection terminated|timeout expired/.test(e?.message ?? "")) return true;
  // Node reports a refused dual-stack connect as an AggregateError of the per-address errors.
  return Array.isArray(e?.errors) && e.errors.some(isUnreachable);
}

/** The code naming why a connection failed (ECONNREFUSED, …), else its message. */
export function unreachableReason(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  return e.code ?? e.errors?.find((x) => x.code)?.code ?? e.message ?? String(err);
}
