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
}): Promise<LoadResult> {
  if (!opts.url.startsWith("http://127.0.0.1")) throw new Error("bench: loopback targets only");
  let i = Math.floor(Math.random() * opts.paths.length);
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 10 }),
    headers: opts.headers ?? {},
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          i = (i + 1 + Math.floor(Math.random() * 7)) % opts.paths.length;
          return { ...req, path: opts.paths[i] };
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
