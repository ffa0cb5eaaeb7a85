// Temporary files: removed when the work fails, and those of processes killed with -9 removed by the next run.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createZoneWriter } from "../cosmogony/writer.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { localFile } from "../storage.ts";
import { testStore, tmpDir } from "../testing.ts";

/** A pid no process has any more: one of a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

function ours(prefix: string): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
}

describe("temporary files", () => {
  test("a failed S3 download leaves nothing in the temp directory; downloads of dead processes are removed", async () => {
    const store = testStore();
    await store.put(store.url("present.txt"), "here");
    const before = ours(`cosmo-${process.pid}-`);
    await expect(localFile(store.url("missing.json"), { store })).rejects.toThrow(/no such object/);
    expect(ours(`cosmo-${process.pid}-`)).toEqual(before);

    const dead = deadPid();
    const orphan = join(tmpdir(), `cosmo-${dead}-0badc0de`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, "planet.osm.pbf"), "partial");
    const alive = join(tmpdir(), `cosmo-${process.ppid}-0badc0de`); // a live process's download in progress
    mkdirSync(alive, { recursive: true });
    try {
      const local = await localFile(store.url("present.txt"), { store });
      await local.cleanup();
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(alive)).toBe(true);
    } finally {
      spawnSync("rm", ["-rf", alive, orphan]);
    }
  });

  test("an extract killed with -9 leaves .NAME.tmp-<pid>-<hex>; the next write of NAME removes it", async () => {
    const dir = tmpDir("orphans");
    const target = join(dir, "zones.jsonl.gz");
    // A writer process killed in the middle of its output.
    const script = `
      import { createZoneWriter } from "./core/cosmogony/writer.ts";
      import { sampleZones } from "./core/cosmogony/test/sample-zones.ts";
      const w = createZoneWriter(${JSON.stringify(target)});
      for (const z of sampleZones()) await w.write(z);
      process.stdout.write("written\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((ok) => child.stdout?.on("data", (d) => String(d).includes("written") && ok()));
    const left = readdirSync(dir).filter((n) => n.startsWith(".zones.jsonl.gz.tmp-"));
    expect(left).toEqual([expect.stringMatching(new RegExp(`^\\.zones\\.jsonl\\.gz\\.tmp-${child.pid}-[0-9a-f]+$`))]);
    child.kill("SIGKILL");
    await new Promise((ok) => child.once("exit", ok));
    // A live writer's temp file next to it must stay.
    const live = join(dir, `.zones.jsonl.gz.tmp-${process.ppid}-0abc`);
    writeFileSync(live, "");

    const w = createZoneWriter(target);
    await w.close();
    expect(readdirSync(dir).sort()).toEqual([`.zones.jsonl.gz.tmp-${process.ppid}-0abc`, "zones.jsonl.gz"]);
  });
});
