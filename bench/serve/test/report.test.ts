import { describe, expect, it } from "vitest";
import { alternate, type LoadResult } from "../load.ts";
import { reportLines, uncachedResult } from "../report.ts";

// Rounds as `alternate()` returns them: the server steady, the SQL ceiling different in every round.
async function measuredRounds(ceilingTps: number[]) {
  let round = 0;
  const server = (): Promise<LoadResult> =>
    Promise.resolve({ requests: 800, rps: 80, p50: 10, p99: 30, status: { "200": 800 }, errors: 0 });
  const ceiling = () => {
    const tps = ceilingTps[round++] as number;
    return Promise.resolve({ tps, latencyMs: 8000 / tps, rps: tps });
  };
  return alternate(ceilingTps.length, server, ceiling);
}

describe("bench-serve report", () => {
  it("prints the SQL ceiling the uncached ratio divides by: the mean of the rounds, not round 1", async () => {
    const [server, ceiling] = await measuredRounds([100, 200, 300]);
    const results = {
      uncached: uncachedResult(server, ceiling),
      lowZoom: { z0: { p50: 5, p99: 9, bytes: 1000 } },
    };
    const line = reportLines(results)[0] as string;
    expect(line).toContain("80 req/s vs SQL ceiling 200 tps");
    expect(line).toContain("= 40 %");
    expect(results.uncached.ceiling.tps).toBe(200);
    expect(results.uncached.ceiling.latencyMs).toBeCloseTo((80 + 40 + 8000 / 300) / 3, 9);
    expect(results.uncached.ceiling.rounds.map((r) => r.tps)).toEqual([100, 200, 300]);
  });
});
