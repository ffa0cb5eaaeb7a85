// What `make bench-serve` prints: one line per target, from the results it writes to bench/out/serve.json.
// Every figure printed is the one its ratio or verdict is computed from.
import type { LoadResult } from "./load.ts";

type Rounds<T> = T & { rounds: T[] };

export interface UncachedResult {
  server: Rounds<LoadResult>;
  /** The pgbench ceiling as the ratio uses it: tps and latency are means over the alternating rounds. */
  ceiling: { tps: number; latencyMs: number; rounds: { tps: number; latencyMs: number }[] };
  ratio: number;
}

/**
 * `alternate()` averages rps over the rounds but keeps round 1's other fields, so a ceiling's `tps` there is
 * round 1's: state the ceiling as the mean of all rounds, the figure the ratio divides by.
 */
export function uncachedResult(
  server: Rounds<LoadResult>,
  ceiling: { rounds: { tps: number; latencyMs: number }[] },
): UncachedResult {
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rounds = ceiling.rounds.map(({ tps, latencyMs }) => ({ tps, latencyMs }));
  const tps = mean(rounds.map((r) => r.tps));
  return {
    server,
    ceiling: { tps, latencyMs: mean(rounds.map((r) => r.latencyMs)), rounds },
    ratio: server.rps / tps,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const verdict = (ok: boolean) => (ok ? "OK  " : "MISS");

export function reportLines(results: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (results.uncached) {
    const u = results.uncached as UncachedResult;
    const rounds = u.ceiling.rounds.length;
    const low = results.lowZoom as Record<string, { p50: number; p99: number; bytes: number }>;
    const lowWorst = Math.max(...Object.values(low).map((l) => l.p99));
    lines.push(
      `${verdict(u.ratio >= 0.4)} uncached tiles z6-z14: ${u.server.rps.toFixed(0)} req/s vs SQL ceiling ${u.ceiling.tps.toFixed(0)} tps (both means of ${rounds} rounds) = ${pct(u.ratio)} (target >= 40 %)`,
      `${verdict(lowWorst < 100)} z0-z4 uncached: ${Object.entries(low)
        .map(([z, l]) => `${z} p50 ${l.p50} ms p99 ${l.p99} ms ${l.bytes} B`)
        .join("; ")} (target < 100 ms)`,
    );
  }
  if (results.cached) {
    const c = results.cached as { server: { rps: number; p99: number }; nginx: { rps: number }; ratio: number };
    lines.push(
      `${verdict(c.ratio >= 0.5)} cached tiles: ${c.server.rps.toFixed(0)} req/s vs nginx static ${c.nginx.rps.toFixed(0)} req/s = ${pct(c.ratio)} (target >= 50 %)`,
    );
  }
  if (results.api) {
    type Api = { p50: number; p99: number; rps: number; errors: number; status: Record<string, number> };
    const a = results.api as Api;
    const n = results.apiUncached as Api;
    lines.push(
      `${verdict(a.p99 < 100 && a.errors === 0)} API /zones/:id at 100 connections: ${a.rps.toFixed(0)} req/s, p50 ${a.p50} ms, p99 ${a.p99} ms, errors ${a.errors}, status ${JSON.stringify(a.status)} (target p99 < 100 ms)`,
      `info API without the response cache: ${n.rps.toFixed(0)} req/s, p50 ${n.p50} ms, p99 ${n.p99} ms`,
    );
  }
  if (results.overload) {
    const o = results.overload as { share503: number; admittedP99: number; peakRssMb: number; requests: number };
    lines.push(
      `info overload (400 clients, limit 64+64): ${pct(o.share503)} of ${o.requests} answered 503, admitted p99 ${o.admittedP99?.toFixed(0)} ms, peak RSS ${o.peakRssMb.toFixed(0)} MB`,
    );
  }
  const ms = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(0)} ms`);
  type Flood = {
    connections: number;
    pacedMs: number | null;
    seconds: number;
    sent: number;
    shed: number;
    answeredOr503Share: number;
    shedP50: number | null;
    shedP99: number | null;
    answeredP99: number | null;
    nginxShedP99: number | null;
    dropped: Record<string, number>;
    other: Record<string, number>;
  };
  if (results.flood) {
    const f = results.flood as Flood;
    const rate = f.sent / f.seconds;
    lines.push(
      `${verdict(f.answeredOr503Share >= 0.99)} ${f.connections} connections through nginx, closed loop: ${(f.answeredOr503Share * 100).toFixed(2)} % of ${f.sent} answered or 503 + Retry-After (target >= 99 %); dropped ${JSON.stringify(f.dropped)}, other ${JSON.stringify(f.other)}`,
      // Little's law: with every connection always waiting, mean latency = connections / answers per second,
      // bounded here by what the one load-generating process on the same two cores can send.
      `info closed loop: ${rate.toFixed(0)} answers/s for ${f.connections} connections = ${((f.connections / rate) * 1000).toFixed(0)} ms mean latency by Little's law; 503 p50 ${ms(f.shedP50)} p99 ${ms(f.shedP99)}, answered p99 ${ms(f.answeredP99)}`,
    );
  }
  if (results.floodPaced) {
    const f = results.floodPaced as Flood;
    lines.push(
      `${verdict(f.answeredOr503Share >= 0.99)} ${f.connections} connections through nginx, each a request every ${f.pacedMs} ms: ${(f.answeredOr503Share * 100).toFixed(2)} % of ${f.sent} answered or 503 + Retry-After (target >= 99 %); dropped ${JSON.stringify(f.dropped)}, other ${JSON.stringify(f.other)}`,
      `${verdict(f.shedP99 !== null && f.shedP99 < 50)} the same: ${f.shed} answered 503, p50 ${ms(f.shedP50)} p99 ${ms(f.shedP99)} (target < 50 ms); answered p99 ${ms(f.answeredP99)}`,
      `info the same, nginx's own time for its 503s (its access log, a component figure): p99 ${ms(f.nginxShedP99)}`,
    );
  }
  return lines;
}
