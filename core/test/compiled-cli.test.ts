// The compiled CLI (bin/build.mjs, bin/cosmo.js): what users and the images run. Every command answers from the
// build, without tsx (as in the images); an edited source is never run stale: bin/cosmo.js rebuilds first, or
// runs the sources through tsx when it cannot, saying so on one line either way.
// The edits happen in a copy of the code, never in the tree the other tests run from; the copy is outside the
// project (Node would find the project's own node_modules, tsx included, from anywhere under it).
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAGE_COMMANDS } from "../../cli-stages.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { COSMO_BIN, fixture, runNode, type TestDatabase, testDatabase, testEnv } from "../testing.ts";

/** What the CLI is built from and reads at run time (no tests, no local state, no build). */
const CODE = [
  ...["cli.ts", "cli-stages.ts", "package.json", "bin", "core", "api", "dashboard", "explorer", "extractor"],
  ...["importer", "tiles", "workflows"],
];
const NOT_COPIED = new Set(["node_modules", "dist", "test", "generated"]);

/**
 * A copy of the code whose node_modules has every installed package but tsx, as the images have no use for it:
 * a command that still needed tsx fails there.
 */
function copyOfTheCode(): string {
  const root = mkdtempSync(join(tmpdir(), "cosmo-compiled-cli-"));
  for (const name of CODE) {
    cpSync(join(PROJECT_ROOT, name), join(root, name), {
      recursive: true,
      filter: (src) => !NOT_COPIED.has(src.split("/").pop() as string),
    });
  }
  const modules = join(root, "node_modules");
  mkdirSync(modules);
  for (const name of readdirSync(join(PROJECT_ROOT, "node_modules"))) {
    if (name !== "tsx" && name !== ".bin") symlinkSync(join(PROJECT_ROOT, "node_modules", name), join(modules, name));
  }
  return root;
}

function cosmoIn(root: string, args: string[]) {
  return runNode([join(root, "bin", "cosmo.js"), ...args], {
    cwd: root,
    env: { ...process.env, COSMO_BUILD_DIR: undefined },
  });
}

/** Replace `from` by `to` in a source file of the copy (its size changes, so its signature does). */
function edit(root: string, file: string, from: string, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe("the compiled CLI, in a copy of the code without tsx", () => {
  let root: string;
  beforeAll(async () => {
    root = copyOfTheCode();
    const built = await runNode([join(root, "bin", "build.mjs")], { cwd: root });
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("answers --help, and each stage's --help, from the build (nothing rebuilt, no tsx)", async () => {
    for (const args of [["--help"], ...STAGE_COMMANDS.flatMap((s) => s.names.map((name) => [name, "--help"]))]) {
      const r = await cosmoIn(root, args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
      expect(r.stdout).toMatch(/^Usage: cosmo/);
    }
  });

  it("lists the commands without loading any stage: --help answers with only commander and pino installed", async () => {
    const modules = join(root, "node_modules");
    renameSync(modules, `${modules}.all`);
    try {
      mkdirSync(modules);
      for (const name of ["commander", "pino"])
        symlinkSync(join(PROJECT_ROOT, "node_modules", name), join(modules, name));
      const help = await cosmoIn(root, ["--help"]);
      expect(help.stderr).toBe("");
      expect(help.code).toBe(0);
      for (const name of STAGE_COMMANDS.flatMap((s) => s.names))
        expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
      const unknown = await cosmoIn(root, ["nosuchstage"]);
      expect(unknown.stderr).toMatch(/^error: unknown command 'nosuchstage'/);
      expect(unknown.code).toBe(2);
    } finally {
      rmSync(modules, { recursive: true, force: true });
      renameSync(`${modules}.all`, modules);
    }
  });

  it("runs a real extract, its decode workers from the build too (there is no tsx to run them from the sources)", async () => {
    const db = await testDatabase("compiled_extract");
    try {
      symlinkSync(join(PROJECT_ROOT, "data"), join(root, "data"));
      const out = join(root, "zones.jsonl");
      const r = await runNode(
        [join(root, "bin", "cosmo.js"), "extract", "-i", fixture("luxembourg_filtered.osm.pbf"), "-o", out],
        { cwd: root, env: { ...testEnv({ db }), COSMO_BUILD_DIR: undefined, COSMO_LOG_LEVEL: "warn" } },
      );
      expect(r.stderr).toMatch(/^wrote 212 zones to /); // its summary, no notice before it
      expect(r.code).toBe(0);
      expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(212);
    } finally {
      await db.close();
    }
  });

  it("a stage's commands load the S3 client only to reach a store: `import --help` answers without minio", async () => {
    const minio = join(root, "node_modules", "minio");
    rmSync(minio);
    try {
      for (const command of ["import", "datasets", "dashboard"]) {
        const r = await cosmoIn(root, [command, "--help"]);
        expect({ command, code: r.code, stderr: r.stderr }).toEqual({ command, code: 0, stderr: "" });
      }
    } finally {
      symlinkSync(join(PROJECT_ROOT, "node_modules", "minio"), minio);
    }
  });

  it("the api, tiles, import, dashboard, web, db, s3, store, extract, merge and locate commands answer --help with only commander and pino installed (and bytes-iec, which parses extract's --memory-budget)", async () => {
    // Their servers, renderers, loaders, checks, database client, store and the config's schema (express,
    // prom-client, better-sqlite3, pmtiles, pg, zod, yaml…) are loaded by the command that runs them, not by its help.
    const modules = join(root, "node_modules");
    renameSync(modules, `${modules}.all`);
    try {
      mkdirSync(modules);
      for (const name of ["commander", "pino", "bytes-iec"])
        symlinkSync(join(PROJECT_ROOT, "node_modules", name), join(modules, name));
      for (const args of [
        ...["extract", "merge", "locate"].map((name) => [name, "--help"]),
        ["api", "--help"],
        ["api", "serve", "--help"],
        ["tiles", "--help"],
        ["tiles", "serve", "--help"],
        ["tiles", "seed", "--help"],
        ["tiles", "export", "--help"],
        ...["import", "publish", "rollback", "datasets"].map((name) => [name, "--help"]),
        ["datasets", "prune", "--help"],
        ...["dashboard", "diff", "gate", "web", "db", "s3", "store"].map((name) => [name, "--help"]),
        ["db", "status", "--help"],
        ["store", "fetch", "--help"],
      ]) {
        const r = await cosmoIn(root, args);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
        expect(r.stdout).toMatch(/^Usage: cosmo/);
      }
    } finally {
      rmSync(modules, { recursive: true, force: true });
      renameSync(`${modules}.all`, modules);
    }
  });

  it("`workflows --help` and its glue steps' help load neither the Argo/Kubernetes models nor ajv", async () => {
    const heavy = ["@kubernetes-models", "ajv"].map((name) => join(root, "node_modules", name));
    for (const path of heavy) rmSync(path);
    try {
      for (const args of [
        ["workflows", "--help"],
        ["workflows", "step", "--help"],
        ["workflows", "submit", "--help"],
      ]) {
        const r = await cosmoIn(root, args);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
      }
    } finally {
      for (const path of heavy)
        symlinkSync(join(PROJECT_ROOT, "node_modules", path.split("node_modules/")[1] as string), path);
    }
  });

  it("an edited source is rebuilt before it runs, saying so once; the build is then fresh again", async () => {
    edit(root, "importer/cli.ts", '"Import a cosmogony zones file', '"Import (edited) a cosmogony zones file');
    const first = await cosmoIn(root, ["import", "--help"]);
    expect(first.stderr).toBe("cosmo: rebuilt dist/ (importer/cli.ts changed since the last build)\n");
    expect(first.stdout).toContain("Import (edited) a cosmogony zones file");
    expect(first.code).toBe(0);
    const second = await cosmoIn(root, ["import", "--help"]);
    expect(second.stderr).toBe("");
    expect(second.stdout).toContain("Import (edited) a cosmogony zones file");
  });

  it("a removed source makes the build stale too", async () => {
    const extra = join(root, "core", "compiled-cli-probe.ts");
    writeFileSync(extra, 'export const PROBE = "probe";\n');
    edit(
      root,
      "cli-stages.ts",
      'import type { Command } from "commander";',
      'import "./core/compiled-cli-probe.ts";\nimport type { Command } from "commander";',
    );
    expect((await cosmoIn(root, ["db", "--help"])).stderr).toMatch(/^cosmo: rebuilt dist\/ \(cli-stages\.ts changed/);
    edit(root, "cli-stages.ts", 'import "./core/compiled-cli-probe.ts";\n', "");
    rmSync(extra);
    const r = await cosmoIn(root, ["db", "--help"]);
    expect(r.stderr).toMatch(/^cosmo: rebuilt dist\/ \((core\/compiled-cli-probe\.ts is gone|cli-stages\.ts changed)/);
    expect(r.code).toBe(0);
  });

  it("refuses to build a module whose import.meta.dirname would name the build instead of its source", async () => {
    writeFileSync(join(root, "core", "compiled-cli-dirname.ts"), "export const HERE = import.meta.dirname;\n");
    edit(
      root,
      "cli-stages.ts",
      'import type { Command } from "commander";',
      'import "./core/compiled-cli-dirname.ts";\nimport type { Command } from "commander";',
    );
    try {
      const r = await runNode([join(root, "bin", "build.mjs")], { cwd: root });
      expect(r.stderr).toMatch(
        /^build failed: .*core\/compiled-cli-dirname\.ts: import\.meta\.dirname would name the build/,
      );
      expect(r.code).toBe(1);
    } finally {
      edit(root, "cli-stages.ts", 'import "./core/compiled-cli-dirname.ts";\n', "");
    }
  });

  it("when it cannot rebuild, it runs the edited sources through tsx, saying why on one line", async () => {
    symlinkSync(join(PROJECT_ROOT, "node_modules", "tsx"), join(root, "node_modules", "tsx"));
    edit(root, "importer/cli.ts", "Import (edited)", "Import (edited twice)");
    // A file where the build folder should be: no build can be read or written.
    rmSync(join(root, "dist"), { recursive: true, force: true });
    writeFileSync(join(root, "dist"), "");
    const r = await cosmoIn(root, ["import", "--help"]);
    expect(r.stderr).toMatch(
      /^cosmo: running the TypeScript sources through tsx: no build in dist\/, and rebuilding failed: [^\n]+\n$/,
    );
    expect(r.stdout).toContain("Import (edited twice) a cosmogony zones file");
    expect(r.code).toBe(0);
  });
});

describe("the compiled CLI, on the test database", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase("compiled_cli");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("runs a real command from the build: `cosmo datasets` (its SQL read from the source tree)", async () => {
    const r = await runNode([COSMO_BIN, "datasets"], { env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
