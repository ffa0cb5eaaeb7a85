// Builds the extract benchmark's input: Luxembourg's boundary extract replicated on a GRID×GRID grid of
// 1°-spaced copies, with shifted coordinates and fresh ids, written in type-then-id order like a real
// extract (metadata kept so blobs look like real ones). Ids are renumbered densely — copy k of the i-th
// object of a type gets k·stride + i + 1 — because sparse ids (e.g. k·10^10) make osmium's dense id
// indexes allocate tens of GB. Usage: tsx bench/extract/make-big.ts SRC.osm.pbf OUT.osm.pbf [GRID]
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";

const [src, out, gridArg] = process.argv.slice(2);
if (!src || !out) throw new Error("usage: make-big.ts SRC.osm.pbf OUT.osm.pbf [GRID]");
const grid = Number(gridArg ?? 12);
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
const stride: Record<Kind, number> = { n: index.n.size, w: index.w.size, r: index.r.size };
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
