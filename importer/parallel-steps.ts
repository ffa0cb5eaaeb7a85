// Statements run at once over a few database sessions. PostgreSQL runs a session's statement on one core, so
// independent steps (index builds, shares of a CPU-bound check) on different sessions use the other cores. Each
// step names the steps it comes after and the locks it takes; a step starts only when those steps are done and
// no running step holds a conflicting lock (a session waiting on a lock is a core doing nothing). A step that is
// ready but kept back by a lock also keeps back later steps whose locks conflict with it, as PostgreSQL's own
// lock queue would, so a stream of small steps cannot starve it.
// A failed step stops the run: no new step starts, the running ones are cancelled, and once every session is
// idle the first error is thrown.
import type pg from "pg";
import { childLogger } from "../core/log.ts";

const log = childLogger("importer");

/**
 * The table locks the steps take, by what takes them: SELECT (ACCESS SHARE), INSERT/UPDATE (ROW EXCLUSIVE),
 * ANALYZE (SHARE UPDATE EXCLUSIVE), CREATE INDEX (SHARE), ALTER TABLE (ACCESS EXCLUSIVE).
 */
export type LockMode = "read" | "write" | "analyze" | "index" | "exclusive";

// PostgreSQL's conflict table (docs: "Conflicting Lock Modes") for these five modes.
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  read: ["exclusive"],
  write: ["index", "exclusive"],
  analyze: ["analyze", "index", "exclusive"],
  index: ["write", "analyze", "exclusive"],
  exclusive: ["read", "write", "analyze", "index", "exclusive"],
};

export interface TableLock {
  table: string;
  mode: LockMode;
}

/** What a step may run its statements on: a session that refuses new statements once the run has failed. */
export interface StepSession {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Step {
  /** Unique in the run; other steps name it in `after`. */
  id: string;
  /** What it is part of (its time is reported per group: from its first step's start to its last one's end). */
  group: string;
  after?: readonly string[];
  locks: readonly TableLock[];
  run(session: StepSession): Promise<unknown>;
}

export interface StepsResult {
  /** group → wall time, ms */
  groupMs: Map<string, number>;
}

export class StepsFailed extends Error {
  constructor(
    /** The first step's error. */
    readonly first: unknown,
    /** Sessions whose statement failed or was cancelled: their connection state is uncertain. */
    readonly troubled: ReadonlySet<pg.ClientBase>,
  ) {
    super(first instanceof Error ? first.message : String(first));
  }
}

/** Cancels the statements of the backends $1 (int[]). */
export const CANCEL_SQL = "SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid";

function conflict(a: readonly TableLock[], b: readonly TableLock[]): boolean {
  return a.some((x) => b.some((y) => x.table === y.table && CONFLICTS[x.mode].includes(y.mode)));
}

/**
 * Runs `steps` on `sessions` (each session runs one step at a time); the order of `steps` is their priority
 * among those ready. Resolves when all are done; rejects with StepsFailed (the first error) otherwise.
 */
export async function runSteps(
  steps: readonly Step[],
  sessions: readonly pg.ClientBase[],
  /** Cancels the statements of backends `pids` when no session of the run can (say, the one free is dead). */
  cancelElsewhere?: (pids: number[]) => Promise<unknown>,
): Promise<StepsResult> {
  if (sessions.length === 0) throw new Error("runSteps: no session");
  const ids = new Set(steps.map((s) => s.id));
  if (ids.size !== steps.length) throw new Error("runSteps: two steps have the same id");
  for (const s of steps) {
    for (const a of s.after ?? []) if (!ids.has(a)) throw new Error(`runSteps: step ${s.id} comes after ${a}, unknown`);
  }
  const pids = await Promise.all(
    sessions.map(async (s) => (await s.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid),
  );

  const pending = [...steps];
  const done = new Set<string>();
  const running = new Map<number, { step: Step; settled: Promise<{ session: number; error?: unknown }> }>();
  const idle = sessions.map((_, i) => i);
  const groupLeft = new Map<string, number>();
  for (const s of steps) groupLeft.set(s.group, (groupLeft.get(s.group) ?? 0) + 1);
  const groupStart = new Map<string, number>();
  const groupMs = new Map<string, number>();
  const troubled = new Set<pg.ClientBase>();
  let failure: { error: unknown } | null = null;

  const guarded = (session: pg.ClientBase): StepSession => ({
    query: (text, values) => {
      if (failure) return Promise.reject(new Error("cancelled: another step failed"));
      return session.query(text, values);
    },
  });

  const start = (step: Step, i: number) => {
    const t0 = performance.now();
    if (!groupStart.has(step.group)) groupStart.set(step.group, t0);
    log.debug({ step: step.id, session: pids[i] }, "post-load step started");
    // a step that throws before its first await fails like any other
    const settled = Promise.resolve()
      .then(() => step.run(guarded(sessions[i])))
      .then(
        () => {
          // each step's own time (the groups' overlap): what to cut first
          log.debug({ step: step.id, ms: Math.round(performance.now() - t0) }, "post-load step done");
          return { session: i };
        },
        (error: unknown) => ({ session: i, error }),
      );
    running.set(i, { step, settled });
  };

  const cancelRunning = async () => {
    const busy = [...running.keys()].map((i) => pids[i]);
    if (busy.length === 0) return;
    // through a session that is not running a step (the failed one, if its connection survived)
    for (const i of idle) {
      try {
        await sessions[i].query(CANCEL_SQL, [busy]);
        return;
      } catch {
        troubled.add(sessions[i]);
      }
    }
    try {
      if (cancelElsewhere) return void (await cancelElsewhere(busy));
    } catch (err) {
      log.warn({ err: (err as Error).message }, "could not cancel the running post-load steps");
    }
    log.warn({ sessions: busy }, "could not cancel the running post-load steps: waiting for them");
  };

  while (pending.length > 0 || running.size > 0) {
    if (!failure) {
      const held = [...running.values()].map((r) => r.step.locks);
      const keptBack: (readonly TableLock[])[] = [];
      for (let k = 0; k < pending.length && idle.length > 0; ) {
        const step = pending[k];
        const ready = (step.after ?? []).every((a) => done.has(a));
        if (!ready) {
          k++;
          continue;
        }
        if (held.some((l) => conflict(step.locks, l)) || keptBack.some((l) => conflict(step.locks, l))) {
          keptBack.push(step.locks);
          k++;
          continue;
        }
        pending.splice(k, 1);
        const i = idle.shift() as number;
        start(step, i);
        held.push(step.locks);
      }
      if (running.size === 0 && pending.length > 0) {
        throw new Error(`runSteps: steps that can never start: ${pending.map((s) => s.id).join(", ")}`);
      }
    }
    if (running.size === 0) break;
    const { session, error } = await Promise.race([...running.values()].map((r) => r.settled));
    const { step } = running.get(session) as { step: Step };
    running.delete(session);
    idle.push(session);
    if (error !== undefined) {
      troubled.add(sessions[session]);
      if (!failure) {
        failure = { error };
        log.error({ step: step.id, err: (error as Error).message }, "post-load step failed: stopping the others");
        pending.length = 0;
        await cancelRunning();
      }
      continue;
    }
    done.add(step.id);
    const left = (groupLeft.get(step.group) as number) - 1;
    groupLeft.set(step.group, left);
    if (left === 0 && !failure) {
      const ms = performance.now() - (groupStart.get(step.group) as number);
      groupMs.set(step.group, ms);
      log.info({ step: step.group, seconds: Number((ms / 1000).toFixed(2)) }, `${step.group} done`);
    }
  }
  if (failure) throw new StepsFailed(failure.error, troubled);
  return { groupMs };
}
