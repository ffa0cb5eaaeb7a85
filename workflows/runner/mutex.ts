// The workflow's `synchronization.mutexes`, honoured on this machine: a run holds a lock file per mutex for its
// whole duration, and a second run of the same pipeline is refused (exit 5, like any unavailable service: try
// again once the first has ended) instead of overlapping it. Argo queues the second workflow instead; a local
// command that waits silently for hours would be worse than one that says why it cannot start.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CosmoError, EXIT } from "../../core/errors.ts";

interface Holder {
  workflow: string;
  pid: number;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Holder;
  } catch {
    return null;
  }
}

/** Mutex names only ever become file names here. */
function lockFile(dir: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    throw new CosmoError(`synchronization mutex "${name}": the local runner takes names of letters, digits, _ . -`);
  return join(dir, `${name}.lock`);
}

/** Takes one mutex, or explains who holds it. A lock left by a process that is gone is taken over. */
function take(dir: string, name: string, workflow: string): string {
  const file = lockFile(dir, name);
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(file, "wx");
      const holder: Holder = { workflow, pid: process.pid, startedAt: new Date().toISOString() };
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = readHolder(file);
    if (holder && alive(holder.pid))
      throw new CosmoError(
        `workflow ${workflow} not started: mutex ${name} is held by workflow ${holder.workflow} (pid ${holder.pid}, since ${holder.startedAt}); a second run of the same pipeline would overlap it — run again once it has ended`,
        { exitCode: EXIT.unavailable },
      );
    // Its holder died without releasing it (kill -9, power loss).
    rmSync(file, { force: true });
  }
  throw new CosmoError(`mutex ${name}: could not take ${file} (another run took it meanwhile)`, {
    exitCode: EXIT.unavailable,
  });
}

/** Takes every mutex (all or none); the returned function releases them. */
export function acquireMutexes(names: string[], dir: string, workflow: string): () => void {
  mkdirSync(dir, { recursive: true });
  const held: string[] = [];
  try {
    for (const name of [...new Set(names)].sort()) held.push(take(dir, name, workflow));
  } catch (err) {
    for (const f of held) rmSync(f, { force: true });
    throw err;
  }
  return () => {
    for (const f of held) rmSync(f, { force: true });
  };
}
