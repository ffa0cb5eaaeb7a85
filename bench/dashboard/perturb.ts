// A perturbed copy of a zones file (.jsonl) for the diff benchmark: deterministic edits of every kind the diff
// reports, plus coordinate noise that it must ignore. Streams line by line (one zone in memory).
//
//   node --import tsx bench/dashboard/perturb.ts IN.jsonl OUT.jsonl   → prints the expected counts as JSON

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";

type Ring = [number, number][];
interface Zone {
  id: number;
  osm_id: string;
  zone_type: string | null;
  name: string;
  parent: number | null;
  geometry: { type: "MultiPolygon"; coordinates: Ring[][] } | null;
  tags: Record<string, string>;
}

export interface PerturbCounts {
  removed: number;
  renamed: number;
  geometryChanged: number;
  reparented: number;
  noisy: number;
}

function mapCoords(z: Zone, f: (x: number, y: number) => [number, number]): void {
  if (!z.geometry) return;
  z.geometry.coordinates = z.geometry.coordinates.map((poly) => poly.map((ring) => ring.map(([x, y]) => f(x, y))));
}

export async function perturb(input: string, output: string): Promise<PerturbCounts> {
  const counts: PerturbCounts = { removed: 0, renamed: 0, geometryChanged: 0, reparented: 0, noisy: 0 };
  const out = createWriteStream(output);
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Number.POSITIVE_INFINITY });
  const states: number[] = [];
  let cities = 0;
  let n = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const z = JSON.parse(line) as Zone;
    n++;
    if (z.zone_type === "state") states.push(z.id);
    if (z.zone_type === "city") {
      cities++;
      // the generator's cities have no children: removing one touches nothing else
      if (cities % 97 === 0) {
        counts.removed++;
        continue;
      }
      if (cities % 83 === 0 && z.geometry) {
        const xs = z.geometry.coordinates.flat(2).map((p) => p[0]);
        const dx = (Math.max(...xs) - Math.min(...xs)) * 0.1;
        mapCoords(z, (x, y) => [x + dx, y]);
        counts.geometryChanged++;
      } else if (cities % 101 === 0 && states.length >= 2 && z.parent !== null) {
        z.parent = states.find((s) => s !== z.parent) ?? z.parent;
        counts.reparented++;
      } else if (cities % 89 === 0) {
        z.name = `${z.name} (renamed)`;
        counts.renamed++;
      } else if (n % 10 === 0 && z.geometry) {
        // sub-centimetre noise, a function of the position so rings stay closed; and reversed tag order
        mapCoords(z, (x, y) => {
          const d = ((Math.round(Math.abs(x + y) * 1e7) % 5) - 2) * 2e-8;
          return [x + d, y + d];
        });
        z.tags = Object.fromEntries(Object.entries(z.tags).reverse());
        counts.noisy++;
      }
    }
    if (!out.write(`${JSON.stringify(z)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return counts;
}

if (process.argv[1]?.endsWith("perturb.ts")) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write("usage: perturb.ts IN.jsonl OUT.jsonl\n");
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await perturb(input, output))}\n`);
}
