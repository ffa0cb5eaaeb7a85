// The read in batches of relations (osm-read.ts RelationsRead.batches), what `--memory-budget` uses when the read's
// tables would not fit: the zones built batch by batch must be the very zones of the read done at once, and no
// batch may hold much more than the way nodes it was allowed.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture, tmpDir } from "../../core/testing.ts";
import { WayNodes } from "../boundary.ts";
import { buildPostalBoundaries, buildZones, emptyBuild, zonesBuiltInBatches } from "../build-zones.ts";
import { GarbageCounter, WORTH_COLLECTING } from "../collect-garbage.ts";
import { type OsmInput, readOsm, readRelations } from "../osm-read.ts";
import { heapBytes, RelationStore } from "../relation-store.ts";
import { makeBigPbf } from "./helpers.ts";

let grid: string;

beforeAll(async () => {
  grid = await makeBigPbf(join(tmpDir("read-batches"), "grid2.osm.pbf"), 2);
}, 300_000);

async function inBatches(file: string, maxWayNodes: number, relationsOnDisk: boolean) {
  const store = relationsOnDisk
    ? new RelationStore(1, join(tmpDir("read-batches-relations"), "relations.json"))
    : new RelationStore();
  const read = await readRelations(file, { threads: 1, pass: { singleKindBlocks: true } }, store);
  expect(store.onDisk).toBe(relationsOnDisk);
  // each batch as read (its tables are emptied once its zones are built)
  const batches: (OsmInput & { wayNodes: number })[] = [];
  const recorded = (async function* () {
    for await (const b of read.batches(maxWayNodes)) {
      batches.push({ ...b, wayNodes: b.ways.node.length });
      yield b;
    }
  })();
  let postal: ReturnType<typeof buildPostalBoundaries> | undefined;
  const built = emptyBuild(read.relations.size);
  const first = (osm: OsmInput) => {
    postal = buildPostalBoundaries(osm);
  };
  for await (const _ of zonesBuiltInBatches(recorded, { capitals: true, slabLength: 1 << 12, first }, built));
  return { read, batches, built, postal };
}

describe("the PBF's ways and nodes read in batches of relations", () => {
  it.each([
    ["Luxembourg", () => fixture("luxembourg_filtered.osm.pbf"), 20_000, false],
    ["a 2×2 grid of Luxembourg copies", () => grid, 50_000, false],
    ["a 2×2 grid, its relations on disk", () => grid, 50_000, true],
    ["a 2×2 grid, one relation a batch, its relations on disk", () => grid, 1, true],
  ])(
    "%s: the same zones as the read at once, each batch within its way nodes",
    async (_name, file, maxWayNodes, onDisk) => {
      const whole = await readOsm(file(), { threads: 1 });
      const expected = buildZones(whole, { capitals: true });
      const r = await inBatches(file(), maxWayNodes, onDisk);

      expect(r.batches.length).toBeGreaterThan(3);
      expect(r.read.blobs.batches).toBe(r.batches.length);
      // every relation in one batch, ids ascending across the batches
      const ids = r.batches.flatMap((b) => b.relations.map((rel) => rel.id));
      expect(ids).toEqual([...whole.relations].map((rel) => rel.id).sort((a, b) => a - b));
      // the estimate learns the ways' size from the batches read (way nodes a relation's way member): past the
      // first, the batches hold on average about what they were allowed (one may hold more, its relations sharing
      // fewer ways or having longer ones than those read before)
      const later = r.batches.slice(1);
      const wayNodes = later.reduce((n, b) => n + b.wayNodes, 0);
      if (maxWayNodes > 1) expect(wayNodes / later.length).toBeLessThanOrEqual(2 * maxWayNodes);
      expect(r.batches.slice(1).every((b) => b.placeNodes.length === 0 && b.postalRelations.length === 0)).toBe(true);

      expect(r.built.zones).toEqual(expected.zones);
      expect(r.built.report).toEqual(expected.report);
      expect([...r.built.capitals]).toEqual([...expected.capitals]);
      expect(r.postal).toEqual(buildPostalBoundaries(whole));
    },
    120_000,
  );
});

describe("the batches' tables while the zones are built", () => {
  it("are emptied once the batch's zones are built, before the next batch is read", async () => {
    // two batches with a way each and no relation: what zonesBuiltInBatches leaves of the first when it asks for the
    // second (a reference kept to a batch, as a generator's registers keep one, used to hold its tables)
    const batch = (): OsmInput => ({
      relations: [],
      postalRelations: [],
      placeNodes: [],
      ways: WayNodes.fromMaps(
        new Map([[1, [10, 11, 12, 10]]]),
        new Map<number, [number, number]>([
          [10, [0, 0]],
          [11, [1, 0]],
          [12, [0, 1]],
        ]),
      ),
      centerNodes: new Map([[10, { lon: 0, lat: 0, tags: {} }]]),
      blobs: { inFile: 0, decoded: 0, peeked: 0, skipped: 0, batches: 0 },
    });
    const first = batch();
    const second = batch();
    let left: { wayNodes: number; coords: number; centers: number } | undefined;
    const batches = (async function* () {
      expect(first.ways.node.length).toBe(4);
      yield first;
      left = { wayNodes: first.ways.node.length, coords: first.ways.lon.length, centers: first.centerNodes.size };
      yield second;
    })();
    for await (const _ of zonesBuiltInBatches(batches, { capitals: false, slabLength: 1 << 12 }, emptyBuild(0)));
    expect(left).toEqual({ wayNodes: 0, coords: 0, centers: 0 });
    expect(first.ways.row(1)).toBeUndefined();
  });
});

describe("pass 1's relations beyond their share of the budget", () => {
  it("go to the file, equal to what went out, and their garbage is collected every half share moved out", () => {
    // all of the same size (heapBytes), ~2 MB each: half the share below is at least WORTH_COLLECTING
    const relation = (id: number) => ({
      type: "relation" as const,
      id,
      tags: { boundary: "administrative", name: `r${id}`.padStart(4, "0"), note: "x".repeat(1 << 20) },
      members: [{ type: "way" as const, ref: id * 10, role: "outer" }],
    });
    const share = heapBytes(relation(1)) * 16;
    expect(share / 2).toBeGreaterThan(WORTH_COLLECTING);
    let collections = 0;
    const store = new RelationStore(share, join(tmpDir("relations-collected"), "relations.json"), () => collections++);
    try {
      for (let id = 1; id <= 16; id++) store.add(relation(id));
      expect(store.onDisk).toBe(false);
      expect(collections).toBe(0);
      // the 17th passes the share: all of them go to the file, the garbage of 17 relations (more than half) collected
      store.add(relation(17));
      expect(store.onDisk).toBe(true);
      expect(collections).toBe(1);
      // then one collection every 8 relations moved out (half the share), not one a relation, not never
      for (let id = 18; id <= 41; id++) store.add(relation(id));
      expect(collections).toBe(4);
      expect(store.get(40)).toEqual(relation(41));
      expect(store.byId()).toHaveLength(41);
    } finally {
      store.close();
    }
  });
});

describe("the garbage counter of the decode workers and the relations moved out", () => {
  it("collects every `every` bytes counted, and at a phase's end once `atLeast` were counted since (or forced)", () => {
    let collections = 0;
    const decoded = new GarbageCounter(100, () => collections++);
    for (let i = 0; i < 9; i++) decoded.add(10);
    expect(collections).toBe(0);
    decoded.add(10);
    expect(collections).toBe(1);
    decoded.add(250);
    expect(collections).toBe(2);
    // the end of a pass: collected when it decoded enough since the last collection, else left to later
    decoded.add(5);
    decoded.end(10);
    expect(collections).toBe(2);
    decoded.add(5);
    decoded.end(10);
    expect(collections).toBe(3);
    decoded.end(10);
    expect(collections).toBe(3);
    // forced (the pass's shared arrays are large): whatever was decoded
    decoded.end(10, true);
    expect(collections).toBe(4);
  });
});
