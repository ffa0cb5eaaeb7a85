// Both services under hostile input (≥ 1000 generated bad paths and queries: all 4xx, none 5xx, no crash),
// under overload (503 + Retry-After + JSON, without touching the database) and before any publish.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { testConfig, testDatabase } from "../../core/testing.ts";
import { startTilesServer } from "../../tiles/server.ts";
import { startApiServer } from "../server.ts";
import { getJson, luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
let api: { url: string; close(): Promise<void> };
let tiles: { url: string; close(): Promise<void> };

beforeAll(async () => {
  fx = await luxembourgDatabase("robust");
  const config = testConfig({ db: fx.db });
  api = await startApiServer({ db: fx.db, port: 0, host: "127.0.0.1", config });
  tiles = await startTilesServer({ db: fx.db, port: 0, host: "127.0.0.1", config });
});
afterAll(async () => {
  await api?.close();
  await tiles?.close();
  await fx?.db.close();
});

const NASTY = [
  "'",
  "' OR 1=1 --",
  "1; DROP TABLE zones",
  '"',
  "\\",
  "%00",
  "%",
  "%%",
  "_",
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e%2f",
  "%ZZ",
  "%E0%A4%A",
  "99999999999999999999999999",
  "-1",
  "1e308",
  "NaN",
  "Infinity",
  "0x1F",
  "1.0",
  " 1",
  "１２",
  "😀",
  "Ω≈ç√",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal log4shell-style input, not a template
  "${jndi:ldap://x}",
  "null",
  "[]",
  "{}",
  "a".repeat(3000),
  "%F0%9F%98%80",
  "%C0%AE%C0%AE%2F",
  "1 UNION SELECT password FROM pg_shadow",
  "$(reboot)",
  "%0d%0aSet-Cookie:x=1",
  "\u0000",
  "4294967296",
  "-0",
  "1/../../2",
  "%2F%2F",
  "\u202e",
  "1' AND pg_sleep(5)--",
];

function apiRequests(): string[] {
  const out: string[] = [];
  for (const n of NASTY) {
    out.push(
      `/zones/${n}`,
      `/zones/${n}/parents`,
      `/zones/${n}/geometry`,
      `/compat/zones/${n}`,
      `/compat/zones/${n}/parents`,
    );
    for (const p of ["limit", "offset", "bbox", "type", "country", "lon", "lat"]) out.push(`/zones?${p}=${n}`);
    out.push(`/zones?${n}=1`, `/stats?x=${n}`);
    // Small plain numbers ("-1", "1.0", "-0") are valid coordinates and tolerances: hostile only elsewhere.
    if (!/^-?\d{1,3}(\.\d+)?$/.test(n)) {
      out.push(`/zones/1/geometry?simplify=${n}`, `/zones/at?lon=${n}&lat=49.6`, `/zones/at?lon=6.1&lat=${n}`);
    }
    out.push(`/${n}`, `/zones/1/${n}`, `/openapi.json/${n}`);
  }
  out.push("/zones?q=a", "/zones?limit=101", "/zones?bbox=-180,-90,180,90", "/zones/at", "/zones?q=x&q=y");
  return out;
}

function tileRequests(): string[] {
  const out: string[] = [];
  for (const n of NASTY) {
    out.push(
      `/tiles/zones/${n}/0/0.pbf`,
      `/tiles/zones/0/${n}/0.pbf`,
      `/tiles/zones/0/0/${n}.pbf`,
      `/tiles/zones/0/0/${n}`,
    );
    out.push(
      `/tiles/cosmogony/${n}/0/0.pbf`,
      `/tiles/${n}/0/0/0.pbf`,
      `/tiles/${n}.json`,
      `/${n}`,
      `/tiles/zones/1/1/${n}`,
    );
  }
  for (const z of [23, 24, 99, 1000]) out.push(`/tiles/zones/${z}/0/0.pbf`);
  for (let z = 0; z < 12; z++) out.push(`/tiles/zones/${z}/${2 ** z}/0.pbf`, `/tiles/zones/${z}/0/${2 ** z}.pbf`);
  return out;
}

async function sendAll(base: string, paths: string[], concurrency = 16) {
  const statuses = new Map<string, number>();
  let i = 0;
  const worker = async () => {
    while (i < paths.length) {
      const path = paths[i++] as string;
      // Raw paths: fetch would normalise ../ away, so send what a hostile client sends.
      const res = await rawGet(base, path);
      statuses.set(path, res);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

async function rawGet(base: string, path: string): Promise<number> {
  const { request } = await import("node:http");
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)),
        method: "GET",
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

test("≥ 1000 hostile requests: every answer is a 4xx, the services keep working", async () => {
  const apiPaths = apiRequests();
  const tilePaths = tileRequests();
  expect(apiPaths.length + tilePaths.length).toBeGreaterThanOrEqual(1000);
  for (const [base, paths] of [
    [api.url, apiPaths],
    [tiles.url, tilePaths],
  ] as const) {
    const statuses = await sendAll(base, paths);
    const bad = [...statuses].filter(([, s]) => s < 400 || s >= 500);
    expect(bad.slice(0, 10), `${bad.length} non-4xx answers`).toEqual([]);
  }
  expect((await getJson(`${api.url}/healthz`)).status).toBe(200);
  expect((await getJson(`${tiles.url}/readyz`)).status).toBe(200);
  expect((await getJson(`${api.url}/zones?q=luxem`)).status).toBe(200);
  // Data still intact.
  const { rows } = await fx.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM public.zones");
  expect(rows[0]?.n).toBeGreaterThan(200);
});

describe("invalid characters, encodings, lengths and numbers → 400 naming the parameter", () => {
  // Every parameter of every route, each given a value that must be refused before it reaches the database
  // (PostgreSQL refuses NUL in text: it used to come back as a 500).
  const ID = "1";
  const PARAMETERS: [route: string, parameter: string, valid: string][] = [
    ["/zones", "q", "lux"],
    ["/zones", "type", "city"],
    ["/zones", "country", "LU"],
    ["/zones", "bbox", "6,49,7,50"],
    ["/zones", "limit", "5"],
    ["/zones", "offset", "5"],
    ["/zones", "labels", "fr"],
    ["/zones/at?lat=49.6", "lon", "6.1"],
    ["/zones/at?lon=6.1", "lat", "49.6"],
    ["/zones/at?lon=6.1&lat=49.6", "labels", "fr"],
    [`/zones/${ID}`, "labels", "fr"],
    [`/zones/${ID}/parents`, "labels", "fr"],
    [`/zones/${ID}/geometry`, "simplify", "10"],
    [`/zones/${ID}/geometry`, "dataset", "1"],
  ];
  const BAD: [value: (valid: string) => string, reason: RegExp][] = [
    [(v) => `${v}%00`, /control character/],
    [(v) => `%00${v}`, /control character/],
    [(v) => `${v}%01`, /control character/],
    [(v) => `${v}%0A`, /control character/],
    [(v) => `${v}%1B`, /control character/],
    [(v) => `${v}%7F`, /control character/],
    [(v) => `${v}%C2%85`, /control character/],
    [(v) => `${v}%FF`, /UTF-8/],
    [(v) => `${v}%C3`, /UTF-8/],
    [(v) => `${v}%C0%AE`, /UTF-8/],
    [(v) => `${v}%ED%A0%80`, /UTF-8/],
    [(v) => `${v}%E0%A4%A`, /UTF-8/],
    // Over-long: refused by each parameter's own rule (q: at most 100 characters; codes, numbers: their pattern).
    [(v) => `${v}${"a".repeat(3000)}`, /./],
  ];

  test("query parameters", async () => {
    for (const [route, parameter, valid] of PARAMETERS) {
      const join = route.includes("?") ? "&" : "?";
      for (const [bad, reason] of BAD) {
        const full = `${route}${join}${parameter}=${bad(valid)}`;
        const r = await getJson(`${api.url}${full}`);
        const path = full.slice(0, 80);
        expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body.error, path).toBe("invalid_parameter");
        expect(r.body.parameter, path).toBe(parameter);
        expect(r.body.reason, path).toMatch(reason);
        expect(r.body.message, path).toContain(parameter);
      }
      // Given twice, or as a nested object (`q[a]=`): one value is expected.
      for (const path of [
        `${route}${join}${parameter}=${valid}&${parameter}=${valid}`,
        `${route}${join}${parameter}[a]=${valid}`,
      ]) {
        const r = await getJson(`${api.url}${path}`);
        expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(400);
        if (path.includes("[a]")) {
          // `lon[a]` is an unknown name, and `lon` is then missing: either is a fair first complaint.
          expect(r.body.parameter, path).toContain(parameter);
          expect(r.body.reason, path).toMatch(/^(unknown parameter|required)$/);
        } else expect([r.body.parameter, r.body.reason], path).toEqual([parameter, "given more than once"]);
      }
    }
    const long = await getJson(`${api.url}/zones?q=${"a".repeat(3000)}`);
    expect([long.status, long.body.parameter, long.body.reason]).toEqual([
      400,
      "q",
      "must have at most 100 characters",
    ]);
    // The same value, valid, is answered.
    expect((await getJson(`${api.url}/zones?q=lux`)).status).toBe(200);
    expect((await getJson(`${api.url}/zones?q=Lëtzebuerg`)).status).toBe(200);
  });

  test("path parameters and parameter names", async () => {
    for (const route of [
      "/zones/ID",
      "/zones/ID/parents",
      "/zones/ID/geometry",
      "/compat/zones/ID",
      "/compat/zones/ID/parents",
    ]) {
      for (const [bad] of BAD) {
        const path = route.replace("ID", bad(ID));
        const r = await getJson(`${api.url}${path}`);
        expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body.error, path).toBe("invalid_parameter");
        expect(r.body.parameter, path).toBe("id");
      }
    }
    for (const [path, parameter] of [
      ["/tiles/zones/%FF/0/0.pbf", "z"],
      ["/tiles/zones/0/%C3/0.pbf", "x"],
      ["/tiles/zones/0/0/%ED%A0%80.pbf", "y"],
      ["/tiles/zones/0/0/0%00.pbf", "y"],
      ["/tiles/zones/0%01/0/0.pbf", "z"],
      ["/tiles/%FF.json", "layer"],
    ] as const) {
      const r = await getJson(`${tiles.url}${path}`);
      expect([r.status, r.body.error, r.body.parameter], path).toEqual([400, "invalid_parameter", parameter]);
    }
    for (const name of ["q%00", "q%FF", "%00"]) {
      const r = await getJson(`${api.url}/zones?${name}=lux`);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error).toBe("invalid_parameter");
      expect(r.body.message, "no control character echoed").not.toMatch(/\p{Cc}/u);
    }
  });
});

describe("overload", () => {
  test("beyond maxInFlight + queue: 503, Retry-After, JSON body; admitted requests still succeed", async () => {
    const config = testConfig({ db: fx.db });
    // A long queue wait so a slow machine cannot turn the admitted requests into timeouts: the requests beyond
    // in-flight + queue are the ones that must be refused, immediately.
    const small = { maxInFlight: 1, queue: 1, retryAfterSeconds: 2, queueTimeoutMs: 60_000 };
    const a = await startApiServer({ db: fx.db, port: 0, host: "127.0.0.1", config, settings: small });
    const t = await startTilesServer({
      db: fx.db,
      port: 0,
      host: "127.0.0.1",
      config,
      settings: { ...small, memoryCacheBytes: 0 },
    });
    try {
      for (const [base, path] of [
        [a.url, (i: number) => `/zones/at?lon=${6 + i / 1000}&lat=49.6`],
        [t.url, (i: number) => `/tiles/zones/12/${2110 + (i % 20)}/${1400 + Math.floor(i / 20)}.pbf`],
      ] as const) {
        // Hold the admitted requests in the database (a lock on the served zones table) so that "more requests
        // than in-flight + queue at once" does not depend on how fast this machine answers them.
        const locker = await fx.db.pool.connect();
        let responses: Response[];
        try {
          const { rows } = await locker.query<{ schema_name: string }>(
            "SELECT d.schema_name FROM cosmo.served s JOIN cosmo.datasets d ON d.version = s.version",
          );
          await locker.query("BEGIN");
          await locker.query(`LOCK TABLE "${rows[0].schema_name}".zones IN ACCESS EXCLUSIVE MODE`);
          const pending = Array.from({ length: 40 }, (_, i) => fetch(`${base}${path(i)}`));
          // The refused ones answer at once, without the database; the admitted ones wait for the lock.
          const early = await Promise.race([
            Promise.all(pending.map((p) => p.then((r) => r.status))).then(() => "all answered"),
            new Promise((r) => setTimeout(() => r("waiting"), 1500)),
          ]);
          expect(early, `${base}: admitted requests must wait for the lock`).toBe("waiting");
          await locker.query("COMMIT");
          responses = await Promise.all(pending);
        } finally {
          await locker.query("ROLLBACK").catch(() => undefined);
          locker.release();
        }
        const busy = responses.filter((r) => r.status === 503);
        const ok = responses.filter((r) => r.status === 200 || r.status === 204);
        expect(busy.length, base).toBeGreaterThan(0);
        expect(ok.length, base).toBeGreaterThan(0);
        expect(busy.length + ok.length).toBe(40);
        expect(busy[0]?.headers.get("retry-after")).toBe("2");
        const body = (await busy[0]?.json()) as { error: string; message: string };
        expect(body.error).toBe("busy");
        expect(body.message).toMatch(/busy/);
      }
    } finally {
      await a.close();
      await t.close();
    }
  });
});

test("before any publish: readyz 503 and data routes 503 no_dataset", async () => {
  const empty = await testDatabase("nodata");
  const config = testConfig({ db: empty });
  const a = await startApiServer({ db: empty, port: 0, host: "127.0.0.1", config });
  const t = await startTilesServer({ db: empty, port: 0, host: "127.0.0.1", config });
  try {
    expect((await getJson(`${a.url}/healthz`)).status).toBe(200);
    expect((await getJson(`${a.url}/readyz`)).status).toBe(503);
    const z = await getJson(`${a.url}/zones/1`);
    expect(z.status).toBe(503);
    expect(z.body.error).toBe("no_dataset");
    expect((await getJson(`${t.url}/tiles/zones/0/0/0.pbf`)).status).toBe(503);
    expect((await getJson(`${t.url}/readyz`)).status).toBe(503);
    expect((await getJson(`${a.url}/datasets`)).body).toEqual({ served: null, datasets: [] });
  } finally {
    await a.close();
    await t.close();
    await empty.close();
  }
});

test("`cosmo api serve` and `cosmo tiles serve` print where they answer, answer, then exit 0 on SIGTERM", async () => {
  const { spawn } = await import("node:child_process");
  const { COSMO_BIN, testEnv } = await import("../../core/testing.ts");
  const { freePort } = await import("../../bench/serve/services.ts");
  await Promise.all(
    (["api", "tiles"] as const).map(async (stage) => {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [COSMO_BIN, stage, "serve", "--port", String(port), "--host", "127.0.0.1"],
        {
          env: { ...testEnv({ db: fx.db }), COSMO_TILES_PERSISTENT_CACHE: "false" },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += String(d);
      });
      let stdout = "";
      child.stdout?.on("data", (d) => {
        stdout += String(d);
      });
      // "close": after the output streams ended too, so stdout is complete.
      const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
      const deadline = Date.now() + 90_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready, `${stage} serve became ready; stderr: ${stderr.slice(-500)}`).toBe(true);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const firstPage = stage === "api" ? "/openapi.json" : "/tiles/zones.json";
      expect(stdout).toBe(`${stage}: http://127.0.0.1:${port}${firstPage}\n`);
    }),
  );
});
