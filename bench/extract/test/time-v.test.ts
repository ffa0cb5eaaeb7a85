import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTimeV, sizeMb } from "../time-v.ts";

// The lines of a GNU `time -v` report that the extract report reads (a 1 000 000 KiB peak = 1 024 000 000 B).
const REPORT = `\tCommand being timed: "cosmo extract"
\tUser time (seconds): 61.25
\tSystem time (seconds): 3.75
\tPercent of CPU this job got: 98%
\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:05.50
\tMaximum resident set size (kbytes): 1000000
\tExit status: 0
`;

describe("extract bench report units", () => {
  it("gives peak RSS in the unit file sizes are in (MB), so RSS ÷ a file size is a ratio of bytes", () => {
    const run = parseTimeV(REPORT);
    expect(run.wall).toBeCloseTo(65.5, 9);
    expect(run.cpu).toBeCloseTo(65, 9);
    expect(run.rssMb).toBe(1024);
    // a boundary GeoJSON of exactly the peak's bytes: the memory ratio is 1
    expect(run.rssMb / sizeMb(1_024_000_000)).toBe(1);
  });

  it("reads a report written by the real /usr/bin/time -v", () => {
    const dir = mkdtempSync(join(tmpdir(), "time-v-"));
    try {
      const file = join(dir, "run.time");
      execFileSync("/usr/bin/time", ["-v", "-o", file, process.execPath, "-e", "0"]);
      const run = parseTimeV(readFileSync(file, "utf8"));
      expect(run.rssMb).toBeGreaterThan(1);
      expect(Number.isFinite(run.wall) && Number.isFinite(run.cpu)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
