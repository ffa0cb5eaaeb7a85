// The comparison for point lookups: the naive query, `ST_Covers` on every zone's full geometry (through its
// GiST index), ids only, through pgbench at uniform random points of the same bbox (pgbench's own seeded
// generator). It is what the HTTP answer is set against: the cost of the geometry test alone.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadSql } from "../../core/sql.ts";
import type { Bbox } from "./inputs.ts";

const run = promisify(execFile);
const PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";
/** pgbench draws integers: a point is (x, y) on a STEPS × STEPS lattice over the bbox. */
const STEPS = 1_000_000;
const PGBENCH_SEED = 1608;

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  clients: number;
}

export async function naivePointQuery(opts: {
  url: string;
  schema: string;
  bbox: Bbox;
  clients: number;
  seconds: number;
  dir: string;
  name: string;
}): Promise<PgbenchResult> {
  const [minX, minY, maxX, maxY] = opts.bbox;
  const sql = loadSql(import.meta.url, "sql/naive-point.sql", {
    schema: opts.schema,
    min_x: minX,
    min_y: minY,
    step_x: (maxX - minX) / STEPS,
    step_y: (maxY - minY) / STEPS,
  })
    .replace(/--[^\n]*/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const script = join(opts.dir, `naive-point-${opts.name}.sql`);
  writeFileSync(script, `\\set x random(0, ${STEPS})\n\\set y random(0, ${STEPS})\n${sql}\n`);
  const args = [
    "-n",
    "-M",
    "prepared",
    "-c",
    String(opts.clients),
    "-j",
    "2",
    "-T",
    String(Math.max(1, Math.round(opts.seconds))),
  ];
  args.push(`--random-seed=${PGBENCH_SEED}`, "-f", script, opts.url);
  const { stdout } = await run(PGBENCH, args, { maxBuffer: 16 << 20 });
  return {
    tps: Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? 0),
    latencyMs: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1] ?? 0),
    clients: opts.clients,
  };
}
