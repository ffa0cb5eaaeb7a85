// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test
// The root CLI as a user runs it (`node bin/cosmo.js …`, real processes, the test database and S3 server): config
// errors, option parsing, closed pipes and expected failures give one line on stderr and the documented exit code.
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../paths.ts";
import type { ArtefactStore } from "../storage.ts";
import {
  COSMO_BIN,
  type ProcessRun,
  runNode,
  type TestDatabase,
  testDatabase,
  testEnv,
  testStore,
  tmpDir,
} from "../testing.ts";

let db: TestDatabase;
let store: ArtefactStore;
const dir = tmpDir("core-cli");

beforeAll(async () => {
  db = await testDatabase("core_cli");
  store = testStore();
});
afterAll(async () => {
  await db?.close();
});

type Run = ProcessRun;

/** Run cosmo; `closedStdout` closes the reading end of its stdout before it starts (a reader gone, as `| head`). */
function cosmo(args: string[], opts: { env?: NodeJS.ProcessEnv; closedStdout?: boolean } = {}): Promise<Run> {
  return runNode([COSMO_BIN, ...args], {
    env: { ...testEnv({ db, store }), COSMO_LOG_LEVEL: "warn", ...opts.env },
    closedStdout: opts.closedStdout,
  });
}

/** Run a module snippet with the TypeScript loader, from the project root (for what no command does on purpose). */
function script(code: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runNode(["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, COSMO_DEBUG: undefined, COSMO_LOG_LEVEL: "warn", ...env },
  });
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** One `error: …` line and nothing else: no stack trace, no second line. */
function expectOneLine(r: Run, pattern: RegExp): void {
  expect(r.stderr).toMatch(/^error: [^\n]*\n$/);
  expect(r.stderr).toMatch(pattern);
}

describe("cosmo: bad config refuses with exit 4, naming the key and where the value came from", () => {
  it("a database URL that is not one", async () => {
    const r = await cosmo(["db", "status"], { env: { DATABASE_URL: "not a url" } });
    expect(r.code).toBe(4);
    expectOneLine(r, /database\.url \(from DATABASE_URL\): not a URL/);
  });

  it("database.url: ${UNSET} does not fall back to the embedded cluster; a config without it does", async () => {
    const unset = configFile("unset-db.yaml", "database:\n  url: ${COSMO_TEST_UNSET_DB}\n");
    const r = await cosmo(["-c", unset, "db", "url"], { env: { DATABASE_URL: undefined } });
    expect(r.code).toBe(4);
    expectOneLine(r, /database\.url \(from \$\{COSMO_TEST_UNSET_DB\}\): variable COSMO_TEST_UNSET_DB is not set/);
    expect(r.stdout).toBe("");
    const without = configFile("no-db.yaml", "database:\n  poolMax: 3\n");
    const ok = await cosmo(["-c", without, "db", "status"], { env: { DATABASE_URL: undefined } });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty("running");
  });

  it("an S3 endpoint that is not a server URL, or has an unset variable in it", async () => {
    const bad = await cosmo(["store", "ls"], { env: { S3_ENDPOINT: "minio:9000" } });
    expect(bad.code).toBe(4);
    expectOneLine(bad, /storage\.endpoint \(from S3_ENDPOINT\): expected an http:\/\/ or https:\/\/ URL/);
    const unset = configFile("unset-s3.yaml", "storage:\n  endpoint: http://${COSMO_TEST_UNSET_HOST}:9000\n");
    const r = await cosmo(["store", "ls", "-c", unset], { env: { S3_ENDPOINT: undefined } });
    expect(r.code).toBe(4);
    expectOneLine(
      r,
      /storage\.endpoint \(from \$\{COSMO_TEST_UNSET_HOST\}\): variable COSMO_TEST_UNSET_HOST is not set/,
    );
  });

  it("a substituted number that is not one names tiles.port; one that is, is taken", async () => {
    const file = configFile("port.yaml", "tiles:\n  port: ${COSMO_TEST_PORT}\n");
    const r = await cosmo(["--config", file, "db", "status"], { env: { COSMO_TEST_PORT: "abc" } });
    expect(r.code).toBe(4);
    expectOneLine(r, /port\.yaml: tiles\.port \(from \$\{COSMO_TEST_PORT\}\): expected a number, got "abc"/);
    const ok = await cosmo(["--config", file, "db", "status"], { env: { COSMO_TEST_PORT: "3100" } });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
  });
});

describe("cosmo: options, pipes and expected failures", () => {
  it("`db psql -c` is psql's -c, not the global --config; the global one still works before the command", async () => {
    const r = await cosmo(["db", "psql", "-X", "-A", "-t", "-c", "select 40 + 2"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("42");
    const file = configFile("psql.yaml", "database:\n  url: ${COSMO_TEST_DB}\n");
    const viaConfig = await cosmo(["-c", file, "db", "psql", "-A", "-t", "-c", "select current_database()"], {
      env: { DATABASE_URL: undefined, COSMO_TEST_DB: db.url },
    });
    expect(viaConfig.code).toBe(0);
    expect(viaConfig.stdout.trim()).toBe(db.name);
    const failing = await cosmo(["db", "psql", "-X", "-v", "ON_ERROR_STOP=1", "-c", "select nosuchcolumn"]);
    expect(failing.code).toBe(1); // psql's own exit status
    expect(failing.stderr).toMatch(/nosuchcolumn/);
    // No psql on the PATH: said, not a silent exit 1.
    const onlyNode = join(dir, "only-node");
    mkdirSync(onlyNode, { recursive: true });
    if (!existsSync(join(onlyNode, "node"))) symlinkSync(process.execPath, join(onlyNode, "node"));
    const noPsql = await cosmo(["db", "psql", "-c", "select 1"], { env: { PATH: onlyNode } });
    expect(noPsql.code).toBe(1);
    expectOneLine(noPsql, /^error: cannot run psql .*install the PostgreSQL client/);
  });

  it("a closed stdout ends the command quietly with a broken pipe's status (`cosmo datasets | head`)", async () => {
    const datasets = await cosmo(["datasets"], { closedStdout: true });
    expect(datasets.stderr).toBe("");
    expect(datasets.code).toBe(141);
    const url = store.url("big.bin");
    await store.put(url, Buffer.alloc(4 << 20, 7));
    const get = await cosmo(["store", "get", url], { closedStdout: true });
    expect(get.stderr).toBe("");
    expect(get.code).toBe(141);
  });

  it("`store put` of a missing file or a directory is bad input (exit 2) naming the file, and stores nothing", async () => {
    const url = store.url("never.bin");
    const missing = join(dir, "no-such-file.bin");
    const r = await cosmo(["store", "put", url, missing]);
    expect(r.code).toBe(2);
    expectOneLine(r, new RegExp(`^error: ${missing}: cannot read \\(ENOENT\\)`));
    const d = await cosmo(["store", "put", url, dir]);
    expect(d.code).toBe(2);
    expectOneLine(d, /: not a file/);
    expect(await store.stat(url)).toBeNull();
  });

  it("`store get`/`store stat` of a missing artefact is bad input naming it", async () => {
    const url = store.url("missing/thing.json");
    for (const command of ["get", "stat"]) {
      const r = await cosmo(["store", command, url]);
      expect(r.code).toBe(2);
      expectOneLine(r, /missing\/thing\.json/);
    }
  });

  it("a usage error is bad input (exit 2); help is exit 0", async () => {
    const r = await cosmo(["store", "put"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'url'/);
    const help = await cosmo(["store", "put", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: cosmo store put/);
  });

  it("an unexpected error is one line saying so (exit 1); its stack only with COSMO_DEBUG or a debug log level", async () => {
    const failing = (error: string) =>
      `const { runAction } = await import("./core/cli.ts"); const { InputError } = await import("./core/errors.ts");
       await runAction(() => { throw ${error}; })();`;
    const bug = failing('new TypeError("boom", { cause: new Error("the cause") })');
    const quiet = await script(bug);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toMatch(/^error: boom \(unexpected error at \[eval1\]:2; COSMO_DEBUG=1 shows the stack\)\n$/);
    for (const env of [{ COSMO_DEBUG: "1" }, { COSMO_LOG_LEVEL: "debug" }]) {
      const debug = await script(bug, env);
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/^error: boom\nTypeError: boom\n {4}at /);
      expect(debug.stderr).toMatch(/\[cause\]: Error: the cause/);
    }
    // A connection refused on every address of "localhost" is an AggregateError with an empty message.
    const refused = await script(
      failing(
        'new AggregateError([new Error("connect ECONNREFUSED ::1:1"), new Error("connect ECONNREFUSED 127.0.0.1:1")])',
      ),
    );
    expect(refused.stderr).toMatch(
      /^error: connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127\.0\.0\.1:1 \(unexpected/,
    );
    const expected = await script(failing('new InputError("no zones", { file: "x.jsonl", line: 3 })'));
    expect(expected.code).toBe(2);
    expect(expected.stderr).toBe("error: x.jsonl: line 3: no zones\n");
  });
});
