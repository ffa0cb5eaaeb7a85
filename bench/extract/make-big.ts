// Builds the extract benchmark's input: Luxembourg's boundary extract replicated on a GRID×GRID grid of
// 1°-spaced copies, each with fresh ids (copy k adds k·10^10 to every node/way/relation id and reference)
// and shifted coordinates, written in type-then-id order like a real extract. Metadata is kept so the
// blobs look like real ones. Usage: tsx bench/extract/make-big.ts SRC.osm.pbf OUT.osm.pbf [GRID]
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";

const [src, out, gridArg] = process.argv.slice(2);
if (!src || !out) throw new Error("usage: make-big.ts SRC.osm.pbf OUT.osm.pbf [GRID]");
const grid = Number(gridArg ?? 12);
const ID_STRIDE = 1e10; // above any real OSM id today, and grid² · 10^10 stays far below 2^53
const STEP = 1.0; // degrees between copies (Luxembourg's extract spans ~0.9° × 0.85°)

const lines = execFileSync("osmium", ["cat", src, "-f", "opl", "-o", "-"], { maxBuffer: 1 << 30 })
  .toString()
  .split("\n")
  .filter((l) => l);
const byType = { n: [] as string[], w: [] as string[], r: [] as string[] };
for (const l of lines) byType[l[0] as "n" | "w" | "r"].push(l);

const shiftRefs = (list: string, off: number) =>
  list
    .split(",")
    .map((m) => {
      if (!m) return m;
      const at = m.indexOf("@");
      const end = at < 0 ? m.length : at;
      return m[0] + (Number(m.slice(1, end)) + off) + m.slice(end);
    })
    .join(",");

function transform(line: string, copy: number): string {
  const off = copy * ID_STRIDE;
  const dx = (copy % grid) * STEP;
  const dy = Math.floor(copy / grid) * STEP;
  const f = line.split(" ");
  f[0] = f[0][0] + (Number(f[0].slice(1)) + off);
  for (let i = 1; i < f.length; i++) {
    const c = f[i][0];
    if (c === "x") f[i] = `x${(Number(f[i].slice(1)) + dx).toFixed(7)}`;
    else if (c === "y") f[i] = `y${(Number(f[i].slice(1)) + dy).toFixed(7)}`;
    else if (c === "N" || c === "M") f[i] = c + shiftRefs(f[i].slice(1), off);
  }
  return f.join(" ");
}

const osmium = spawn("osmium", ["cat", "-F", "opl", "-", "-o", out, "-f", "pbf", "--overwrite"], {
  stdio: ["pipe", "inherit", "inherit"],
});
const done = once(osmium, "exit");
for (const t of ["n", "w", "r"] as const) {
  for (let copy = 0; copy < grid * grid; copy++) {
    const chunk = `${byType[t].map((l) => transform(l, copy)).join("\n")}\n`;
    if (!osmium.stdin.write(chunk)) await once(osmium.stdin, "drain");
  }
}
osmium.stdin.end();
const [code] = await done;
if (code !== 0) throw new Error(`osmium exited with ${code}`);
console.error(
  `${out}: ${grid}×${grid} copies of ${src} (${byType.n.length} nodes, ${byType.w.length} ways, ${byType.r.length} relations each)`,
);
