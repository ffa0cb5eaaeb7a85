// The bench-query table: verdicts only where the issue sets a target (grid, direct), a run without answers or
// with errors is no pass, an endpoint not built yet says so, and the import row sums the structure steps.
import { describe, expect, it } from "vitest";
import type { ImportFigures } from "../datasets.ts";
import { type DatasetResults, type Measured, type QueryResults, reportRows } from "../report.ts";

const measured = (rps: number, p99: number, status: Record<string, number> = { "200": rps * 10 }): Measured => ({
  requests: Object.values(status).reduce((s, n) => s + n, 0),
  rps,
  p50: p99 / 2,
  p99,
  status,
  errors: 0,
  responseBytes: 300,
  firstStatus: 200,
});

const importFigures = (steps: Record<string, number>): ImportFigures => ({
  time: { wall: 100, cpu: 120, rssMb: 400 },
  loadSeconds: 40,
  steps,
});

function dataset(over: Partial<DatasetResults> = {}): DatasetResults {
  return {
    version: 1,
    zones: 30_000,
    bbox: [5, 49, 17, 61],
    fractalVertices: 2_097_152,
    import: importFigures({ indexes: 10, "lookup pieces": 25, "search names": 10 }),
    cases: {
      direct: {
        healthz: measured(10_000, 20),
        at: { ...measured(3500, 40), cpuMsPerAnswer: { processMs: 0.21, machineMs: 0.57 } },
        zone: measured(2000, 40),
        search: measured(1500, 90, { "200": 100, "503": 5 }),
        locatePost: { skipped: "not available (POST /zones/locate answers 404)" },
        atFractal: { ...measured(0, 0, {}) },
      },
      nginx: { healthz: measured(8000, 30), at: measured(3000, 45), atFractal: measured(40, 900) },
    },
    apiPeakRssMb: 500,
    naivePgbench: { tps: 2800, latencyMs: 3, clients: 8 },
    naiveFractalPgbench: { tps: 50, latencyMs: 160, clients: 8 },
    locateCommand: { skipped: "not available (no `cosmo locate` command)" },
    ...over,
  };
}

const row = (rows: string[][], ds: string, via: string, title: string) =>
  rows.find((r) => r[0] === ds && r[1] === via && (r[2] as string).startsWith(title)) as string[];

describe("bench-query report", () => {
  const results: QueryResults = { seconds: 10, connections: 100, datasets: { grid: dataset(), lux: dataset() } };
  const rows = reportRows(results);

  it("gives verdicts on the grid, direct, and only information elsewhere", () => {
    expect(row(rows, "grid", "direct", "/zones/at, random")[5]).toBe("OK");
    expect(row(rows, "grid", "direct", "/zones/:id")[5]).toBe("MISS");
    // What the CPU does per answer, for a target beyond the hardware.
    expect(row(rows, "grid", "direct", "/zones/at, random")[3]).toContain(
      "CPU per answer 0.21 ms service, 0.57 ms machine",
    );
    expect(row(rows, "grid", "nginx", "/zones/at, random")[5]).toBe("info");
    expect(row(rows, "lux", "direct", "/zones/at, random")[5]).toBe("info");
    expect(row(rows, "grid", "nginx", "/zones/at, random")[6]).toBe(
      "38 % of /healthz; 107 % of naive SQL; 86 % of direct",
    );
    // Inside the fractal country the naive query is the one run in its bbox.
    expect(row(rows, "grid", "nginx", "/zones/at inside")[6]).toBe("1 % of /healthz; 80 % of naive SQL");
  });

  it("fails a case answered fast with errors or not at all, and says when an endpoint is not there", () => {
    expect(row(rows, "grid", "direct", "search")[5]).toBe("MISS");
    expect(row(rows, "grid", "direct", "search")[3]).toContain('status {"200":100,"503":5}');
    const fractal = row(rows, "grid", "direct", "/zones/at inside the fractal country (2097152 vertices)");
    expect(fractal[5]).toBe("MISS");
    expect(fractal[3]).toContain("no answer completed");
    expect(row(rows, "grid", "direct", "POST /zones/locate")[3]).toContain("not available");
    expect(row(rows, "grid", "direct", "POST /zones/locate")[5]).toBe("n/a");
    expect(row(rows, "grid", "cli", "cosmo locate")[3]).toContain("not available");
    expect(row(rows, "grid", "cli", "cosmo locate")[5]).toBe("n/a");
    const broken = reportRows({
      ...results,
      datasets: { grid: dataset({ locateCommand: { skipped: "failed: cosmo locate exited with 1", failed: true } }) },
    });
    expect(row(broken, "grid", "cli", "cosmo locate")[5]).toBe("MISS");
  });

  it("compares the import's lookup and search steps with its load, and the API's peak RSS with 1 GB", () => {
    const imp = row(rows, "grid", "import", "cosmo import");
    expect(imp[3]).toContain("structures 35.0 s");
    expect(imp[5]).toBe("OK");
    expect(imp[6]).toBe("88 % of load");
    const slow = reportRows({
      ...results,
      datasets: { grid: dataset({ import: importFigures({ "lookup pieces": 41 }), apiPeakRssMb: 1000 }) },
    });
    expect(row(slow, "grid", "import", "cosmo import")[5]).toBe("MISS");
    // 1000 MiB is 1049 MB: over the 1 GB target.
    expect(row(slow, "grid", "api", "API process peak RSS")[3]).toBe("1049 MB");
    expect(row(slow, "grid", "api", "API process peak RSS")[5]).toBe("MISS");
  });
});
