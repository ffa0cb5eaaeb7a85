// Builds the extract benchmark's input: Luxembourg's boundary extract replicated on a GRID×GRID grid of
// 1°-spaced copies, with shifted coordinates and fresh ids, written in type-then-id order like a real
// extract (metadata kept so blobs look like real ones). Ids are renumbered densely — copy k of the i-th
// object of a type gets k·stride + i + 1 — because sparse ids (e.g. k·10^10) make osmium's dense id
// indexes allocate tens of GB.
// FILLER > 0 makes the file look like a real country extract rather than a boundary extract: each copy also gets
// FILLER times its boundary nodes in other data (filler.ts: buildings, roads and POIs), after its own boundary
// objects, so that boundaries are ~1/(FILLER+1) of the file (FILLER 20: ~5 %).
// Usage: tsx bench/extract/make-big.ts SRC.osm.pbf OUT.osm.pbf [GRID] [FILLER]
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { fillerOfCopy, fillerSize } from "./filler.ts";

const [src, out, gridArg, fillerArg] = process.argv.slice(2);
if (!src || !out) throw new Error("usage: make-big.ts SRC.osm.pbf OUT.osm.pbf [GRID] [FILLER]");
const grid = Number(gridArg ?? 12);
const fillerTimes = Number(fillerArg ?? 0);
if (!Number.isInteger(grid) || grid < 1) throw new Error(`GRID must be a positive integer, got ${gridArg}`);
if (!Number.isFinite(fillerTimes) || fillerTimes < 0) throw new Error(`FILLER must be ≥ 0, got ${fillerArg}`);
const STEP = 1.0; // degrees between copies (Luxembourg's extract spans ~0.9° × 0.85°)

const lines = execFileSync("osmium", ["cat", src, "-f", "opl", "-o", "-"], { maxBuffer: 1 << 30 })
  .toString()
  .split("\n")
  .filter((l) => l);
type Kind = "n" | "w" | "r";
const byType: Record<Kind, string[]> = { n: [], w: [], r: [] };
for (const l of lines) byType[l[0] as Kind].push(l);

// Original id → dense index per type: objects in the file first (in file order, so order is preserved),
// then ids only referenced (members missing from the extract) in the order met.
const index: Record<Kind, Map<number, number>> = { n: new Map(), w: new Map(), r: new Map() };
for (const t of ["n", "w", "r"] as Kind[])
  for (const l of byType[t]) index[t].set(Number(l.slice(1, l.indexOf(" "))), index[t].size);
const refIndex = (t: Kind, id: number) => {
  let i = index[t].get(id);
  if (i === undefined) {
    i = index[t].size;
    index[t].set(id, i);
  }
  return i;
};
for (const l of [...byType.w, ...byType.r])
  for (const f of l.split(" "))
    if (f[0] === "N" || f[0] === "M")
      for (const m of f.slice(1).split(","))
        if (m) refIndex(m[0] as Kind, Number(m.slice(1, m.indexOf("@") < 0 ? undefined : m.indexOf("@"))));
// Each copy's id range holds its boundary objects, then its filler.
const filler = fillerSize(byType.n.length, fillerTimes);
const stride: Record<Kind, number> = {
  n: index.n.size + filler.n,
  w: index.w.size + filler.w,
  r: index.r.size + filler.r,
};
const newId = (t: Kind, id: number, copy: number) => copy * stride[t] + (index[t].get(id) as number) + 1;

function shiftRefs(list: string, copy: number): string {
  return list
    .split(",")
    .map((m) => {
      if (!m) return m;
      const at = m.indexOf("@");
      const end = at < 0 ? m.length : at;
      return m[0] + newId(m[0] as Kind, Number(m.slice(1, end)), copy) + m.slice(end);
    })
    .join(",");
}

function transform(line: string, copy: number): string {
  const dx = (copy % grid) * STEP;
  const dy = Math.floor(copy / grid) * STEP;
  const f = line.split(" ");
  f[0] = f[0][0] + newId(f[0][0] as Kind, Number(f[0].slice(1)), copy);
  for (let i = 1; i < f.length; i++) {
    const c = f[i][0];
    if (c === "x") f[i] = `x${(Number(f[i].slice(1)) + dx).toFixed(7)}`;
    else if (c === "y") f[i] = `y${(Number(f[i].slice(1)) + dy).toFixed(7)}`;
    else if (c === "N" || c === "M") f[i] = c + shiftRefs(f[i].slice(1), copy);
  }
  return f.join(" ");
}

// The objects go out sorted by type then id, and the header says so, as in real extracts (Geofabrik, planet).
const osmium = spawn(
  "osmium",
  ["cat", "-F", "opl", "-", "-o", out, "-f", "pbf", "--overwrite", "--output-header=sorting=Type_then_ID"],
  { stdio: ["pipe", "inherit", "inherit"] },
);
const done = once(osmium, "exit");
for (const t of ["n", "w", "r"] as const) {
  for (let copy = 0; copy < grid * grid; copy++) {
    const chunk = `${byType[t].map((l) => transform(l, copy)).join("\n")}\n`;
    if (!osmium.stdin.write(chunk)) await once(osmium.stdin, "drain");
    const first = {
      n: copy * stride.n + index.n.size + 1,
      w: copy * stride.w + index.w.size + 1,
      r: copy * stride.r + index.r.size + 1,
    };
    const origin = { lon: 5.73 + (copy % grid) * STEP, lat: 49.45 + Math.floor(copy / grid) * STEP };
    for (const lines of fillerOfCopy(t, filler, first, origin, copy)) {
      if (!osmium.stdin.write(lines)) await once(osmium.stdin, "drain");
    }
  }
}
osmium.stdin.end();
const [code] = await done;
if (code !== 0) throw new Error(`osmium exited with ${code}`);
console.error(
  `${out}: ${grid}×${grid} copies of ${src} (${byType.n.length} nodes, ${byType.w.length} ways, ${byType.r.length} relations each` +
    (fillerTimes > 0 ? `, plus ${filler.n} nodes, ${filler.w} ways, ${filler.r} relations of filler each)` : ")"),
);
