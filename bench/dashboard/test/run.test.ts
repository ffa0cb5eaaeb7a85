// Smoke test of `make bench-dashboard` on a small generated file: every command it runs must exist with the flags
// it passes (the benchmark once kept calling `cosmo diff --no-store` after that option was gone), file mode and
// dataset mode must agree, and the diff must find the perturbation it was given.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runNode, testDatabase, testEnv, tmpDir } from "../../../core/testing.ts";

describe("bench/dashboard/run.ts", () => {
  it("runs end to end on a small file and reports the targets", async () => {
    const dir = tmpDir("bench-dashboard");
    const input = join(dir, "zones.jsonl");
    const gen = await runNode(["--import", "tsx", "bench/import/generate.ts", input, "--vertices", "60000"]);
    expect(gen.code, gen.stderr).toBe(0);
    const db = await testDatabase("bench_dashboard");
    try {
      const run = await runNode(["--import", "tsx", "bench/dashboard/run.ts", input], {
        env: { ...testEnv({ db }), BENCH_DASHBOARD_OUT: join(dir, "out") },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("file mode == dataset mode: true");
      expect(run.stdout).toMatch(/dashboard -i FILE .*× import \(target ≤ 2×/);
      expect(run.stdout).toMatch(/diff FILE PERTURBED .*× import \(target ≤ 2×/);
      const expected = JSON.parse(/diff expected (.*)/.exec(run.stdout)![1]);
      const found = JSON.parse(/diff found {4}(.*)/.exec(run.stdout)![1]);
      expect(found.removed).toBe(expected.removed);
      expect(found.renamed).toBe(expected.renamed);
    } finally {
      await db.close();
    }
  });
});
