// The post-load step runner on real PostgreSQL sessions: steps run side by side, locks and order are kept, and a
// failure stops everything with every session idle.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../../core/testing.ts";
import { testDatabase } from "../../core/testing.ts";
import { runSteps, type Step, StepsFailed } from "../parallel-steps.ts";

let db: TestDatabase;
let control: pg.Client;

beforeAll(async () => {
  db = await testDatabase("steps");
  control = new pg.Client({ connectionString: db.url });
  await control.connect();
});
afterAll(async () => {
  await control?.end();
  await db?.close();
});

async function withSessions<T>(n: number, fn: (sessions: pg.PoolClient[]) => Promise<T>): Promise<T> {
  const sessions = await Promise.all(Array.from({ length: n }, () => db.pool.connect()));
  try {
    return await fn(sessions);
  } finally {
    for (const s of sessions) s.release(true);
  }
}

/** Backends of this database other than `control`'s that are not idle. */
async function busyBackends(): Promise<number> {
  const { rows } = await control.query(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
  );
  return rows[0].n;
}

describe("runSteps", () => {
  it("runs a ready step on another session while an earlier one is still running", async () => {
    await control.query("SELECT pg_advisory_lock(101)");
    // `waits` can only finish once `frees` has run: one session would wait forever
    const steps: Step[] = [
      {
        id: "waits",
        group: "g",
        locks: [{ table: "t", mode: "read" }],
        run: (s) => s.query("SELECT pg_advisory_lock(101), pg_advisory_unlock(101)"),
      },
      {
        id: "frees",
        group: "g",
        locks: [{ table: "t", mode: "read" }],
        run: () => control.query("SELECT pg_advisory_unlock(101)"),
      },
    ];
    const res = await withSessions(2, (sessions) => runSteps(steps, sessions));
    expect([...res.groupMs.keys()]).toEqual(["g"]);
  });

  it("keeps steps with conflicting locks apart and each step after those it names, on one session or three", async () => {
    for (const n of [1, 3]) {
      const events: string[] = [];
      const step = (id: string, mode: Step["locks"][number]["mode"], after: string[] = []): Step => ({
        id,
        group: id.replace(/\d+$/, ""),
        after,
        locks: [{ table: "t", mode }],
        run: async (s) => {
          events.push(`+${id}`);
          await s.query("SELECT pg_sleep(0.02)");
          events.push(`-${id}`);
        },
      });
      const steps = [
        step("read1", "read"),
        step("read2", "read"),
        step("write", "write", ["read1", "read2"]),
        step("index1", "index"),
        step("index2", "index"),
        step("analyze", "analyze", ["write"]),
        step("alter", "exclusive", ["index1"]),
      ];
      await withSessions(n, (sessions) => runSteps(steps, sessions));
      const span = (id: string) => [events.indexOf(`+${id}`), events.indexOf(`-${id}`)];
      const overlap = (a: string, b: string) => {
        const [a0, a1] = span(a);
        const [b0, b1] = span(b);
        return a0 < b1 && b0 < a1;
      };
      for (const s of steps) expect(span(s.id)[0], s.id).toBeGreaterThanOrEqual(0);
      for (const [a, b] of [
        ["write", "index1"],
        ["write", "index2"],
        ["analyze", "index1"],
        ["analyze", "index2"],
        ["alter", "read1"],
        ["alter", "write"],
        ["alter", "index2"],
        ["alter", "analyze"],
      ]) {
        expect(overlap(a, b), `${a} / ${b} on ${n} sessions`).toBe(false);
      }
      expect(span("write")[0]).toBeGreaterThan(Math.max(span("read1")[1], span("read2")[1]));
      expect(span("analyze")[0]).toBeGreaterThan(span("write")[1]);
      expect(span("alter")[0]).toBeGreaterThan(span("index1")[1]);
    }
  });

  it("a failed step cancels the running ones, starts no other and throws its error once every session is idle", async () => {
    await control.query("SELECT pg_advisory_lock(102)");
    try {
      const started: string[] = [];
      const steps: Step[] = [
        {
          id: "blocked",
          group: "g",
          locks: [],
          run: async (s) => {
            started.push("blocked");
            await s.query("SELECT pg_advisory_lock(102)");
          },
        },
        {
          id: "fails",
          group: "g",
          locks: [],
          run: async (s) => {
            started.push("fails");
            // only once the other is waiting on the lock: then it must really be cancelled
            for (;;) {
              const { rows } = await control.query(
                "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 102 AND NOT granted",
              );
              if (rows[0].n > 0) break;
              await new Promise((r) => setTimeout(r, 20));
            }
            await s.query("SELECT 1 / 0");
          },
        },
        { id: "later", group: "g", after: ["fails"], locks: [], run: async () => started.push("later") },
        { id: "queued", group: "h", locks: [], run: async () => started.push("queued") },
      ];
      const err = await withSessions(2, async (sessions) => {
        const e = await runSteps(steps, sessions).catch((x: unknown) => x);
        expect(await busyBackends()).toBe(0);
        return e;
      });
      expect(err).toBeInstanceOf(StepsFailed);
      expect((err as StepsFailed).first).toBeInstanceOf(Error);
      expect(((err as StepsFailed).first as Error).message).toMatch(/division by zero/);
      expect(started).toEqual(["blocked", "fails"]);
      expect((err as StepsFailed).troubled.size).toBe(2);
    } finally {
      await control.query("SELECT pg_advisory_unlock(102)");
    }
  });

  it("refuses steps that could never start", async () => {
    const steps: Step[] = [{ id: "a", group: "g", after: ["nowhere"], locks: [], run: async () => undefined }];
    await withSessions(1, async (sessions) => {
      await expect(runSteps(steps, sessions)).rejects.toThrow(/step a comes after nowhere, unknown/);
    });
  });
});
