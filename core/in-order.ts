// Runs an async job per item of a source, `concurrency` at a time, and hands the results back in the source's
// order, letting up to `window` jobs run ahead of the oldest one not yet handed back.
//
// Why not a window of `concurrency` (start the next job only once the oldest is handed back): jobs of unequal cost
// then stall behind a slow oldest one — the others finish and wait, their connections idle, until it is done
// (`cosmo tiles export`: a dense batch of tiles beside sparse ones, several times the time of its neighbours).
// Here a finished job frees its slot at once for the next item, also while the reader is busy with a result; only
// the results wait, at most `window` of them, so memory stays bounded by the window, not by the number of items.

export interface InOrderOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs started and not yet handed back, at most (≥ concurrency). */
  window: number;
}

/**
 * `job` of each item of `source`, handed back in the source's order. Once a job has failed nothing more is
 * started, and its error is thrown in its turn (after the results before it); an error of the source likewise.
 */
export async function* mapInOrder<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  job: (item: T) => Promise<R>,
  opts: InOrderOptions,
): AsyncGenerator<{ item: T; result: R }> {
  const concurrency = Math.max(1, opts.concurrency);
  const window = Math.max(concurrency, opts.window);
  const items: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const started: { item: T; result: Promise<R>; settled: boolean }[] = [];
  let running = 0;
  let exhausted = false;
  let sourceError = null as { error: unknown } | null;
  let failed = false;
  let closed = false;
  let pulling = false;
  // resolves the reader's wait for something to change (set only while it waits)
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  // Starts jobs while there is a slot and room in the window: from the reader's loop and whenever a job settles.
  const fill = async () => {
    if (pulling) return;
    pulling = true;
    try {
      while (!exhausted && !sourceError && !failed && !closed && running < concurrency && started.length < window) {
        let step: IteratorResult<T>;
        try {
          step = await items.next();
        } catch (error) {
          sourceError = { error };
          break;
        }
        if (step.done) {
          exhausted = true;
          break;
        }
        let result: Promise<R>;
        try {
          result = job(step.value);
        } catch (error) {
          result = Promise.reject(error);
        }
        const entry = { item: step.value, result, settled: false };
        running++;
        const settle = (ok: boolean) => {
          entry.settled = true;
          running--;
          if (!ok) failed = true;
          signal();
          void fill();
        };
        result.then(
          () => settle(true),
          () => settle(false),
        );
        started.push(entry);
        signal();
      }
    } finally {
      pulling = false;
      signal();
    }
  };

  try {
    while (true) {
      void fill();
      const oldest = started[0];
      if (oldest?.settled) {
        started.shift();
        // room in the window again: start the next job before handing this result over
        void fill();
        yield { item: oldest.item, result: await oldest.result };
        continue;
      }
      if (!oldest && !pulling && (exhausted || sourceError || failed)) {
        if (sourceError) throw sourceError.error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // the reader stopped (done, failed or left early): start nothing more
    closed = true;
  }
}
