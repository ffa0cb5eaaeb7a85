// Test runs' scratch folders: each run writes under tmp/run-<pid>, and a starting run removes what finished runs
// left but the newest (testing-setup.ts), so tmp/ stops growing by every run's folders.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RUN_TMP_PREFIX, TMP_ROOT, tmpDir } from "../testing.ts";
import { pruneTestTmp, staleTmpEntries } from "../testing-setup.ts";

const HOUR = 3600 * 1000;
const NOW = Date.UTC(2026, 11, 7, 12);

describe("test runs' tmp folders", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it("tmpDir makes its folders in this run's own folder", () => {
    const dir = tmpDir("where");
    expect(dir.startsWith(join(TMP_ROOT, `${RUN_TMP_PREFIX}${process.env.COSMO_TEST_RUN_ID}`))).toBe(true);
    expect(process.env.COSMO_TEST_RUN_ID).toMatch(/^\d+$/);
    rmSync(dir, { recursive: true });
  });

  it("picks finished runs but the newest, never a live run, and loose folders older than a day", () => {
    const alive = (pid: number) => pid === 40;
    const stale = staleTmpEntries(
      [
        { name: "run-10", mtimeMs: NOW - 3 * HOUR },
        { name: "run-20", mtimeMs: NOW - 1 * HOUR }, // the newest finished run: kept
        { name: "run-30", mtimeMs: NOW - 2 * HOUR },
        { name: "run-40", mtimeMs: NOW - 5 * HOUR }, // live
        { name: "nginx-abc123", mtimeMs: NOW - 25 * HOUR },
        { name: "export-def456", mtimeMs: NOW - 2 * HOUR }, // loose but recent: a bench may be using it
      ],
      alive,
      NOW,
    );
    expect(stale.sort()).toEqual(["nginx-abc123", "run-10", "run-30"]);
  });

  it("removes them from a real folder", () => {
    const root = mkdtempSync(join(tmpdir(), "cosmo-prune-"));
    roots.push(root);
    // A pid that cannot be alive (above the kernel's pid_max) and one that is: this process.
    const names = ["run-4194305", "run-4194306", `run-${process.pid}`, "old-xyz"];
    const ages = [3, 1, 9, 30];
    names.forEach((n, i) => {
      mkdirSync(join(root, n, "inner"), { recursive: true });
      const t = (NOW - ages[i] * HOUR) / 1000;
      utimesSync(join(root, n), t, t);
    });
    expect(pruneTestTmp(root, NOW).sort()).toEqual(["old-xyz", "run-4194305"]);
    expect(readdirSync(root).sort()).toEqual(["run-4194306", `run-${process.pid}`].sort());
    expect(existsSync(join(root, "run-4194306", "inner"))).toBe(true);
  });
});
