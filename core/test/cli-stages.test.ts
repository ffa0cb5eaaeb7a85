import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND_SUMMARIES, STAGE_COMMANDS } from "../../cli-stages.ts";
import { PROJECT_ROOT } from "../paths.ts";

const cosmo = (...args: string[]) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/cosmo.js"), ...args], { encoding: "utf8", cwd: PROJECT_ROOT });

describe("cosmo's command table (cli-stages.ts)", () => {
  it("names exactly the commands each stage module registers, each once", async () => {
    const seen: string[] = [];
    for (const stage of STAGE_COMMANDS) {
      const registered = (await stage.load()).commands();
      expect(registered.map((c) => c.name())).toEqual(stage.names);
      // What `cosmo --help` lists without loading the stage is what the stage says of its commands.
      for (const c of registered)
        expect({ [c.name()]: COMMAND_SUMMARIES[c.name()] }).toEqual({ [c.name()]: c.description() });
      seen.push(...stage.names);
    }
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("help lists every command; a command's own help and an unknown command still work", () => {
    const help = cosmo("--help");
    expect(help.status).toBe(0);
    for (const name of STAGE_COMMANDS.flatMap((s) => s.names))
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    const extract = cosmo("-c", "/nonexistent.yaml", "extract", "--help");
    expect(extract.status).toBe(0);
    expect(extract.stdout).toContain("--covers");
    const viaHelp = cosmo("help", "extract");
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toContain("--covers");
    const unknown = cosmo("nosuchstage");
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'nosuchstage'/);
  });
});
