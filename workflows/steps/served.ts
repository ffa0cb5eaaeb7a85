// Which dataset version is served, through the importer's contract function. Used by the exit handler's
// record and by the `is-served` check that lets a re-run finish a version imported but never published.
import { openDatabase } from "../../core/db.ts";
import { servedVersion } from "../../importer/publish.ts";

export async function currentServedVersion(): Promise<number | null> {
  const db = await openDatabase();
  try {
    return (await servedVersion(db.pool))?.version ?? null;
  } finally {
    await db.close();
  }
}

/** Prints `true` when `version` is the served one: everything after import can then be skipped. */
export async function isServedStep(version: string): Promise<void> {
  const served = await currentServedVersion();
  process.stdout.write(`${served !== null && String(served) === version.trim() ? "true" : "false"}\n`);
}
