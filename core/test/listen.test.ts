// core/serving/listen.ts: what a request costs Node besides the route (issue 16's per-answer CPU budget).
import type { IncomingMessage } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Listening, listen } from "../serving/listen.ts";

/** How each request looked when its answer finished. */
const finished: { method: string; ended: boolean; endListeners: string[] }[] = [];
let server: Listening;

beforeAll(async () => {
  const app = express();
  const record = (req: IncomingMessage) => () =>
    finished.push({
      method: req.method ?? "",
      ended: req.readableEnded,
      endListeners: req.listeners("end").map((f) => f.name),
    });
  // The answer comes a moment later, as a database query's would.
  app.get("/later", (req, res) => {
    res.once("finish", record(req));
    setTimeout(() => res.json({ ok: true }), 20);
  });
  app.post("/echo", (req, res) => {
    res.once("finish", record(req));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res.type("text/plain").send(Buffer.concat(chunks)));
  });
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
});

describe("listen", () => {
  it("a GET has ended before its answer finishes: Node hooks no listener on its end to release it", async () => {
    for (let k = 0; k < 3; k++) {
      const r = await fetch(`${server.url}/later`);
      expect(await r.json()).toEqual({ ok: true });
    }
    const gets = finished.filter((f) => f.method === "GET");
    expect(gets).toHaveLength(3);
    for (const f of gets) {
      expect(f.ended).toBe(true);
      expect(f.endListeners).not.toContain("clearIncoming");
    }
  });

  it("a POST's body is still there for the route to read", async () => {
    const body = "x".repeat(200_000);
    const r = await fetch(`${server.url}/echo`, { method: "POST", body });
    expect(await r.text()).toBe(body);
  });
});
