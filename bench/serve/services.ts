// The services under test run as separate processes (`cosmo tiles serve` / `cosmo api serve`), as deployed,
// so the load generator in this process does not share their event loop.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../core/paths.ts";

export interface Service {
  url: string;
  pid: number;
  /** Peak resident set size so far (VmHWM), MB. */
  peakRssMb(): number;
  rssMb(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

export async function startService(
  stage: "tiles" | "api",
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Service> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "bin", "cosmo.js"), stage, "serve", "--port", String(port), "--host", "127.0.0.1"],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, COSMO_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${stage} serve exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${stage} serve did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid as number;
  return {
    url,
    pid,
    peakRssMb: () => statusKb(pid, "VmHWM") / 1024,
    rssMb: () => statusKb(pid, "VmRSS") / 1024,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
