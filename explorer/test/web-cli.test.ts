// `cosmo web` as a user runs it (a real process, real nginx, real services): next to another checkout's
// services, and after a `cosmo web` killed with -9.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApiServer } from "../../api/server.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { processAlive } from "../../core/lock.ts";
import { projectPath } from "../../core/paths.ts";
import { freePort } from "../../core/ports.ts";
import { COSMO_BIN, type TestDatabase, testConfig, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { startTilesServer } from "../../tiles/server.ts";

/** A database with the sample zones published, the country renamed so each database can be told apart. */
async function checkoutDatabase(name: string): Promise<TestDatabase> {
  const db = await testDatabase(name);
  const file = await writeZones(
    tmpDir("web-cli"),
    "zones.jsonl.gz",
    sampleZones().map((z) => (z.id === 10 ? { ...z, name: `country of ${name}` } : z)),
  );
  await importZonesFile(db, file, { publish: true, progress: false });
  return db;
}

interface RunningWeb {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function cosmoWeb(args: string[], env: NodeJS.ProcessEnv): RunningWeb {
  const child = spawn(process.execPath, [COSMO_BIN, "web", ...args], {
    env: { ...env, COSMO_LOG_LEVEL: "warn", COSMO_TILES_PERSISTENT_CACHE: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((ok) =>
    child.on("close", (code) => ok({ code, stderr })),
  );
  const url = new Promise<string>((ok, fail) => {
    child.stdout?.on("data", (d) => {
      stdout += d;
      const m = /explorer: (http:\/\/\S+?)\/ /.exec(stdout);
      if (m) ok(m[1] as string);
    });
    void exited.then(({ code }) => fail(new Error(`cosmo web exited (${code}) before serving: ${stderr}`)));
  });
  url.catch(() => undefined); // awaited by the tests that expect it to serve
  return { child, url, exited };
}

function listen(port: number): Promise<Server> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(port, "127.0.0.1", () => ok(srv));
  });
}

let other: TestDatabase;
let ours: TestDatabase;
const running: RunningWeb[] = [];
beforeAll(async () => {
  other = await checkoutDatabase("other");
  ours = await checkoutDatabase("ours");
});
afterAll(async () => {
  for (const w of running) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
    await w.exited;
  }
  await other?.close();
  await ours?.close();
});

describe("cosmo web", () => {
  test("next to another checkout's API, tiles and explorer: serves its own database, on free ports", async () => {
    const config = testConfig({ db: other });
    const otherApi = await startApiServer({ db: other, port: 0, host: "127.0.0.1", config });
    const otherTiles = await startTilesServer({ db: other, port: 0, host: "127.0.0.1", config });
    const webPort = await freePort();
    const otherExplorer = await listen(webPort); // the other checkout's nginx on the default web port
    try {
      const env = {
        ...testEnv({ db: ours }),
        COSMO_API_PORT: new URL(otherApi.url).port,
        COSMO_TILES_PORT: new URL(otherTiles.url).port,
        COSMO_WEB_PORT: String(webPort),
      };
      const web = cosmoWeb([], env);
      running.push(web);
      const url = await web.url;
      expect(new URL(url).port).not.toBe(String(webPort));
      const zone = await (await fetch(`${url}/api/zones/10`)).json();
      expect(zone.zone.name).toBe("country of ours");
      const tilejson = await fetch(`${url}/tiles/zones.json`);
      expect(tilejson.status).toBe(200);
      web.child.kill("SIGTERM");
      await web.exited;

      // An explicit --port that is taken: refused, naming the process that holds it.
      const refused = cosmoWeb(["--port", String(webPort)], env);
      running.push(refused);
      const { code, stderr } = await refused.exited;
      expect(stderr).toMatch(new RegExp(`port already in use by pid ${process.pid} \\(`));
      expect(code).toBe(5);
    } finally {
      await new Promise((r) => otherExplorer.close(r));
      await otherApi.close();
      await otherTiles.close();
    }
  });

  test("after `cosmo web` was killed with -9, the next one stops the nginx it left and takes the port", async () => {
    const env = { ...testEnv({ db: ours }), COSMO_API_PORT: "0", COSMO_TILES_PORT: "0" };
    const port = await freePort();
    const prefix = projectPath(`.data/nginx/web-${port}`);
    try {
      const first = cosmoWeb(["--port", String(port)], env);
      running.push(first);
      await first.url;
      const nginxPid = Number(readFileSync(`${prefix}/nginx.pid`, "utf8"));
      first.child.kill("SIGKILL");
      await first.exited;
      expect(processAlive(nginxPid)).toBe(true); // still holding the port

      const second = cosmoWeb(["--port", String(port)], env);
      running.push(second);
      const url = await second.url;
      expect(processAlive(nginxPid)).toBe(false);
      expect((await (await fetch(`${url}/api/zones/10`)).json()).zone.name).toBe("country of ours");
      const secondNginxPid = Number(readFileSync(`${prefix}/nginx.pid`, "utf8"));
      // SIGTERM: everything it started is stopped (its nginx too) and it exits 0.
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);
      expect(processAlive(secondNginxPid)).toBe(false);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
