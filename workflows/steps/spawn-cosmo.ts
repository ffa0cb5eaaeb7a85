// Runs another `cosmo …` command as a child process (the same CLI the image's entrypoint is).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { CosmoError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";

export interface CosmoRun {
  code: number;
  stdout: string;
}

/** stdout is captured and echoed; stderr passes through, so the step's log shows the stage's own messages. */
export function runCosmo(args: string[], opts: { echo?: boolean } = {}): Promise<CosmoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin/cosmo.js"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      if (opts.echo !== false) process.stdout.write(c);
    });
    child.on("error", (err) => reject(new CosmoError(`cannot run cosmo ${args[0]}: ${err.message}`)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}
