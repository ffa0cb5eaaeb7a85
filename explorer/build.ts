// Builds the app with Vite when explorer/dist is missing or older than its sources (cosmo web and the tests
// call this; `make explorer-build` forces it). A directory lock keeps two processes from building at once.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CosmoError } from "../core/errors.ts";
import { withLock } from "../core/lock.ts";
import { childLogger } from "../core/log.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { generateGlyphs, LABEL_FONT_FILE } from "./glyphs/generate.ts";

const log = childLogger("explorer-build");
export const EXPLORER_DIR = fileURLToPath(new URL(".", import.meta.url));
export const DIST_DIR = resolve(EXPLORER_DIR, "dist");
const STAMP = join(DIST_DIR, ".build-stamp");
const INPUTS = ["index.html", "dashboard.html", "vite.config.ts", "src", "public", "glyphs"];
/** Generated glyph PBFs, kept between builds (vite empties dist): made again when the font or the generator changes. */
const GLYPH_CACHE = join(PROJECT_ROOT, ".data/glyphs");

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist is missing or a source (or the installed maplibre-gl) changed after the last build. */
export function isStale(): boolean {
  if (!existsSync(STAMP) || !existsSync(join(DIST_DIR, "index.html"))) return true;
  const built = statSync(STAMP).mtimeMs;
  const inputs = Math.max(
    ...INPUTS.map((p) => newestMtime(join(EXPLORER_DIR, p))),
    newestMtime(join(PROJECT_ROOT, "node_modules/maplibre-gl/package.json")),
  );
  return inputs > built;
}

function runVite(): Promise<void> {
  const vite = join(PROJECT_ROOT, "node_modules/vite/bin/vite.js");
  if (!existsSync(vite)) return Promise.reject(new CosmoError(`${vite} not found: run \`make init\` (npm ci) first`));
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [vite, "build", "-c", join(EXPLORER_DIR, "vite.config.ts")], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", fail);
    child.on("exit", (code) => {
      if (code === 0) ok();
      else
        fail(
          new CosmoError(
            `vite build of explorer/ failed (exit ${code}): ${output.trim().split("\n").slice(-5).join(" | ")}`,
          ),
        );
    });
  });
}

/** dist/fonts: the label font's glyph PBFs, from the cache when it was made from the same font and generator. */
function installGlyphs(): void {
  const font = existsSync(LABEL_FONT_FILE) ? statSync(LABEL_FONT_FILE) : null;
  const key = `${LABEL_FONT_FILE} ${font?.size} ${font?.mtimeMs} ${newestMtime(join(EXPLORER_DIR, "glyphs"))}\n`;
  const stamp = join(GLYPH_CACHE, ".stamp");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== key) {
    rmSync(GLYPH_CACHE, { recursive: true, force: true });
    log.info({ font: LABEL_FONT_FILE }, "generating the map's glyphs");
    const glyphs = generateGlyphs(join(GLYPH_CACHE, "fonts"));
    writeFileSync(stamp, key);
    log.info({ glyphs }, "glyphs generated");
  }
  cpSync(join(GLYPH_CACHE, "fonts"), join(DIST_DIR, "fonts"), { recursive: true });
}

export async function buildExplorer(opts: { force?: boolean } = {}): Promise<{ built: boolean; ms: number }> {
  const t0 = performance.now();
  mkdirSync(join(PROJECT_ROOT, ".data/locks"), { recursive: true });
  return withLock(join(PROJECT_ROOT, ".data/locks/explorer-build"), async () => {
    if (!opts.force && !isStale()) return { built: false, ms: 0 };
    log.info("building explorer/ with vite");
    await runVite();
    installGlyphs();
    writeFileSync(STAMP, new Date().toISOString());
    const ms = Math.round(performance.now() - t0);
    log.info({ ms }, "explorer built");
    return { built: true, ms };
  });
}
