// After a publish: the dashboard document of the version now served becomes the one the explorer shows
// (`<data.publicDir>/dashboard/latest.json` + test_results.json). In a cluster publicDir is an s3:// prefix that the
// web pods proxy /data/ to; locally it is the directory nginx serves.
import { readFile } from "node:fs/promises";
import { InputError } from "../../core/errors.ts";
import { publishDashboard } from "../../dashboard/output.ts";
import { DashboardReportSchema } from "../../dashboard/report-schema.ts";

export async function publishDashboardStep(opts: { file: string }): Promise<string[]> {
  const text = await readFile(opts.file, "utf8").catch(() => {
    throw new InputError("no such file", { file: opts.file });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not JSON: ${(err as Error).message}`, { file: opts.file });
  }
  const parsed = DashboardReportSchema.safeParse(json);
  if (!parsed.success)
    throw new InputError(`not a dashboard document: ${parsed.error.issues[0]?.path.join(".")}`, { file: opts.file });
  return publishDashboard(parsed.data);
}
