// The SQL-only ceiling: the tile statements of tiles/sql/*.sql run through pgbench on the same tiles, same
// database, same machine. One script per zoom band, weighted by how many sampled tiles fall in it; each
// transaction picks a random sampled tile (a primary-key lookup, \gset) and renders it — that lookup makes the
// ceiling slightly conservative (it is extra work the tile server does not do).
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Pool } from "pg";
import { loadSql } from "../../core/sql.ts";
import { bandFor } from "../../tiles/bands.ts";
import type { TileAddress } from "../../tiles/coords.ts";
import { LAYERS } from "../../tiles/layers.ts";
import { TILES_DEFAULTS } from "../../tiles/settings.ts";
import { OUT } from "./setup.ts";

const run = promisify(execFile);
const PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";

function literal(v: unknown): string {
  if (v === null) return "NULL";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  if (Array.isArray(v)) return `ARRAY[${v.map((s) => `'${String(s).replace(/'/g, "''")}'`).join(",")}]::text[]`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

export async function sqlCeiling(opts: {
  pool: Pool;
  url: string;
  schema: string;
  tiles: TileAddress[];
  clients: number;
  seconds: number;
}): Promise<{ tps: number; latencyMs: number }> {
  const dir = join(OUT, "pgbench");
  mkdirSync(dir, { recursive: true });
  await opts.pool.query("DROP TABLE IF EXISTS public.bench_tiles");
  await opts.pool.query(
    "CREATE TABLE public.bench_tiles (band text, k int, z int, x int, y int, PRIMARY KEY (band, k))",
  );
  const byBand = new Map<string, TileAddress[]>();
  for (const t of opts.tiles) {
    const name = bandFor(t.z).name;
    byBand.set(name, [...(byBand.get(name) ?? []), t]);
  }
  const args = ["-n", "-M", "prepared", "-c", String(opts.clients), "-j", "2", "-T", String(opts.seconds)];
  for (const [name, tiles] of byBand) {
    const values = tiles.map((t, i) => `('${name}', ${i + 1}, ${t.z}, ${t.x}, ${t.y})`).join(",");
    await opts.pool.query(`INSERT INTO public.bench_tiles VALUES ${values}`);
    const band = bandFor(tiles[0]?.z as number);
    const sql = loadSql(import.meta.url, "../../tiles/sql/tile.sql", { schema: opts.schema, table: band.table })
      .replace(/--[^\n]*/g, "")
      .replaceAll("$1", ":z::int")
      .replaceAll("$2", ":x::int")
      .replaceAll("$3", ":y::int")
      .replaceAll("$4::text[]", literal(band.zoneTypes))
      .replaceAll("$4", literal(band.zoneTypes))
      .replaceAll("$5", literal("zones"))
      .replaceAll("$6", "false")
      // pgbench reads ":word" even inside string literals as a variable: build 'name:xx' with chr(58).
      .replaceAll(
        "$7::text[]",
        `ARRAY(SELECT 'name' || chr(58) || l FROM unnest(${literal(TILES_DEFAULTS.languages)}) l)`,
      )
      .replaceAll("$8", literal(band.maxAdminLevel))
      .replaceAll("$9", literal(LAYERS.zones?.labelLayer ?? null))
      .replace(/\s+/g, " ")
      .trim();
    const script = join(dir, `tile-${name}.sql`);
    writeFileSync(
      script,
      `\\set k random(1, ${tiles.length})\nSELECT z, x, y FROM public.bench_tiles WHERE band = '${name}' AND k = :k \\gset\n${sql};\n`,
    );
    args.push("-f", `${script}@${tiles.length}`);
  }
  args.push(opts.url);
  const { stdout } = await run(PGBENCH, args, { maxBuffer: 16 << 20 });
  const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1] ?? 0);
  return { tps, latencyMs };
}
