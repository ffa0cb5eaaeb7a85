// Temporary files carry the pid of the process that writes them (`<name>.tmp-<pid>-<hex>`, `cosmo-<pid>-…` in the
// system temp directory): a process killed with -9 cannot remove its own, so the next run removes those whose
// process is gone. A live pid's files are left alone (a run in progress).
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { processAlive } from "./lock.ts";
import { childLogger } from "./log.ts";

const log = childLogger("temp-files");

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Remove the entries of `dir` matching `pattern` (its first group is the writer's pid) whose writer is gone. */
export async function removeOrphans(dir: string, pattern: RegExp): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    const path = join(dir, name);
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  if (removed.length) log.info({ removed }, "removed temporary files of processes that are gone");
  return removed;
}

/** Leftovers next to a local output file: `.NAME.tmp-<pid>-<hex>` (zones writer) and `NAME.tmp-<pid>-<hex>`. */
export function removeOrphanSiblings(target: string): Promise<string[]> {
  const name = escapeRegExp(basename(target));
  return removeOrphans(dirname(target), new RegExp(`^\\.?${name}\\.tmp-(\\d+)-[0-9a-f]+$`));
}

/** Leftover downloads and staged uploads in the system temp directory: `cosmo-<pid>-…`, `cosmo-zones-<pid>-…`. */
export function removeOrphanDownloads(): Promise<string[]> {
  return removeOrphans(tmpdir(), /^cosmo-(?:zones-)?(\d+)-/);
}
