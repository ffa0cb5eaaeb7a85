// Many concurrent keep-alive connections, each sending requests one after another, every answer classified:
// a normal answer (2xx/304), a 503 carrying Retry-After (shed), anything else, or no answer at all (reset,
// refused, timeout). Shared by `make bench-serve` (which reads the latencies) and the nginx overload test
// (which reads only the counts). Loopback only.
import { Agent, request } from "node:http";

export interface FloodResult {
  sent: number;
  answered: number;
  shed: number;
  /** Other statuses (a 503 without Retry-After counts here), by status. */
  other: Record<string, number>;
  /** No HTTP answer, by error code. */
  dropped: Record<string, number>;
  answeredMs: number[];
  shedMs: number[];
}

export async function flood(opts: {
  url: string;
  paths: string[];
  connections: number;
  /** Requests per connection, or run until `seconds` have passed. */
  requestsPerConnection?: number;
  seconds?: number;
  headers?: Record<string, string>;
  /** Per-request limit: no answer by then counts as dropped ("timeout"). */
  timeoutMs?: number;
  /**
   * Each connection starts a request every `pacedMs` (a user with think time; sooner only when the previous answer
   * came late), starting at a random offset. Without it each connection sends its next request as soon as the
   * previous one is answered (a closed loop: then mean latency = connections ÷ throughput, whatever the server).
   */
  pacedMs?: number;
}): Promise<FloodResult> {
  const base = new URL(opts.url);
  if (base.hostname !== "127.0.0.1") throw new Error("flood: loopback targets only");
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections, maxFreeSockets: opts.connections });
  const out: FloodResult = { sent: 0, answered: 0, shed: 0, other: {}, dropped: {}, answeredMs: [], shedMs: [] };
  const deadline = opts.seconds ? Date.now() + opts.seconds * 1000 : Number.POSITIVE_INFINITY;
  let next = 0;

  const one = (path: string) =>
    new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        settled = true;
        resolve();
      };
      const t0 = performance.now();
      out.sent++;
      const req = request(
        { agent, host: base.hostname, port: base.port, path, headers: opts.headers, timeout: opts.timeoutMs ?? 30_000 },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (settled) return;
            const ms = performance.now() - t0;
            const status = res.statusCode ?? 0;
            if ((status >= 200 && status < 300) || status === 304) {
              out.answered++;
              out.answeredMs.push(ms);
            } else if (status === 503 && res.headers["retry-after"]) {
              out.shed++;
              out.shedMs.push(ms);
            } else out.other[status] = (out.other[status] ?? 0) + 1;
            done();
          });
          res.on("error", (err) => drop(err));
        },
      );
      const drop = (err: Error & { code?: string }) => {
        if (settled) return;
        const code = err.code ?? err.message;
        out.dropped[code] = (out.dropped[code] ?? 0) + 1;
        done();
      };
      req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
      req.on("error", drop);
      req.end();
    });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const connection = async () => {
    const paced = opts.pacedMs;
    let due = performance.now() + (paced ? Math.random() * paced : 0);
    for (let i = 0; opts.requestsPerConnection === undefined || i < opts.requestsPerConnection; i++) {
      if (paced) await pause(Math.max(0, due - performance.now()));
      if (Date.now() >= deadline) break;
      await one(opts.paths[next++ % opts.paths.length] as string);
      if (paced) due += paced;
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, connection));
  agent.destroy();
  return out;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}
