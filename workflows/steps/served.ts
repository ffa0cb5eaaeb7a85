// Which dataset version is served, through the importer's contract function. Used by the exit handler's
// record and by the `is-served` check that lets a re-run finish a version imported but never published.
import { openDatabase } from "../../core/db.ts";
import { InputError } from "../../core/errors.ts";
import { servedVersion } from "../../importer/publish.ts";
import { explode, parseSummary } from "./summary.ts";

export async function currentServedVersion(): Promise<number | null> {
  const db = await openDatabase();
  try {
    return (await servedVersion(db.pool))?.version ?? null;
  } finally {
    await db.close();
  }
}

/**
 * From the import summary, writes the imported version (and its zone count) as output parameters and prints `true` when it is the
 * served one: everything after import can then be skipped.
 */
export async function isServedStep(opts: { summary: string; outputs: string }): Promise<void> {
  const summary = parseSummary(opts.summary, "--summary");
  const version = summary.version;
  if (typeof version !== "number" || !Number.isInteger(version))
    throw new InputError("import summary has no version", { object: opts.summary.slice(0, 120) });
  // zone-count feeds the zones-imported metric of the template.
  explode({ version, zoneCount: Number(summary.zoneCount ?? 0) }, opts.outputs);
  const served = await currentServedVersion();
  process.stdout.write(`${served === version ? "true" : "false"}\n`);
}
