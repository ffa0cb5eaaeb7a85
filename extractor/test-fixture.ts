// A cached Luxembourg extraction for the tests of other stages (import, tiles, api…): extracting once per
// code change instead of once per test file. The cache key hashes the extractor's sources (.ts, .sql), the
// PBF and the rules, so a change to any of them re-extracts. Two vitest workers asking at once are
// serialised by an mkdir lock; the file itself appears atomically (the writer renames a temp file).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "../core/paths.ts";

const CACHE_DIR = join(PROJECT_ROOT, ".data", "test-cache");
const STALE_LOCK_MS = 10 * 60_000;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "test") out.push(...sourceFiles(p));
    } else if (/\.(ts|sql|mjs)$/.test(entry.name)) out.push(p);
  }
  return out.sort();
}

function cacheKey(pbf: string, rulesFile: string): string {
  const h = createHash("sha256");
  for (const f of sourceFiles(join(PROJECT_ROOT, "extractor"))) {
    h.update(relative(PROJECT_ROOT, f));
    h.update(readFileSync(f));
  }
  h.update(readFileSync(pbf));
  h.update(readFileSync(rulesFile));
  return h.digest("hex").slice(0, 16);
}

/** Every code change makes a new entry: drop those not used for an hour (a running test may still read one). */
function pruneStale(keep: string) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(CACHE_DIR)) {
    const p = join(CACHE_DIR, name);
    if (p === keep || p === `${keep}.meta.json` || !/^luxembourg-[0-9a-f]{16}\.jsonl\.gz(\.meta\.json)?$/.test(name))
      continue;
    const st = statSync(p, { throwIfNoEntry: false });
    if (st && st.atimeMs < hourAgo && st.mtimeMs < hourAgo) rmSync(p, { force: true });
  }
}

async function sleep(ms: number) {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Path of `luxembourg_filtered.osm.pbf` extracted (its stats sidecar, `PATH.meta.json`, beside it) with `--country-code lu`, Voronoi on, as `.jsonl.gz`.
 * Must run under vitest (it uses the per-run test database).
 */
export async function extractedLuxembourg(): Promise<string> {
  const pbf = join(PROJECT_ROOT, "data", "osm", "luxembourg_filtered.osm.pbf");
  const rulesDir = join(PROJECT_ROOT, "data", "libpostal", "boundaries");
  const target = join(CACHE_DIR, `luxembourg-${cacheKey(pbf, join(rulesDir, "lu.yaml"))}.jsonl.gz`);
  // the sidecar is written last: with it, the entry is complete
  const complete = () => existsSync(`${target}.meta.json`) && existsSync(target);
  if (complete()) return target;
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = `${target}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (complete()) return target;
      // A worker killed mid-extraction leaves its lock behind: take it over after a while.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    if (complete()) return target;
    const { testDatabase } = await import("../core/testing.ts");
    const { extract } = await import("./extract.ts");
    const db = await testDatabase("extract_fixture");
    try {
      await extract({ input: pbf, output: target, countryCode: "lu", voronoi: true, rulesDir, db });
    } finally {
      await db.close();
    }
    pruneStale(target);
    return target;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
