// Sorted, de-duplicated id sets on a SharedArrayBuffer: workers receive the buffer without a copy and
// test membership by binary search (ids in PBF blocks are usually ascending, so a cursor speeds it up).

export class IdSet {
  /** Sorted ascending, no duplicates; backed by a SharedArrayBuffer. */
  readonly ids: Float64Array;

  private constructor(ids: Float64Array) {
    this.ids = ids;
  }

  static from(ids: Iterable<number>): IdSet {
    const tmp = Float64Array.from(ids);
    const shared = IdSet.sharedArray(tmp.length);
    shared.set(tmp);
    return IdSet.adopt(shared);
  }

  /** A Float64Array on a SharedArrayBuffer, to fill and hand to adopt(). */
  static sharedArray(length: number): Float64Array {
    return new Float64Array(new SharedArrayBuffer(Math.max(length, 1) * 8), 0, length);
  }

  /**
   * Sorts and de-duplicates ids (on a SharedArrayBuffer) in place and wraps them without a copy: for the
   * tens of millions of node ids of a country's boundaries, one array instead of three.
   */
  static adopt(ids: Float64Array): IdSet {
    if (!(ids.buffer instanceof SharedArrayBuffer)) throw new TypeError("IdSet.adopt needs a SharedArrayBuffer");
    sortIds(ids);
    let n = 0;
    for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[n - 1]) ids[n++] = ids[i];
    return new IdSet(ids.subarray(0, n));
  }

  /** Wraps an already sorted, de-duplicated array (e.g. received by a worker). */
  static fromSorted(ids: Float64Array): IdSet {
    return new IdSet(ids);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: number): boolean {
    return indexOf(this.ids, id, 0) >= 0;
  }

  /** Whether some id of the set is in [lo, hi). */
  hasIn(lo: number, hi: number): boolean {
    const i = indexOf(this.ids, lo, 0);
    const p = i >= 0 ? i : -i - 1;
    return p < this.ids.length && this.ids[p] < hi;
  }

  /** Position of id in the set (ids ascending), or -1. */
  positionOf(id: number): number {
    const i = indexOf(this.ids, id, 0);
    return i >= 0 ? i : -1;
  }

  /**
   * Position in the set of every id of `query` (-1 when absent). Each search gallops from the previous
   * hit, in either direction: the nodes of a way mostly have nearby ids, so most lookups cost a few reads.
   */
  positionsOf(query: Float64Array): Int32Array {
    const a = this.ids;
    const n = a.length;
    const out = new Int32Array(query.length);
    let pos = 0;
    for (let q = 0; q < query.length; q++) {
      const id = query[q];
      let i: number;
      if (n === 0) i = -1;
      else if (a[pos] === id) i = pos;
      else if (a[pos] < id) {
        // Forward: everything before lo is < id.
        let lo = pos + 1;
        let hi = lo;
        let step = 1;
        while (hi < n && a[hi] < id) {
          lo = hi + 1;
          hi = lo + step;
          step *= 2;
        }
        i = indexOf(a, id, lo, Math.min(hi, n - 1));
      } else {
        // Backward: everything after hi is > id.
        let hi = pos - 1;
        let lo = hi;
        let step = 1;
        while (lo >= 0 && a[lo] > id) {
          hi = lo - 1;
          lo = hi - step;
          step *= 2;
        }
        i = indexOf(a, id, Math.max(lo, 0), hi);
      }
      if (i >= 0) {
        out[q] = i;
        pos = i;
      } else {
        out[q] = -1;
        pos = Math.min(-i - 1, n - 1);
      }
    }
    return out;
  }
}

const RADIX_BITS = 13;
const RADIX = 1 << RADIX_BITS;
const TWO_32 = 4294967296;

/**
 * Sorts ids ascending in place. OSM ids are non-negative integers below 2^53: those are sorted by an LSD
 * radix sort on 11-bit digits (a few linear passes: several times faster than the comparison sort of
 * TypedArray#sort on the tens of millions of node ids of a country's boundaries); anything else (negative
 * ids of unsaved JOSM edits) falls back to TypedArray#sort.
 */
export function sortIds(a: Float64Array): void {
  const n = a.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v)) {
      a.sort();
      return;
    }
    if (v > max) max = v;
  }
  if (n < 1024) {
    a.sort();
    return;
  }
  const digits = Math.ceil(Math.ceil(Math.log2(max + 1)) / RADIX_BITS);
  // Every digit's histogram in one read of the data, then one scatter pass per digit.
  const counts = new Uint32Array(RADIX * digits);
  for (let i = 0; i < n; i++) {
    const v = a[i];
    const lo = v >>> 0;
    const hi = (v - lo) / TWO_32;
    for (let d = 0; d < digits; d++) counts[d * RADIX + digitOf(lo, hi, d * RADIX_BITS)]++;
  }
  let src: Float64Array = a;
  let dst: Float64Array = new Float64Array(n);
  for (let d = 0; d < digits; d++) {
    const shift = d * RADIX_BITS;
    const base = d * RADIX;
    const first = a[0] >>> 0;
    if (counts[base + digitOf(first, (a[0] - first) / TWO_32, shift)] === n) continue; // same digit everywhere
    let sum = 0;
    for (let k = base; k < base + RADIX; k++) {
      const c = counts[k];
      counts[k] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[i];
      const lo = v >>> 0;
      dst[counts[base + digitOf(lo, (v - lo) / TWO_32, shift)]++] = v;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== a) a.set(src);
}

/** Bits [shift, shift + RADIX_BITS) of the integer hi·2^32 + lo. */
function digitOf(lo: number, hi: number, shift: number): number {
  if (shift + RADIX_BITS <= 32) return (lo >>> shift) & (RADIX - 1);
  if (shift >= 32) return (hi >>> (shift - 32)) & (RADIX - 1);
  return ((lo >>> shift) | (hi << (32 - shift))) & (RADIX - 1);
}

/** Binary search in a[lo..hi]; returns the index of id, or -(insertion point) - 1. */
export function indexOf(a: Float64Array, id: number, lo: number, hi = a.length - 1): number {
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v < id) lo = mid + 1;
    else if (v > id) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * Membership test tuned for ascending queries (ids inside a PBF block usually ascend): gallops forward
 * from where the previous lookup landed instead of searching the whole set each time.
 */
export class IdCursor {
  private pos = 0;
  constructor(private readonly ids: Float64Array) {}

  has(id: number): boolean {
    return this.find(id) >= 0;
  }

  /** Position of id in the set, or -1. */
  find(id: number): number {
    const a = this.ids;
    const n = a.length;
    let lo = this.pos;
    if (lo > 0 && a[lo - 1] >= id) lo = 0; // went backwards: search from the start
    let step = 1;
    let hi = lo;
    while (hi < n && a[hi] < id) {
      lo = hi;
      hi += step;
      step *= 2;
    }
    const r = indexOf(a, id, lo, Math.min(hi, n - 1));
    this.pos = r >= 0 ? r : -r - 1;
    return r >= 0 ? r : -1;
  }
}
