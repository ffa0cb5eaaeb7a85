// The explorer's nginx under a flood of ~1000 concurrent connections, for real: every request gets an answer —
// the service's, or nginx's own 503 + Retry-After once a service has as many requests in progress as it admits.
// No connection is reset or dropped. (Counts only: how fast is `make bench-serve`'s business.)
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { flood } from "../../bench/serve/flood.ts";
import { tmpDir } from "../../core/testing.ts";
import { startWeb, type WebServer } from "../web.ts";

const CONNECTIONS = 1000;
/** Requests the stub service holds at once at most (the flood must outnumber nginx's per-service limit). */
let inProgress = 0;
let maxInProgress = 0;
let service: Server;
let web: WebServer;

beforeAll(async () => {
  // Stands in for a slow service: answers each request after a pause, so requests pile up behind nginx.
  service = createServer((req, res) => {
    inProgress++;
    maxInProgress = Math.max(maxInProgress, inProgress);
    setTimeout(() => {
      inProgress--;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url }));
    }, 200);
  });
  service.keepAliveTimeout = 65_000;
  await new Promise<void>((ok) => service.listen(0, "127.0.0.1", ok));
  const { port } = service.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  web = await startWeb({ apiUrl: url, tilesUrl: url, dataDir: tmpDir("flood-data"), prefixDir: tmpDir("flood-nginx") });
});
afterAll(async () => {
  await web?.close();
  await new Promise<void>((ok) => (service ? service.close(() => ok()) : ok()));
});

test("~1000 concurrent connections: each request is answered or shed with 503 + Retry-After, none dropped", async () => {
  const paths = ["/api/zones/1", "/tiles/zones/5/16/11.pbf", "/api/v2/zones?q=lux", "/tiles/cosmogony/3/4/2.pbf"];
  const r = await flood({ url: web.url, paths, connections: CONNECTIONS, requestsPerConnection: 3 });
  expect(r.dropped, "connections reset, refused or left unanswered").toEqual({});
  expect(r.other, "answers other than the service's or a 503 with Retry-After").toEqual({});
  expect(r.answered + r.shed).toBe(CONNECTIONS * 3);
  // Both paths were taken: nginx shed the excess, and passed requests up to its per-service limit.
  expect(r.shed).toBeGreaterThan(0);
  expect(r.answered).toBeGreaterThan(0);
  expect(maxInProgress, "nginx passed more requests at once than its per-service limit (2 × 128)").toBeLessThanOrEqual(
    256,
  );
  // Static files are not limited, and nginx is still fine afterwards.
  expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
  const after = await fetch(`${web.url}/api/zones/1`);
  expect(after.status).toBe(200);
});
