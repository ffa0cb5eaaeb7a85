// The compiled CLI: esbuild turns the TypeScript sources into JavaScript under dist/ (git-ignored), so `cosmo`
// starts without compiling anything (tsx compiled the whole module graph at every run: ~2 s before any work).
// `node bin/build.mjs` builds (make compile, make init, the images); bin/cosmo.js runs the build that
// dist/current.json names when it is fresh, and rebuilds first when it is not.
//
// Plain JavaScript, because it runs before anything can compile TypeScript. esbuild is imported only to build:
// checking freshness reads file metadata only.
//
// Layout: dist/<build id>/ holds one build (entries, then the chunks split at each dynamic import, so a
// command loads only its own stage's code); dist/current.json names the build in use and the size and mtime of
// every source it was made from. A new build goes to a new folder and current.json is replaced atomically:
// a process started from an older build keeps its files (its workers load the same build as it did).
//
// Files the code reads at run time (SQL, templates, JSON schemas, package.json, the explorer's dist, data/)
// are resolved from the source tree, not copied: every `import.meta.url` of a compiled module is the URL of
// its source file, so `loadSql(import.meta.url, "sql/x.sql")`, PROJECT_ROOT and the like mean exactly what they
// mean when the sources run, with no list of assets to keep in step.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const DIST = join(PROJECT_ROOT, "dist");
const CURRENT = join(DIST, "current.json");
/** Builds kept besides the current one, for processes still running from them. */
const KEPT_BUILDS = 4;
const PRUNE_AFTER_MS = 3_600_000;
/** Folders never searched for worker entries (not code, or not this project's). */
const NOT_CODE = new Set(["node_modules", "data", "dist", "tmp", "test", "bench", "coverage", "test-results"]);

/** The name, in a build folder, of the compiled entry for a source module ("extractor/pbf/worker.ts" → "extractor-pbf-worker.js"). */
export function compiledName(sourcePath) {
  return `${relative(PROJECT_ROOT, sourcePath).replace(/\.ts$/, "").split(sep).join("-")}.js`;
}

/**
 * Worker bootstraps (`*worker-entry.mjs`, see core/run-worker.mjs) and the module each names as
 * `runWorker(import.meta.url, "./x.ts")`: workers are entries of the build of their own, as they are loaded by
 * path, not imported.
 */
function workers(dir = PROJECT_ROOT) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || NOT_CODE.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...workers(path));
    else if (entry.name.endsWith("worker-entry.mjs")) {
      const named = /runWorker\(import\.meta\.url, "([^"]+\.ts)"\)/.exec(readFileSync(path, "utf8"));
      if (!named) throw new Error(`${relative(PROJECT_ROOT, path)}: no runWorker(import.meta.url, "./….ts") call`);
      found.push({ bootstrap: path, module: resolve(dirname(path), named[1]) });
    }
  }
  return found;
}

/** The build in use: { build, sources: { path: [size, mtimeMs] } }, or null when there is none (or it is unreadable). */
function readCurrent() {
  try {
    return JSON.parse(readFileSync(CURRENT, "utf8"));
  } catch {
    return null;
  }
}

function signature(path) {
  const s = statSync(path);
  return [s.size, s.mtimeMs];
}

/**
 * The folder of the current build when it was made from the sources as they are now (no source changed size or
 * mtime, none removed, the build script unchanged), else null with the reason. A new source file can only be
 * reached by an edit of a file already in the build, so comparing the build's own inputs is enough.
 */
export function freshBuild() {
  const current = readCurrent();
  if (!current) return { dir: null, reason: "no build in dist/" };
  for (const [path, [size, mtimeMs]] of Object.entries(current.sources)) {
    let now;
    try {
      now = signature(join(PROJECT_ROOT, path));
    } catch {
      return { dir: null, reason: `${path} is gone since the last build` };
    }
    if (now[0] !== size || now[1] !== mtimeMs) return { dir: null, reason: `${path} changed since the last build` };
  }
  return { dir: join(DIST, current.build), reason: null };
}

/**
 * esbuild plugin: each module's `import.meta.url` becomes its source file's URL, computed from where the build
 * folder sits (dist/<id>/, two levels under the project root: every output of a build is at the top of it), so
 * the build moves with the tree (images, another checkout).
 */
function sourceUrls(signatures) {
  return {
    name: "source-import-meta-url",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        // Taken before reading: a file edited while it is built is older than its signature, so found stale.
        signatures[relative(PROJECT_ROOT, args.path)] = signature(args.path);
        const text = readFileSync(args.path, "utf8");
        const other = /\bimport\.meta\.(dirname|filename|resolve)\b/.exec(text);
        if (other) {
          const at = relative(PROJECT_ROOT, args.path);
          return { errors: [{ text: `${at}: ${other[0]} would name the build, not the source; use import.meta.url` }] };
        }
        if (!text.includes("import.meta.url")) return { contents: text, loader: "ts" };
        const fromBuild = `../../${relative(PROJECT_ROOT, args.path).split(sep).join("/")}`;
        const own = "__cosmo_source_url";
        return {
          contents: `const ${own} = new URL(${JSON.stringify(fromBuild)}, import.meta.url).href;\n${text.replace(/\bimport\.meta\.url\b/g, own)}`,
          loader: "ts",
        };
      });
    },
  };
}

/** Builds the CLI and its workers into a new dist/<id>/ and makes it the current build. Returns its folder. */
export async function build() {
  const { build: esbuild } = await import("esbuild");
  mkdirSync(DIST, { recursive: true });
  const id = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const outdir = join(DIST, id);
  const found = workers();
  const entryPoints = [join(PROJECT_ROOT, "cli.ts"), ...found.map((w) => w.module)].map((path) => ({
    in: path,
    out: compiledName(path).replace(/\.js$/, ""),
  }));
  // Besides the compiled modules (signed as they are read): this script and the bootstraps, which say what
  // the build is made of.
  const sources = {};
  for (const path of [fileURLToPath(import.meta.url), ...found.map((w) => w.bootstrap)]) {
    sources[relative(PROJECT_ROOT, path)] = signature(path);
  }
  try {
    await esbuild({
      absWorkingDir: PROJECT_ROOT,
      entryPoints,
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      chunkNames: "chunk-[hash]",
      sourcemap: "linked",
      sourcesContent: false,
      logLevel: "silent",
      plugins: [sourceUrls(sources)],
    });
  } catch (err) {
    throw new Error(firstError(err));
  }
  const next = `${CURRENT}.${id}`;
  writeFileSync(next, `${JSON.stringify({ build: id, sources })}\n`);
  renameSync(next, CURRENT);
  pruneBuilds(id);
  return outdir;
}

/** An esbuild failure as one line: where (file:line:column) and what, and how many more there are. */
function firstError(err) {
  const [first, ...more] = err.errors ?? [];
  if (!first) return err.message;
  const at = first.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : "";
  return `${at}${first.text}${more.length ? ` (and ${more.length} more)` : ""}`;
}

/**
 * Removes the builds beyond the newest few that are also older than an hour: several commands started after
 * one edit may each rebuild at once, and none must lose the build it is about to load.
 */
function pruneBuilds(current) {
  const builds = readdirSync(DIST, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== current)
    .map((e) => e.name)
    .sort(); // ids start with their time: oldest first
  for (const old of builds.slice(0, Math.max(0, builds.length - KEPT_BUILDS))) {
    const path = join(DIST, old);
    if (Date.now() - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** The URL of a build's compiled entry for a source module (as bin/cosmo.js and the worker bootstraps load it). */
export function compiledUrl(buildDir, sourcePath) {
  return pathToFileURL(join(buildDir, compiledName(sourcePath))).href;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(`built ${relative(process.cwd(), await build())}`);
  } catch (err) {
    console.error(`build failed: ${err.message}`);
    process.exitCode = 1;
  }
}
