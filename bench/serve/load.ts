// autocannon runs with per-request paths from a list (random order), bounded duration, loopback only.
import autocannon from "autocannon";

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  status: Record<string, number>;
  errors: number;
}

export async function load(opts: {
  url: string;
  paths: string[];
  connections: number;
  seconds?: number;
  amount?: number;
  headers?: Record<string, string>;
  /** Request bodies sent in turn with `method` (bulk POSTs); paths are still drawn as for GETs. */
  bodies?: string[];
  method?: string;
  /** Headers of each path (same index), over `headers`: a Range per tile for bench-export's archive reads. */
  pathHeaders?: Record<string, string>[];
}): Promise<LoadResult> {
  if (opts.pathHeaders && opts.pathHeaders.length !== opts.paths.length)
    throw new Error("bench load(): pathHeaders must have one entry per path");
  if (!opts.url.startsWith("http://127.0.0.1")) throw new Error("bench: loopback targets only");
  let i = Math.floor(Math.random() * opts.paths.length);
  let b = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 10 }),
    headers: opts.headers ?? {},
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          i = (i + 1 + Math.floor(Math.random() * 7)) % opts.paths.length;
          const own = opts.pathHeaders?.[i];
          if (own) req = { ...req, headers: { ...(req.headers as Record<string, string>), ...own } };
          if (!opts.bodies) return { ...req, path: opts.paths[i] };
          b = (b + 1) % opts.bodies.length;
          return { ...req, path: opts.paths[i], method: opts.method ?? "POST", body: opts.bodies[b] };
        },
      },
    ],
  });
  const status: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) status[code] = (v as { count: number }).count;
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    status,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Measure two things in alternating rounds (A B A B …) so that load from other processes on a shared machine
 * hits both sides alike; rps = all requests / all time, p50 = median of rounds, p99 = worst round.
 */
export async function alternate<T extends { rps: number }, U extends { rps: number }>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<U>,
): Promise<[T & { rounds: T[] }, U & { rounds: U[] }]> {
  const ra: T[] = [];
  const rb: U[] = [];
  for (let i = 0; i < rounds; i++) {
    ra.push(await a());
    rb.push(await b());
  }
  return [summarise(ra), summarise(rb)];
}

function summarise<T extends { rps: number }>(rounds: T[]): T & { rounds: T[] } {
  const rps = rounds.reduce((s, r) => s + r.rps, 0) / rounds.length;
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  const any = rounds[0] as T & { p50?: number; p99?: number };
  const merged = { ...any, rps, rounds } as T & { rounds: T[]; p50?: number; p99?: number };
  if (typeof any.p50 === "number") {
    merged.p50 = median(rounds.map((r) => (r as unknown as { p50: number }).p50));
    merged.p99 = Math.max(...rounds.map((r) => (r as unknown as { p99: number }).p99));
  }
  return merged;
}
