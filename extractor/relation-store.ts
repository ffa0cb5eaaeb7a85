// Pass 1's administrative relations (members, and tags with every name:*: ~5 KB of heap a relation on the benchmark
// grid) held until their batch of zones is built: in memory up to a size, beyond it all moved to a temporary file
// as JSON, each read back when its batch asks for it. The read's relations then no longer grow the heap with the
// input.

import { collectGarbage, GarbageCounter, WORTH_COLLECTING } from "./collect-garbage.ts";
import type { OsmRelation } from "./pbf/index.ts";
import { SpilledTexts } from "./spill.ts";

/** Bytes of heap a relation is taken to hold: its tags' strings (UTF-16) and properties, its members' objects. */
export function heapBytes(r: OsmRelation): number {
  let bytes = 64 + 48 * r.members.length;
  for (const k in r.tags) bytes += 32 + 2 * (k.length + r.tags[k].length);
  return bytes;
}

/** Way members of a relation: what a batch of relations will read. */
export function wayMemberCount(r: OsmRelation): number {
  return r.members.reduce((n, m) => (m.type === "way" ? n + 1 : n), 0);
}

export class RelationStore {
  private held: OsmRelation[] | null = [];
  private heldBytes = 0;
  private spilled: SpilledTexts | null = null;
  /**
   * The relations moved to the file (heapBytes), whose garbage is collected every half of the in-memory share (at
   * least WORTH_COLLECTING): they and their JSON text are garbage at once, but the last major collection was taken
   * while the relations were all held, so V8 let pass 1 of GRID 24 reach a heap of 0.6–0.9 GB of them under a 1 GiB
   * budget. Each collection is cheap: little is live.
   */
  private readonly movedOut: GarbageCounter;
  /** Per relation, in the order added: its id and its way members. */
  private readonly ids: number[] = [];
  private readonly wayMembersOf: number[] = [];

  /**
   * `inMemory`: bytes of relations held before they all go to `spillTo` (a file of the extract's spill directory;
   * without it they all stay in memory); `collect`: how the garbage of the relations moved out is collected.
   */
  constructor(
    private readonly inMemory = Number.POSITIVE_INFINITY,
    private readonly spillTo?: string,
    collect: () => void = collectGarbage,
  ) {
    this.movedOut = new GarbageCounter(Math.max(inMemory / 2, WORTH_COLLECTING), collect);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Whether the relations went to the file. */
  get onDisk(): boolean {
    return this.spilled !== null;
  }

  add(r: OsmRelation): void {
    this.ids.push(r.id);
    this.wayMembersOf.push(wayMemberCount(r));
    if (this.spilled) {
      this.spilled.add(JSON.stringify(r));
      this.movedOut.add(heapBytes(r));
      return;
    }
    this.held!.push(r);
    this.heldBytes += heapBytes(r);
    if (this.heldBytes > this.inMemory && this.spillTo) {
      this.spilled = new SpilledTexts(this.spillTo);
      for (const h of this.held!) this.spilled.add(JSON.stringify(h));
      this.held = null;
      this.movedOut.add(this.heldBytes);
    }
  }

  /** Way members of the relation added `n`-th. */
  wayMembers(n: number): number {
    return this.wayMembersOf[n];
  }

  /** The relations' numbers (order added), ids ascending; equal ids in the order added (as a stable sort). */
  byId(): number[] {
    const order = this.ids.map((_, n) => n);
    return order.sort((a, b) => this.ids[a] - this.ids[b] || a - b);
  }

  /** The relation added `n`-th (from the file: a copy, equal to the one added). */
  get(n: number): OsmRelation {
    return this.spilled ? (JSON.parse(this.spilled.get(n)) as OsmRelation) : this.held![n];
  }

  close(): void {
    this.spilled?.close();
  }
}
