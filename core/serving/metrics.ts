// Prometheus metrics of one service (api or tiles), served at GET /metrics in the text exposition format: requests
// by route and status, latency by route, requests shed by admission control, cache hits and misses. Each service
// has a registry of its own (api and tiles may share a process: `cosmo web`, tests). Routes are labelled by their
// pattern (`/zones/:id`), never by the URL, so the series stay few.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Admission } from "./overload.ts";

export const METRICS_PATH = "/metrics";

/** Label of a request that matched no route (404s, malformed paths). */
const UNMATCHED = "unmatched";

const routeOfResponse = new WeakMap<ServerResponse, string>();

/** Names the route a request was answered by, for answers given outside Express (the fast paths). */
export function labelRoute(res: ServerResponse, route: string): void {
  routeOfResponse.set(res, route);
}

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Called first for every request: times it and counts it once it is answered. */
  observe(req: IncomingMessage, res: ServerResponse): void;
  /** GET /metrics. */
  respond(res: ServerResponse): Promise<void>;
}

/** Hits and misses so far of each cache of a service, by cache name. */
export type CacheStats = () => Record<string, { hits: number; misses: number }>;

export function createServiceMetrics(service: string, admission: Admission, caches?: CacheStats): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: "cosmo_" });
  const requests = new Counter({
    name: "cosmo_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "cosmo_http_request_duration_seconds",
    help: "Time from a request's arrival to the end of its answer, by route pattern",
    labelNames: ["route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Counter({
    name: "cosmo_cache_requests_total",
    help: "Cache lookups by cache and result (hit ratio = hit / (hit + miss))",
    labelNames: ["cache", "result"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, c] of Object.entries(caches?.() ?? {})) {
        this.inc({ cache: name, result: "hit" }, c.hits);
        this.inc({ cache: name, result: "miss" }, c.misses);
      }
    },
  });
  new Counter({
    name: "cosmo_overload_shed_total",
    help: "Requests answered 503 busy by admission control (in-flight and queue full, or queued too long)",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(admission.stats().rejected);
    },
  });
  new Gauge({
    name: "cosmo_requests_in_flight",
    help: "Requests admitted and being worked on",
    registers: [registry],
    collect() {
      this.set(admission.stats().inFlight);
    },
  });
  new Gauge({
    name: "cosmo_requests_queued",
    help: "Requests waiting for admission",
    registers: [registry],
    collect() {
      this.set(admission.stats().queued);
    },
  });

  return {
    registry,
    observe(req, res) {
      const started = process.hrtime.bigint();
      res.once("finish", () => {
        // Express leaves the matched route on the request; the fast paths label theirs.
        const route =
          routeOfResponse.get(res) ?? (req as IncomingMessage & { route?: { path?: string } }).route?.path ?? UNMATCHED;
        requests.inc({ route, method: req.method ?? "", status: String(res.statusCode) });
        duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
      });
    },
    async respond(res) {
      const text = await registry.metrics();
      res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
      res.end(text);
    },
  };
}
