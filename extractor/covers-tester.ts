// The covers tests of the inclusion search (inclusion-plan.ts) run here, with the exact predicate of
// covers.ts on the zones' geometries, instead of one ST_Covers call per pair in PostGIS. Each batch is split
// by container over the calling thread and `threads - 1` worker threads (covers-worker.ts).
import { Worker } from "node:worker_threads";
import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { collectGarbage } from "./collect-garbage.ts";
import { CONTAINER_GRID, coversArea, coversPoint, PreparedArea, packArea, ZONE_GRID } from "./covers.ts";
import type { CoversReply, CoversRequest } from "./covers-worker.ts";
import { vertexCount } from "./geometry.ts";
import { type Candidate, type CoversTester, groupByContainer } from "./inclusion-plan.ts";
import type { Position } from "./types.ts";

/** What the inclusion tests see of a zone: its valid geometry, else its center point. */
export interface ZoneShape {
  area: FlatMultiPolygon | null;
  point: Position | null;
}

/** One container and the zones to test against it (an area, a point, or nothing: covered by nothing). */
export interface TestGroup {
  container: number;
  area: FlatMultiPolygon;
  zones: (FlatMultiPolygon | Position | null)[];
}

/**
 * Indexed containers kept from batch to batch (a container is tested in several rounds of the search), the
 * least recently used dropped beyond `maxVertices` in all.
 */
export class PreparedCache {
  private readonly entries = new Map<number, PreparedArea>();
  private vertices = 0;

  constructor(private readonly maxVertices = 8e6) {}

  clear(): void {
    this.entries.clear();
    this.vertices = 0;
  }

  get(id: number, area: FlatMultiPolygon): PreparedArea {
    let p = this.entries.get(id);
    if (p) {
      this.entries.delete(id); // re-inserted last: most recently used
      this.entries.set(id, p);
      return p;
    }
    p = new PreparedArea(packArea(area), CONTAINER_GRID);
    this.entries.set(id, p);
    this.vertices += p.ring.length;
    for (const [oldId, old] of this.entries) {
      if (this.vertices <= this.maxVertices || old === p) break;
      this.entries.delete(oldId);
      this.vertices -= old.ring.length;
    }
    return p;
  }
}

/** For each group, 1 for each zone its container covers. */
export function runGroups(cache: PreparedCache, groups: TestGroup[]): Uint8Array[] {
  // loops, not closures: a closure's context holding the container (a view of the rings read back) could outlive
  // the batch (see CoversPool.runBatch)
  const results: Uint8Array[] = [];
  for (const g of groups) {
    const container = cache.get(g.container, g.area);
    const out = new Uint8Array(g.zones.length);
    for (let i = 0; i < g.zones.length; i++) {
      const z = g.zones[i];
      if (z === null) continue;
      const covered = isPosition(z)
        ? coversPoint(container, z[0], z[1])
        : coversArea(container, new PreparedArea(packArea(z, true), ZONE_GRID, true));
      out[i] = covered ? 1 : 0;
    }
    results.push(out);
  }
  return results;
}

function isPosition(z: FlatMultiPolygon | Position): z is Position {
  return typeof z[0] === "number";
}

class CoversWorker {
  private readonly worker = new Worker(new URL("./covers-worker-entry.mjs", import.meta.url), {
    // Workers inherit the parent's flags, but some (e.g. --input-type of `node -e`) are refused there.
    execArgv: process.execArgv.filter((a) => !a.startsWith("--input-type")),
  });
  private pending: { resolve(r: Uint8Array[]): void; reject(e: Error): void } | null = null;
  private failure: Error | null = null;

  constructor() {
    this.worker.on("message", (reply: CoversReply) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if ("error" in reply) p.reject(new Error(`covers worker: ${reply.error}`));
      else p.resolve(reply.covered);
    });
    const fail = (e: Error) => {
      this.failure = e;
      this.pending?.reject(e);
      this.pending = null;
    };
    this.worker.on("error", (e) => fail(new Error(`covers worker crashed: ${e.message}`)));
    this.worker.on("exit", (code) => fail(new Error(`covers worker exited (code ${code})`)));
  }

  /**
   * Tests `groups` in the worker. The rings go as they are: those in the extractor's ring store are views of
   * shared memory (boundary.ts RingStore), which the worker reads in place; others (repaired boundaries) are
   * copied by postMessage.
   */
  run(groups: TestGroup[], forget = false): Promise<Uint8Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ groups, forget } satisfies CoversRequest);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }
}

/**
 * The covers tests of one extraction, on the calling thread and `threads - 1` workers: `test` runs a batch
 * (pairs grouped by container, groups spread so that the threads get about the same number of vertices to
 * walk, a container going back to the thread that indexed it before when that keeps the balance).
 */
export class CoversPool {
  private readonly workers: CoversWorker[];
  private readonly cache = new PreparedCache();
  /** container → the thread (0: this one) that last tested it, hence has it indexed */
  private readonly lastThread = new Map<number, number>();

  constructor(
    private readonly shape: (id: number) => ZoneShape,
    threads: number,
  ) {
    this.workers = Array.from({ length: Math.max(0, threads - 1) }, () => new CoversWorker());
  }

  readonly test: CoversTester = async (pairs) => {
    const byContainer = groupByContainer(pairs);
    const groups: { container: number; pairs: Candidate[]; cost: number }[] = [];
    let total = 0;
    for (const [container, group] of byContainer) {
      if (!this.shape(container).area) continue;
      let cost = 1;
      for (const p of group) cost += 1 + vertexCount(this.shape(p.zone).area);
      groups.push({ container, pairs: group, cost });
      total += cost;
    }
    groups.sort((a, b) => b.cost - a.cost || a.container - b.container);
    const threads = this.workers.length + 1;
    const load = new Array<number>(threads).fill(0);
    const share: (typeof groups)[] = Array.from({ length: threads }, () => []);
    const fair = (total / threads) * 1.1;
    for (const g of groups) {
      let t = this.lastThread.get(g.container) ?? -1;
      if (t < 0 || load[t] + g.cost > fair) {
        t = 0;
        for (let i = 1; i < threads; i++) if (load[i] < load[t]) t = i;
      }
      load[t] += g.cost;
      share[t].push(g);
      this.lastThread.set(g.container, t);
    }
    const results = await this.runBatch(share);
    const covered: Candidate[] = [];
    results.forEach((r, t) => {
      share[t].forEach((g, i) => {
        g.pairs.forEach((p, j) => {
          if (r[i][j]) covered.push(p);
        });
      });
    });
    return covered;
  };

  /**
   * The batch's groups tested, `share[t]` on thread t (0: this one). Their rings are handed out here only, by loops,
   * not closures. Why: a closure's context holding the rings read back (views of inComponents' buffer) could outlive
   * the batch, kept by V8's own roots (a heap snapshot found the context of the last batch's groups so), and the
   * buffer with it beyond its group, beyond the step.
   */
  private async runBatch(share: { container: number; pairs: Candidate[] }[][]): Promise<Uint8Array[][]> {
    const running: Promise<Uint8Array[]>[] = [];
    let own: TestGroup[] = [];
    for (let t = 0; t < share.length; t++) {
      const groups: TestGroup[] = [];
      for (const g of share[t]) {
        const zones: (FlatMultiPolygon | Position | null)[] = [];
        for (const p of g.pairs) {
          const z = this.shape(p.zone);
          zones.push(z.area ?? z.point);
        }
        groups.push({ container: g.container, area: this.shape(g.container).area as FlatMultiPolygon, zones });
      }
      if (t === 0) own = groups;
      else running.push(groups.length > 0 ? this.workers[t - 1].run(groups) : Promise.resolve([]));
    }
    const mine = runGroups(this.cache, own);
    own = [];
    return [mine, ...(await Promise.all(running))];
  }

  /**
   * The containers tested so far will not be asked again (findInclusions' next group of components): every thread
   * drops their indexes and collects its garbage, so that the rings they were views of leave memory.
   */
  async forgetContainers(): Promise<void> {
    this.cache.clear();
    this.lastThread.clear();
    await Promise.all(this.workers.map((w) => w.run([], true)));
    collectGarbage();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
