// What the query bench sends, drawn from seeds so every run (and the lead's timing run) asks the same things:
// points uniform in a bbox or inside the fractal country, search terms made from the zones' own names, and the
// CSV `cosmo locate` reads.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { seededRandom } from "../../core/seeded-random.ts";
import { type FractalCountry, insideFractal } from "./fractal.ts";

export type Bbox = [number, number, number, number];

/** Coordinates as sent: 6 decimals (~0.1 m), what a client would send. */
const fixed = (v: number) => Number(v.toFixed(6));

export function randomPoints(seed: number, bbox: Bbox, count: number): [number, number][] {
  const random = seededRandom(seed);
  const [minX, minY, maxX, maxY] = bbox;
  const out: [number, number][] = new Array(count);
  for (let i = 0; i < count; i++)
    out[i] = [fixed(minX + random() * (maxX - minX)), fixed(minY + random() * (maxY - minY))];
  return out;
}

/** Points uniform inside the fractal country (drawn in its bbox, those outside the coastline dropped). */
export function pointsInside(seed: number, country: FractalCountry, bbox: Bbox, count: number): [number, number][] {
  const random = seededRandom(seed);
  const [minX, minY, maxX, maxY] = bbox;
  const out: [number, number][] = [];
  while (out.length < count) {
    const p: [number, number] = [fixed(minX + random() * (maxX - minX)), fixed(minY + random() * (maxY - minY))];
    if (insideFractal(country, p[0], p[1])) out.push(p);
  }
  return out;
}

export type TermKind = "prefix" | "whole" | "typo";
export interface SearchTerm {
  q: string;
  kind: TermKind;
  /** The name it was made from. */
  name: string;
}

/** The shortest and longest prefix typed (autocomplete), in characters. */
export const PREFIX_MIN = 3;
export const PREFIX_MAX = 8;
/** The API's own minimum for `q`. */
const Q_MIN = 2;

/**
 * Terms from names (every language given), in turn a prefix of 3–8 characters, the whole name, and the name
 * with one typo (a letter replaced, dropped, or two swapped). Characters are code points, so a prefix never
 * splits a surrogate pair.
 */
export function searchTerms(seed: number, names: string[], count: number): SearchTerm[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const pool = [...new Set(names.map((n) => n.trim()).filter((n) => [...n].length >= PREFIX_MIN))].sort();
  if (pool.length === 0) throw new Error("bench-query: no names to make search terms from");
  const kinds: TermKind[] = ["prefix", "whole", "typo"];
  const out: SearchTerm[] = [];
  for (let i = 0; i < count; i++) {
    const name = pool[pick(pool.length)] as string;
    const chars = [...name];
    const kind = kinds[i % kinds.length] as TermKind;
    let q: string;
    if (kind === "prefix") {
      const len = PREFIX_MIN + pick(PREFIX_MAX - PREFIX_MIN + 1);
      q = chars.slice(0, Math.min(len, chars.length)).join("");
    } else if (kind === "whole") {
      q = name;
    } else {
      q = typo(chars, pick).join("");
    }
    q = q.trim();
    if ([...q].length < Q_MIN) q = name;
    out.push({ q, kind, name });
  }
  return out;
}

const TYPO_LETTERS = "abcdefghijklmnopqrstuvwxyz";

function typo(chars: string[], pick: (n: number) => number): string[] {
  const at = 1 + pick(chars.length - 1); // the first letter kept: people rarely mistype it
  const c = [...chars];
  switch (pick(3)) {
    case 0: {
      const current = c[at] as string;
      let letter = current;
      while (letter === current) letter = TYPO_LETTERS[pick(TYPO_LETTERS.length)] as string;
      c[at] = letter;
      break;
    }
    case 1:
      c.splice(at, 1);
      break;
    default: {
      const j = at === c.length - 1 ? at - 1 : at + 1;
      [c[at], c[j]] = [c[j] as string, c[at] as string];
    }
  }
  return c;
}

/** `count` ids drawn (with repeats) from the zones' ids. */
export function randomIds(seed: number, ids: number[], count: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ids[Math.floor(random() * ids.length)] as number);
}

/** The `cosmo locate` input: a CSV with columns id,lon,lat, written as a stream (1 M rows). */
export async function writePointsCsv(path: string, seed: number, bbox: Bbox, count: number): Promise<void> {
  const out = createWriteStream(path);
  out.write("id,lon,lat\n");
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const pts = randomPoints(seed + start, bbox, Math.min(chunk, count - start));
    const text = pts.map(([x, y], i) => `${start + i + 1},${x},${y}`).join("\n");
    if (!out.write(`${text}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
