// The exit handler's step: records how a run ended. A failed run changes nothing that is served (publish is
// the last step and is atomic), so recording is all there is to do; the record says which version is served.
import { openStore } from "../../core/storage.ts";
import { currentServedVersion } from "./served.ts";

export interface RunRecord {
  workflow: string;
  status: string;
  finishedAt: string;
  servedVersion: number | null;
}

async function servedVersion(): Promise<number | null> {
  // A record without the served version is still worth writing (e.g. the database is the failure).
  try {
    return await currentServedVersion();
  } catch (err) {
    process.stderr.write(`warning: served version unknown: ${(err as Error).message.split("\n")[0]}\n`);
    return null;
  }
}

export async function recordStep(opts: { status: string; workflow: string; bucket: string }): Promise<RunRecord> {
  const record: RunRecord = {
    workflow: opts.workflow,
    status: opts.status,
    finishedAt: new Date().toISOString(),
    servedVersion: await servedVersion(),
  };
  const store = await openStore();
  const url = `s3://${opts.bucket}/runs/${opts.workflow}.json`;
  await store.put(url, JSON.stringify(record, null, 2), { contentType: "application/json" });
  await store.setPointer(`s3://${opts.bucket}/runs/latest.json`, url, { status: opts.status });
  process.stdout.write(`${JSON.stringify(record)}\n`);
  if (opts.status !== "Succeeded") {
    process.stderr.write(
      `run ${opts.workflow} ${opts.status}: the served dataset is unchanged (version ${record.servedVersion ?? "none"})\n`,
    );
  }
  return record;
}
