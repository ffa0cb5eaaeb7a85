// The incremental labels (chain-labels.ts) against their definition, computeLabels over each zone's whole
// chain, on random hierarchies with repeated names, sparse name:* tags, zip codes and --filter-langs.
import { describe, expect, it } from "vitest";
import { ChainLabelBuilder, type ChainZone } from "../chain-labels.ts";
import { computeLabels } from "../names.ts";

/** Deterministic pseudo-random numbers (the failures must be reproducible). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("ChainLabelBuilder", () => {
  for (const filterLangs of [[], ["fr", "de", "zz"]]) {
    it(`equals computeLabels on every chain of random trees (filter: ${filterLangs.join(",") || "none"})`, () => {
      const rand = rng(42 + filterLangs.length);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const names = ["A", "B", "Luxembourg", "", "Lëtzebuerg"];
      const langs = ["fr", "de", "en", "br", "ak", "lb"];
      for (let tree = 0; tree < 50; tree++) {
        const zones: ChainZone[] = [];
        const parent: number[] = [];
        for (let i = 0; i < 40; i++) {
          const own = new Map<string, string>();
          for (const l of langs) if (rand() < 0.3) own.set(l, pick(names));
          zones.push({
            name: pick(names),
            zipCodes: rand() < 0.3 ? ["L-1234", "L-9999"].slice(0, 1 + Math.floor(rand() * 2)) : [],
            names: own,
          });
          parent.push(i === 0 || rand() < 0.1 ? -1 : Math.floor(rand() * i));
        }
        const builder = new ChainLabelBuilder(filterLangs);
        for (const [i, z] of zones.entries()) builder.add(z, parent[i] < 0 ? null : zones[parent[i]]);
        zones.forEach((z, i) => {
          const chain: ChainZone[] = [];
          for (let k = i; k >= 0; k = parent[k]) chain.push(zones[k]);
          expect(builder.labels(z)).toEqual(computeLabels(chain, filterLangs));
        });
      }
    });
  }

  it("refuses a child added before its parent", () => {
    const b = new ChainLabelBuilder([]);
    const p: ChainZone = { name: "P", zipCodes: [], names: new Map() };
    expect(() => b.add({ name: "C", zipCodes: [], names: new Map() }, p)).toThrow(/parent added after its child/);
  });
});
