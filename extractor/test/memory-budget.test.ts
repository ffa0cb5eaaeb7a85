// `--memory-budget`: a budget too small for the zones' rings sends them to a temporary file until the write, and the
// output must be the very bytes of the run that kept them in memory (Luxembourg, Gatineau and a generated grid).
// The temporary files go away on success, on failure and on SIGINT/SIGTERM; a run killed outright leaves its
// directory, which must not break the next run (it removes it).
import fs, { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlatMultiPolygon } from "../../core/geometry/flat.ts";
import { memoryBudgetBytes, memoryBudgetProblem } from "../../core/memory-budget.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { COSMO_BIN, fixture, runNode, type TestDatabase, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { type ExtractOptions, extract } from "../extract.ts";
import { GeometryTexts } from "../geometry-texts.ts";
import { type Candidate, resolveInclusions } from "../inclusion-plan.ts";
import { inComponents } from "../postgis.ts";
import { SpillDir, SpilledGeometries } from "../spill.ts";
import { makeBigPbf } from "./helpers.ts";

const TINY = memoryBudgetBytes("64MiB");
const UNBOUNDED = 2 ** 50;

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await testDatabase("extract_budget");
  dir = tmpDir("extract-budget");
});
afterAll(async () => {
  await db.close();
});

let grid3: Promise<{ pbf: string; free: string }> | undefined;
/** A generated 3×3 grid of Luxembourg copies and its extract without a binding budget (made once, for two tests). */
function grid3Free(): Promise<{ pbf: string; free: string }> {
  grid3 ??= (async () => {
    const pbf = await makeBigPbf(join(dir, "grid3.osm.pbf"), 3);
    const free = join(dir, "grid-free.jsonl.gz");
    await extract({ input: pbf, output: free, countryCode: "lu", db, memoryBudget: UNBOUNDED });
    return { pbf, free };
  })();
  return grid3;
}

/** The same extract without a binding budget and with a tiny one: both outputs' bytes and the budgeted summary. */
async function bothWays(name: string, opts: Omit<ExtractOptions, "output" | "db" | "memoryBudget">) {
  const free = join(dir, `${name}-free.jsonl`);
  const tight = join(dir, `${name}-tight.jsonl`);
  const freeRun = await extract({ ...opts, output: free, db, memoryBudget: UNBOUNDED });
  const tightRun = await extract({ ...opts, output: tight, db, memoryBudget: TINY });
  return { free: readFileSync(free), tight: readFileSync(tight), freeRun, tightRun, freePath: free, tightPath: tight };
}

describe("extract under a memory budget: the same bytes", () => {
  it("Luxembourg (Voronoi on, country from the data): the rings spilled, the output identical", async () => {
    const r = await bothWays("lux", { input: fixture("luxembourg_filtered.osm.pbf") });
    expect(r.freeRun.memory.spilledGeometryBytes).toBe(0);
    expect(r.tightRun.memory.spilledGeometryBytes).toBeGreaterThan(0);
    expect(r.tightRun.memory.spilledLabelBytes).toBeGreaterThan(0);
    expect(r.freeRun.memory.spilledLabelBytes).toBe(0);
    // the rings left memory at the load already (the tiny budget), and came back for the inclusion tests
    expect(r.tightRun.memory.ringsSpilledAtLoad).toBe(true);
    expect(r.freeRun.memory.ringsSpilledAtLoad).toBe(false);
    expect(r.tightRun.zoneCount).toBe(212);
    expect(r.tight.equals(r.free)).toBe(true);
    expect(readFileSync(`${r.tightPath}.meta.json`).equals(readFileSync(`${r.freePath}.meta.json`))).toBe(true);
  });

  it("Luxembourg with --filter-langs and without Voronoi: the labels spilled are the filtered ones", async () => {
    const r = await bothWays("lux-langs", {
      input: fixture("luxembourg_filtered.osm.pbf"),
      countryCode: "lu",
      voronoi: false,
      filterLangs: ["fr", "de", "zz"],
    });
    expect(r.tightRun.memory.spilledLabelBytes).toBeGreaterThan(0);
    expect(r.tightRun.zoneCount).toBe(215);
    expect(r.tight.equals(r.free)).toBe(true);
  });

  it("Gatineau (--country-code ca, .json with its meta block)", async () => {
    const free = join(dir, "gatineau-free.json");
    const tight = join(dir, "gatineau-tight.json");
    const input = fixture("gatineau.osm.pbf");
    await extract({ input, output: free, countryCode: "ca", db, memoryBudget: UNBOUNDED });
    const tightRun = await extract({ input, output: tight, countryCode: "ca", db, memoryBudget: TINY });
    expect(tightRun.memory.spilledGeometryBytes).toBeGreaterThan(0);
    expect(readFileSync(tight).equals(readFileSync(free))).toBe(true);
  });

  it("a generated 3×3 grid of Luxembourg copies (make-big.ts; 3 M vertices: the text workers read the spill), gzip output", async () => {
    const { pbf, free } = await grid3Free();
    const tight = join(dir, "grid-tight.jsonl.gz");
    const tightRun = await extract({ input: pbf, output: tight, countryCode: "lu", db, memoryBudget: TINY });
    expect(tightRun.memory.spilledGeometryBytes).toBeGreaterThan(0);
    // 64 MiB: 0.5 M positions of rings read back at a time, about one copy: the tests ran in several groups
    expect(tightRun.memory.ringsSpilledAtLoad).toBe(true);
    expect(tightRun.memory.inclusionGroups).toBeGreaterThan(3);
    // 64 MiB: the read's tables do not fit either; its ways and nodes came in batches of relations
    expect(tightRun.memory.readBatches).toBeGreaterThan(3);
    expect(tightRun.zoneCount).toBeGreaterThan(9 * 200);
    expect(readFileSync(tight).equals(readFileSync(free))).toBe(true);
  }, 300_000); // a file to generate and two extracts of 9 copies: slow on a busy machine

  it("a 3×3 grid under a budget that holds its read but not 256 way nodes a way member: read at once, the same bytes", async () => {
    const { pbf, free } = await grid3Free();
    // 9 copies × ~12 k way members × 256 × 88 bytes ≈ 2.4 GB: the first guess alone would read in batches; the file's
    // way blobs hold ~1.5 M way nodes (~130 MB of read and rings), far within the budget
    const roomy = join(dir, "grid-roomy.jsonl.gz");
    const run = await extract({ input: pbf, output: roomy, countryCode: "lu", db, memoryBudget: 2 * 1024 ** 3 });
    expect(run.memory.readBatches).toBe(1);
    expect(run.memory.ringsSpilledAtLoad).toBe(false);
    expect(readFileSync(roomy).equals(readFileSync(free))).toBe(true);
  }, 300_000);

  it("a realistic file (make-big.ts with filler: buildings, roads, POIs around the boundaries): node blobs skipped, output identical", async () => {
    const pbf = join(dir, "real1.osm.pbf");
    await makeBigPbf(pbf, 1, 4);
    const free = join(dir, "real-free.jsonl");
    const tight = join(dir, "real-tight.jsonl");
    const opts = { input: pbf, countryCode: "lu", voronoi: false, db };
    const freeRun = await extract({ ...opts, output: free, memoryBudget: UNBOUNDED });
    const tightRun = await extract({ ...opts, output: tight, memoryBudget: TINY });
    expect(tightRun.memory.ringsSpilledAtLoad).toBe(true);
    expect(readFileSync(tight).equals(readFileSync(free))).toBe(true);
    // the zones of Luxembourg's boundaries alone (docs/extractor.md): the filler makes none
    expect(freeRun.zoneCount).toBe(215);
    // pass 3 passes over the filler's node blobs: far fewer inflations than the file's blobs
    expect(freeRun.blobs.skipped).toBeGreaterThan(freeRun.blobs.inFile);
    expect(freeRun.blobs.decoded).toBeLessThan(freeRun.blobs.inFile / 2);
  }, 300_000);
});

describe("inclusion tests in groups of candidate components (inComponents)", () => {
  it("reads every spilled ring of a group back bit for bit into shared memory, and answers as one search over every pair", async () => {
    // 30 components of 4 zones (a container, two nested zones, a sibling), rings of 5 to 60 positions; every
    // fifth zone keeps its rings in memory (not spilled); the pairs of the components interleaved
    const components = 30;
    const ringOf = (id: number) => {
      const n = 5 + ((id * 37) % 56);
      return Float64Array.from({ length: 2 * n }, (_, i) => id + i / 1000 + (i % 2 ? -0.5 : 0.25));
    };
    const rows: Candidate[] = [];
    for (let c = 0; c < components; c++) {
      const [a, b, d, e] = [4 * c, 4 * c + 1, 4 * c + 2, 4 * c + 3];
      rows.push(
        { container: a, zone: b },
        { container: a, zone: d },
        { container: b, zone: d },
        { container: a, zone: e },
      );
    }
    rows.sort((x, y) => ((x.zone * 7919) % 97) - ((y.zone * 7919) % 97) || x.container - y.container);
    const area = (id: number) => 10 - (id % 4);
    const answer = (p: Candidate) => (p.container * 3 + p.zone) % 5 !== 0;
    const spillDir = new SpillDir(tmpDir("spill-components"));
    const rings = new SpilledGeometries(spillDir.file("rings.f64"));
    try {
      for (let id = 0; id < 4 * components; id++) if (id % 5 !== 0) rings.spill(id, [[ringOf(id)]]);
      const one = await resolveInclusions(rows, area, async (pairs) => pairs.filter(answer));
      expect(one.size).toBeGreaterThan(components);
      for (const groupVertices of [1, 70, 400, 1e9]) {
        const readBack = new Map<number, FlatMultiPolygon>();
        let done = 0;
        const search = (group: Candidate[]) =>
          resolveInclusions(group, area, async (pairs) => {
            for (const p of pairs) {
              for (const id of [p.container, p.zone]) {
                if (id % 5 === 0) continue;
                const back = readBack.get(id);
                expect(back, `zone ${id} read back`).toBeDefined();
                expect(back![0][0].buffer).toBeInstanceOf(SharedArrayBuffer);
                expect(Array.from(back![0][0])).toEqual(Array.from(ringOf(id)));
              }
            }
            return pairs.filter(answer);
          });
        const r = await inComponents(rows, rings, groupVertices, readBack, search, async () => {
          done++;
        });
        expect([...r.inclusions]).toEqual([...one]);
        expect(r.groups).toBe(done);
        expect(readBack.size).toBe(0);
        if (groupVertices === 1) expect(r.groups).toBe(components);
        if (groupVertices === 1e9) expect(r.groups).toBe(1);
        if (groupVertices === 400) expect(r.groups).toBeGreaterThan(1);
      }
    } finally {
      rings.close();
      spillDir.close();
    }
  });
  it("reads every group back into one buffer, sized to the largest group: never a second group's beside it", async () => {
    // 6 components of 2 zones (ring of 1000 positions each; the third component's 3000), one group each. A buffer a
    // group was freed only once every thread collected every view of it, which V8 could delay past the next
    // group's (GRID 24: two 128 MB buffers at once, the extract's peak)
    const spillDir = new SpillDir(tmpDir("spill-components-buffer"));
    const rings = new SpilledGeometries(spillDir.file("rings.f64"));
    try {
      const rows: Candidate[] = [];
      for (let c = 0; c < 6; c++) {
        rows.push({ container: 2 * c, zone: 2 * c + 1 });
        const n = c === 2 ? 3000 : 1000;
        for (const id of [2 * c, 2 * c + 1]) {
          rings.spill(id, [[Float64Array.from({ length: 2 * n }, (_, i) => id + i)]]);
        }
      }
      const readBack = new Map<number, FlatMultiPolygon>();
      const buffers = new Set<ArrayBufferLike>();
      const search = async (group: Candidate[]) => {
        for (const [id, area] of readBack) {
          buffers.add(area[0][0].buffer);
          expect(area[0][0][0], `zone ${id}'s rings, not the last group's`).toBe(id);
        }
        return new Map(group.map((p) => [p.zone, [p.container]]));
      };
      const r = await inComponents(rows, rings, 2000, readBack, search, async () => {});
      expect(r.groups).toBe(6);
      expect(buffers.size).toBe(1);
      // the largest group: 2 zones × 3000 positions × 16 bytes
      expect([...buffers][0].byteLength).toBe(2 * 3000 * 16);
    } finally {
      rings.close();
      spillDir.close();
    }
  });
});

describe("spilled geometries", () => {
  it("come back bit for bit, and their texts on worker threads, read back as the window moves, are the same", async () => {
    // rings of awkward doubles (negative zero, subnormal, long fractions), some zones without geometry
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const ring = (n: number) => {
      const r = new Float64Array(2 * n + 2);
      for (let i = 0; i < 2 * n; i++) r[i] = (rnd() - 0.5) * 360 + rnd() / 3;
      r[0] = -0;
      r[1] = 5e-324;
      r[2 * n] = r[0];
      r[2 * n + 1] = r[1];
      return r;
    };
    const geometries: (FlatMultiPolygon | null)[] = Array.from({ length: 300 }, (_, i) =>
      i % 7 === 3 ? null : Array.from({ length: 1 + (i % 3) }, (_, p) => [ring(4 + ((i * 13 + p) % 90)), ring(4)]),
    );
    const spillDir = new SpillDir(tmpDir("spill-unit"));
    try {
      const spilled = new SpilledGeometries(spillDir.file("g.f64"));
      geometries.forEach((g, id) => {
        if (g) spilled.spill(id, g);
      });
      const source = {
        length: geometries.length,
        at: (id: number) => (spilled.has(id) ? spilled.read(id, { forget: true }) : null),
      };
      const fromDisk = new GeometryTexts(source, 2, 200, 1000);
      const inMemory = new GeometryTexts(geometries, 1);
      try {
        for (let i = 0; i < geometries.length; i++) {
          const a = await fromDisk.next();
          const b = await inMemory.next();
          expect(a === null ? null : Buffer.from(a).toString()).toBe(b === null ? null : Buffer.from(b).toString());
        }
      } finally {
        await fromDisk.close();
        await inMemory.close();
        spilled.close();
      }
      const again = new SpilledGeometries(spillDir.file("h.f64"));
      again.spill(1, geometries[1]!);
      const back = again.read(1);
      again.close();
      expect(back.map((p) => p.map((r) => Array.from(r)))).toEqual(
        geometries[1]!.map((p) => p.map((r) => Array.from(r))),
      );
      expect(Object.is(back[0][0][0], -0)).toBe(true);
    } finally {
      spillDir.close();
    }
  });
});

describe("memory budget values", () => {
  it("takes binary and decimal sizes, refuses words and sizes too small to run", () => {
    expect(memoryBudgetBytes("1GiB")).toBe(1024 ** 3);
    expect(memoryBudgetBytes("512MiB")).toBe(512 * 1024 ** 2);
    expect(memoryBudgetBytes("2GB")).toBe(2e9);
    expect(memoryBudgetProblem("lots")).toMatch(/expected a size such as 1GiB/);
    expect(memoryBudgetProblem("1MiB")).toMatch(/below the smallest budget/);
    expect(memoryBudgetProblem("-1GiB")).toMatch(/below the smallest budget/);
  });
});

/** `cosmo extract` on Luxembourg with TMPDIR set to `tmp` (where the spill directory goes). */
function extractCli(tmp: string, extra: string[], onSpawn?: (pid: number) => void, env: NodeJS.ProcessEnv = {}) {
  mkdirSync(tmp, { recursive: true });
  const out = join(tmp, "..", `${tmp.split("/").pop()}.jsonl`);
  return runNode(
    [COSMO_BIN, "extract", "-i", fixture("luxembourg_filtered.osm.pbf"), "-o", out, "--country-code", "lu", ...extra],
    { env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn", TMPDIR: tmp, ...env }, onSpawn },
  );
}

const spillDirs = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith("cosmo-extract-spill-"));

/** Resolves once the run's spill directory exists (it is made before the PBF is read). */
async function spillDirAppears(tmp: string): Promise<void> {
  while (spillDirs(tmp).length === 0) await new Promise((r) => setTimeout(r, 20));
}

describe("cosmo extract --memory-budget: bad values, temporary files", () => {
  it("a bad --memory-budget is refused before any work (exit 2), naming the option", async () => {
    const tmp = join(dir, "bad-option");
    const r = await extractCli(tmp, ["--memory-budget", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--memory-budget: expected a size such as 1GiB, 512MiB or 2GB, got "lots"/);
    const small = await extractCli(tmp, ["--memory-budget", "1MiB"]);
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/--memory-budget: "1MiB" is below the smallest budget/);
    expect(existsSync(join(dir, "bad-option.jsonl"))).toBe(false);
  });

  it("a bad extract.memoryBudget setting is a config error (exit 4) naming the setting", async () => {
    const r = await extractCli(join(dir, "bad-config"), [], undefined, { COSMO_EXTRACT_MEMORY_BUDGET: "much" });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/extract\.memoryBudget/);
    expect(r.stderr).toMatch(/expected a size such as 1GiB/);
  });

  it("removes its temporary files on success and on failure", async () => {
    const tmp = join(dir, "lifecycle");
    const ok = await extractCli(tmp, ["--memory-budget", "64MiB"]);
    expect(ok.code).toBe(0);
    expect(spillDirs(tmp)).toEqual([]);
    const failed = await runNode(
      [
        COSMO_BIN,
        "extract",
        "-i",
        join(PROJECT_ROOT, "package.json"),
        "-o",
        join(tmp, "x.jsonl"),
        "--memory-budget",
        "64MiB",
      ],
      { env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn", TMPDIR: tmp } },
    );
    expect(failed.code).toBe(2);
    expect(spillDirs(tmp)).toEqual([]);
  });

  it("listens for SIGINT and SIGTERM before its directory exists (a signal in between left the directory behind)", () => {
    // Node's own fs, whose named exports spill.ts imports: its mkdtempSync wrapped to see the listeners at creation.
    const before = { int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") };
    let atCreation = { int: -1, term: -1 };
    const original = fs.mkdtempSync;
    fs.mkdtempSync = ((...args: Parameters<typeof fs.mkdtempSync>) => {
      atCreation = {
        int: process.listenerCount("SIGINT") - before.int,
        term: process.listenerCount("SIGTERM") - before.term,
      };
      return original(...args);
    }) as typeof fs.mkdtempSync;
    syncBuiltinESMExports();
    let spill: SpillDir | undefined;
    try {
      spill = new SpillDir(tmpDir("spill-signals"));
    } finally {
      fs.mkdtempSync = original;
      syncBuiltinESMExports();
      spill?.close();
    }
    expect(atCreation).toEqual({ int: 1, term: 1 });
    expect({ int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") }).toEqual(before);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("removes its temporary files when stopped by %s", async (signal) => {
    const tmp = join(dir, `signal-${signal}`);
    let pid = 0;
    const running = extractCli(tmp, ["--memory-budget", "64MiB"], (p) => {
      pid = p;
    });
    await spillDirAppears(tmp);
    process.kill(pid, signal);
    const r = await running;
    expect(r.signal).toBe(signal);
    expect(spillDirs(tmp)).toEqual([]);
  });

  it("a run killed with SIGKILL leaves its directory; the next run works and removes it", async () => {
    const tmp = join(dir, "sigkill");
    let pid = 0;
    const killed = extractCli(tmp, ["--memory-budget", "64MiB"], (p) => {
      pid = p;
    });
    await spillDirAppears(tmp);
    process.kill(pid, "SIGKILL");
    expect((await killed).signal).toBe("SIGKILL");
    const left = spillDirs(tmp);
    expect(left).toHaveLength(1);
    const next = await extractCli(tmp, ["--memory-budget", "64MiB"]);
    expect(next.code).toBe(0);
    expect(spillDirs(tmp)).toEqual([]);
  });
});
