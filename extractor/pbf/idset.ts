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
    tmp.sort();
    let n = 0;
    for (let i = 0; i < tmp.length; i++) if (i === 0 || tmp[i] !== tmp[n - 1]) tmp[n++] = tmp[i];
    const shared = new Float64Array(new SharedArrayBuffer(Math.max(n, 1) * 8), 0, n);
    shared.set(tmp.subarray(0, n));
    return new IdSet(shared);
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
    return r >= 0;
  }
}
