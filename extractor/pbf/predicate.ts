// Tag predicates evaluated on string-table indices: per block, each wanted key/value is looked up once in
// the string table (by bytes, without decoding the table), then elements are tested with integer compares.
import type { TagPredicate } from "./types.ts";

/** Plain-data form of TagPredicate[] sent to workers (UTF-8 bytes precomputed once per worker). */
export type CompiledPredicates = TagPredicate[];

interface StringTable {
  buf: Uint8Array;
  strStart: Int32Array;
  strEnd: Int32Array;
  strCount: number;
}

interface Cond {
  key: number; // string index of the key in this block, -1 if absent
  values: Int32Array | null; // string indices of accepted values present in this block (null = any value)
}

export interface BlockMatcher {
  /** True when no element of this block can match (a needed string is missing from its table). */
  never: boolean;
  test(keys: Int32Array, vals: Int32Array, n: number): boolean;
}

const encoder = new TextEncoder();
const encoded = new WeakMap<CompiledPredicates, Map<string, Uint8Array>>();

/** Finds the block's string index for every string a predicate mentions. */
function lookupStrings(preds: CompiledPredicates, table: StringTable): Map<string, number> {
  let bytes = encoded.get(preds);
  if (!bytes) {
    bytes = new Map();
    for (const p of preds)
      for (const c of p) {
        bytes.set(c.key, encoder.encode(c.key));
        for (const v of c.values ?? []) bytes.set(v, encoder.encode(v));
      }
    encoded.set(preds, bytes);
  }
  const byLength = new Map<number, [string, Uint8Array][]>();
  for (const [s, b] of bytes) {
    const list = byLength.get(b.length) ?? [];
    list.push([s, b]);
    byLength.set(b.length, list);
  }
  const found = new Map<string, number>();
  const { buf, strStart, strEnd } = table;
  for (let i = 1; i < table.strCount; i++) {
    const start = strStart[i];
    const candidates = byLength.get(strEnd[i] - start);
    if (!candidates) continue;
    for (const [s, b] of candidates) {
      if (found.has(s)) continue;
      let same = true;
      for (let j = 0; j < b.length; j++)
        if (buf[start + j] !== b[j]) {
          same = false;
          break;
        }
      if (same) found.set(s, i);
    }
  }
  return found;
}

export function matchBlockStrings(preds: CompiledPredicates, table: StringTable): BlockMatcher {
  const found = lookupStrings(preds, table);
  const compiled: Cond[][] = [];
  let matchesAll = false;
  for (const p of preds) {
    const conds: Cond[] = [];
    let possible = true;
    for (const c of p) {
      const key = found.get(c.key) ?? -1;
      const values = c.values ? Int32Array.from(c.values.map((v) => found.get(v) ?? -1).filter((i) => i >= 0)) : null;
      if (key < 0 || (values !== null && values.length === 0)) possible = false;
      conds.push({ key, values });
    }
    if (!possible) continue; // a string it needs is not in this block: no element here can match
    if (conds.length === 0) matchesAll = true;
    compiled.push(conds);
  }
  if (matchesAll) return { never: false, test: () => true };
  if (compiled.length === 0) return { never: true, test: () => false };
  return {
    never: false,
    test(keys, vals, n) {
      for (const conds of compiled) if (holds(conds, keys, vals, n)) return true;
      return false;
    },
  };
}

function holds(conds: Cond[], keys: Int32Array, vals: Int32Array, n: number): boolean {
  for (const c of conds) {
    let ok = false;
    for (let i = 0; i < n; i++) {
      if (keys[i] !== c.key) continue;
      ok = c.values === null || c.values.includes(vals[i]);
      break;
    }
    if (!ok) return false;
  }
  return true;
}
