// mapInOrder (core/in-order.ts), what `cosmo tiles export` renders its batches and `cosmo locate` locates its
// points with: jobs settled by hand, in any order, to see which ones run when.
import { describe, expect, test } from "vitest";
import { mapInOrder } from "../in-order.ts";

/** Jobs 0..n-1 that settle only when told to; `started` lists the ones begun, in order. */
function handJobs(n: number) {
  const settle: { resolve(v: string): void; reject(e: Error): void }[] = [];
  const started: number[] = [];
  const job = (i: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(i);
      settle[i] = { resolve, reject };
    });
  return { items: Array.from({ length: n }, (_, i) => i), job, started, settle };
}

/** Lets every pending promise reaction run (no timing: the macrotask queue comes after them all). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("mapInOrder", () => {
  test("hands results back in the source's order, whatever order the jobs finish in", async () => {
    const { items, job, settle } = handJobs(5);
    const out: string[] = [];
    const reading = (async () => {
      for await (const { item, result } of mapInOrder(items, job, { concurrency: 5, window: 5 })) {
        out.push(`${item}:${result}`);
      }
    })();
    await settled();
    for (const i of [3, 1, 4, 0, 2]) {
      settle[i]?.resolve(`r${i}`);
      await settled();
    }
    await reading;
    expect(out).toEqual(["0:r0", "1:r1", "2:r2", "3:r3", "4:r4"]);
  });

  test("a slow oldest job does not hold the next ones back: each slot freed starts one, up to the window", async () => {
    const { items, job, started, settle } = handJobs(10);
    const it = mapInOrder(items, job, { concurrency: 2, window: 4 });
    const first = it.next();
    await settled();
    expect(started).toEqual([0, 1]);
    // 0 is slow; 1, 2 and 3 finish: each frees a slot for the next item while 0 still runs
    settle[1]?.resolve("r1");
    await settled();
    expect(started).toEqual([0, 1, 2]);
    settle[2]?.resolve("r2");
    await settled();
    expect(started).toEqual([0, 1, 2, 3]);
    // four started and none handed back: the window is full, nothing more starts though a slot is free
    settle[3]?.resolve("r3");
    await settled();
    expect(started).toEqual([0, 1, 2, 3]);
    // 0 handed back: room for one more in the window, started while the reader holds 0
    settle[0]?.resolve("r0");
    expect(await first).toEqual({ done: false, value: { item: 0, result: "r0" } });
    await settled();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    // never more than `concurrency` running: 4 and 5 run, 6 waits though 1-3 are only waiting to be read
    for (const i of [1, 2, 3]) expect((await it.next()).value).toEqual({ item: i, result: `r${i}` });
    await settled();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 4; i < 10; i++) {
      settle[i]?.resolve(`r${i}`);
      expect((await it.next()).value).toEqual({ item: i, result: `r${i}` });
      await settled();
    }
    expect((await it.next()).done).toBe(true);
  });

  test("once a job fails nothing more starts; its error is thrown in its turn, after the results before it", async () => {
    const { items, job, started, settle } = handJobs(4);
    const out: number[] = [];
    const reading = (async () => {
      for await (const { item } of mapInOrder(items, job, { concurrency: 2, window: 3 })) out.push(item);
    })();
    await settled();
    settle[1]?.reject(new Error("batch 1 failed"));
    await settled();
    settle[2]?.resolve("r2");
    settle[0]?.resolve("r0");
    await expect(reading).rejects.toThrow("batch 1 failed");
    expect(out).toEqual([0]);
    expect(started).toEqual([0, 1]);
  });

  test("reads an async source lazily, as slots free up", async () => {
    const pulled: number[] = [];
    async function* source() {
      for (let i = 0; i < 6; i++) {
        pulled.push(i);
        yield i;
      }
    }
    const results: number[] = [];
    for await (const { result } of mapInOrder(source(), async (i) => i * 10, { concurrency: 2, window: 2 })) {
      results.push(result);
      // at most the window is pulled ahead of what was handed back
      expect(pulled.length).toBeLessThanOrEqual(results.length + 2);
    }
    expect(results).toEqual([0, 10, 20, 30, 40, 50]);
  });
});
