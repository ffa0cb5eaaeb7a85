// load() with request bodies (bench-query's POST /zones/locate case): every request is a POST carrying one of
// the bodies, in turn, with the headers given.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { load } from "../load.ts";

let server: Server;
let url: string;
const seen = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const key = req.headers.range
        ? `${req.method} ${req.url} ${req.headers.range} ${req.headers["x-common"]}`
        : `${req.method} ${req.url} ${req.headers["content-type"]} ${body}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      res.end("{}");
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("bench load()", () => {
  it("sends the bodies in turn as POSTs when given bodies", async () => {
    const bodies = ['{"points":[1]}', '{"points":[2]}', '{"points":[3]}'];
    const r = await load({
      url,
      paths: ["/zones/locate"],
      connections: 1,
      amount: 30,
      bodies,
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toEqual({ "200": 30 });
    expect(Object.fromEntries(seen)).toEqual(
      Object.fromEntries(bodies.map((b) => [`POST /zones/locate application/json ${b}`, 10])),
    );
  });

  it("sends each path with its own headers over the common ones", async () => {
    seen.clear();
    const paths = ["/a.pmtiles", "/a.pmtiles", "/b.pmtiles"];
    const pathHeaders = [{ range: "bytes=0-9" }, { range: "bytes=10-19" }, { range: "bytes=5-5" }];
    const r = await load({ url, paths, pathHeaders, connections: 1, amount: 60, headers: { "x-common": "kept" } });
    expect(r.status).toEqual({ "200": 60 });
    const sent = Object.fromEntries(seen);
    expect(Object.keys(sent).sort()).toEqual(
      ["GET /a.pmtiles bytes=0-9 kept", "GET /a.pmtiles bytes=10-19 kept", "GET /b.pmtiles bytes=5-5 kept"].sort(),
    );
  });
});
