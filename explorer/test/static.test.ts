// The explorer from static files only: Luxembourg exported with `cosmo tiles export` into a PMTiles archive,
// served with the built app by plain nginx (`startWeb({ archive })`, the `cosmo web --static` setup) while no API,
// no tile service and no database run; Debian's Chromium loads it. Checks the tiles render through range requests,
// the API-less parts say so, and the zone names are drawn (text pixels where a label point is) in the chosen
// language. Screenshots go to test-results/screenshots/static-*.png.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Map as MlMap } from "maplibre-gl";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { luxembourgDatabase } from "../../api/test/support.ts";
import { EXIT } from "../../core/errors.ts";
import { projectPath } from "../../core/paths.ts";
import { COSMO_BIN, testEnv, testStore, tmpDir } from "../../core/testing.ts";
import { startWeb, type WebServer } from "../web.ts";
import { type HeadlessChromium, launchChromium, recordProblems } from "./chromium.ts";

const SCREENSHOTS = projectPath("test-results/screenshots");
const LABEL_LAYER = "zones-labels";

type CosmoWindow = {
  __cosmo: { map: MlMap; selectZone(id: string, opts: { fly: boolean; push: boolean }): Promise<void> };
};

describe("explorer on a static archive, with names on the map", () => {
  let web: WebServer;
  let archive: string;
  let browser: HeadlessChromium;
  let context: BrowserContext;
  let page: Page;
  const scratch: string[] = [];
  const problems: string[] = [];
  const requests: string[] = [];
  const archiveStatuses: number[] = [];

  beforeAll(async () => {
    const fx = await luxembourgDatabase("explorer_static");
    const dir = tmpDir("explorer-static");
    scratch.push(dir);
    archive = join(dir, "luxembourg.pmtiles");
    const run = spawnSync(
      process.execPath,
      [COSMO_BIN, "tiles", "export", "--dataset", "served", "-o", archive, "--max-zoom", "11"],
      { env: { ...process.env, ...testEnv({ db: fx.db }) }, encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    // Nothing but files from here on: the database goes away before the page is served.
    await fx.db.close();
    web = await startWeb({ archive, dataDir: join(dir, "www"), prefixDir: tmpDir("nginx-static") });

    browser = await launchChromium();
    context = browser.context;
    page = await context.newPage();
    recordProblems(page, problems);
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    page.on("response", (r) => {
      if (new URL(r.url()).pathname === "/zones.pmtiles") archiveStatuses.push(r.status());
      else if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    try {
      await browser?.close();
      await web?.close();
    } finally {
      for (const d of scratch) rmSync(d, { recursive: true, force: true });
    }
  });

  /** Resolves once the map is idle (tiles loaded, label fade-in done). */
  const idle = () =>
    page.evaluate(
      () =>
        new Promise<void>((ok) => {
          const map = (window as unknown as CosmoWindow).__cosmo.map;
          map.once("idle", () => ok());
          map.triggerRepaint();
        }),
    );

  /** The map canvas's pixels in a box (CSS px from the top left), grey levels, read within a rendered frame. */
  const pixels = (box: { x: number; y: number; w: number; h: number }) =>
    page.evaluate(
      (b) =>
        new Promise<number[]>((ok) => {
          const map = (window as unknown as CosmoWindow).__cosmo.map;
          map.once("render", () => {
            const canvas = map.getCanvas();
            const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext;
            const r = canvas.width / canvas.clientWidth;
            const [x, w, h] = [Math.round(b.x * r), Math.round(b.w * r), Math.round(b.h * r)];
            const y = canvas.height - Math.round(b.y * r) - h;
            const buf = new Uint8Array(w * h * 4);
            gl.readPixels(x, y, w, h, gl.RGBA, gl.UNSIGNED_BYTE, buf);
            const grey: number[] = [];
            for (let i = 0; i < buf.length; i += 4)
              grey.push(Math.round(((buf[i] ?? 0) + (buf[i + 1] ?? 0) + (buf[i + 2] ?? 0)) / 3));
            ok(grey);
          });
          map.triggerRepaint();
        }),
      box,
    );

  /** Where the country's name is drawn: the screen box around its label point. */
  const countryLabel = () =>
    page.evaluate((layer) => {
      const map = (window as unknown as CosmoWindow).__cosmo.map;
      const f = map.queryRenderedFeatures({ layers: [layer] }).find((x) => x.properties.zone_type === "country");
      if (f?.geometry.type !== "Point") return null;
      const p = map.project(f.geometry.coordinates as [number, number]);
      return { x: p.x - 60, y: p.y - 12, w: 120, h: 24, props: f.properties as Record<string, unknown> };
    }, LABEL_LAYER);

  it("renders the zones from the archive through range requests, with no API or tile service", async () => {
    await page.goto(`${web.url}/#/8.5/6.13/49.78`);
    const names = await page.waitForFunction(
      () => {
        const map = (window as unknown as Partial<CosmoWindow>).__cosmo?.map;
        if (!map?.getLayer("zones-fill")) return null;
        const features = map.queryRenderedFeatures({ layers: ["zones-fill"] });
        return features.length ? features.map((f) => String(f.properties.name)) : null;
      },
      undefined,
      { timeout: 30_000, polling: "raf" },
    );
    expect(await names.jsonValue()).toContain("Lëtzebuerg");
    await idle();
    const types = await page.evaluate(() => [
      ...new Set(
        (window as unknown as CosmoWindow).__cosmo.map
          .queryRenderedFeatures({ layers: ["zones-fill"] })
          .map((f) => f.properties.zone_type),
      ),
    ]);
    expect(types).toEqual(expect.arrayContaining(["country", "state_district", "city"]));
    // Tiles came as byte ranges of the one archive; nothing asked the services nginx does not have here (the HTML's
    // preload of /tiles/zones.json is answered 204 by this nginx itself).
    expect(archiveStatuses.length).toBeGreaterThan(1);
    expect(archiveStatuses.every((s) => s === 206)).toBe(true);
    expect(requests.filter((p) => p.startsWith("/api/") || p.startsWith("/tiles/zones/"))).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, "static-map.png") });
  });

  it("draws the zone names at their label points, in the chosen language", async () => {
    await idle();
    const local = await countryLabel();
    expect(local?.props).toMatchObject({ name: "Lëtzebuerg", "name:de": "Luxemburg" });
    const box = { x: local?.x ?? 0, y: local?.y ?? 0, w: local?.w ?? 0, h: local?.h ?? 0 };
    const dark = (grey: number[]) => grey.filter((g) => g < 90).length;
    const withNames = await pixels(box);
    await page.screenshot({ path: join(SCREENSHOTS, "static-names-local.png") });
    // The same box without the names layer: the dark pixels were the text.
    await page.evaluate((layer) => {
      (window as unknown as CosmoWindow).__cosmo.map.setLayoutProperty(layer, "visibility", "none");
    }, LABEL_LAYER);
    await idle();
    const withoutNames = await pixels(box);
    await page.evaluate((layer) => {
      (window as unknown as CosmoWindow).__cosmo.map.setLayoutProperty(layer, "visibility", "visible");
    }, LABEL_LAYER);
    expect(dark(withNames)).toBeGreaterThan(40);
    expect(dark(withoutNames)).toBeLessThan(dark(withNames) / 4);

    // German: the country is "Luxemburg" — another text at the same place.
    await page.selectOption("#lang", "de");
    await idle();
    const field = await page.evaluate(
      (layer) => (window as unknown as CosmoWindow).__cosmo.map.getLayoutProperty(layer, "text-field"),
      LABEL_LAYER,
    );
    expect(field).toEqual(["coalesce", ["get", "name:de"], ["get", "name"]]);
    const german = await pixels(box);
    await page.screenshot({ path: join(SCREENSHOTS, "static-names-de.png") });
    expect(dark(german)).toBeGreaterThan(40);
    expect(german).not.toEqual(withNames);
    // Back to the local names: the first picture again.
    await page.selectOption("#lang", "");
    await idle();
    expect(await pixels(box)).toEqual(withNames);
  });

  it("switches the names at once, with no fade a software-rendered map pays for in repaints", async () => {
    await idle();
    const local = await countryLabel();
    const box = { x: local?.x ?? 0, y: local?.y ?? 0, w: local?.w ?? 0, h: local?.h ?? 0 };
    // Every frame drawn from the switch to French until the map is idle, as the label box's pixels: without a fade
    // they are the old name, maybe none while the tiles are laid out again, then the new one; a fade adds a frame
    // per step of the text's opacity.
    const frames = await page.evaluate(
      ({ b, layer }) =>
        new Promise<string[]>((ok) => {
          const map = (window as unknown as CosmoWindow).__cosmo.map;
          const seen: string[] = [];
          const grab = () => {
            const canvas = map.getCanvas();
            const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext;
            const r = canvas.width / canvas.clientWidth;
            const [x, w, h] = [Math.round(b.x * r), Math.round(b.w * r), Math.round(b.h * r)];
            const buf = new Uint8Array(w * h * 4);
            gl.readPixels(x, canvas.height - Math.round(b.y * r) - h, w, h, gl.RGBA, gl.UNSIGNED_BYTE, buf);
            const key = buf.join(",");
            if (seen.at(-1) !== key) seen.push(key);
          };
          map.on("render", grab);
          map.once("idle", () => {
            map.off("render", grab);
            ok(seen);
          });
          map.setLayoutProperty(layer, "text-field", ["coalesce", ["get", "name:fr"], ["get", "name"]]);
        }),
      { b: box, layer: LABEL_LAYER },
    );
    await page.evaluate(
      (layer) => (window as unknown as CosmoWindow).__cosmo.map.setLayoutProperty(layer, "text-field", ["get", "name"]),
      LABEL_LAYER,
    );
    await idle();
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.length).toBeLessThanOrEqual(3);
  });

  it("says what needs the API; a zone picked on the map shows what its tiles know", async () => {
    await expect
      .poll(() => page.locator("#status").textContent())
      .toContain("No API in this static explorer: search, zone details");
    expect(await page.locator("#search").isDisabled()).toBe(true);
    const cityId = await page.evaluate(() => {
      const map = (window as unknown as CosmoWindow).__cosmo.map;
      const f = map
        .queryRenderedFeatures({ layers: ["zones-fill"] })
        .find((x) => x.properties.name === "Luxembourg" && x.properties.zone_type === "city");
      return f?.id === undefined ? null : String(f.id);
    });
    expect(cityId).not.toBeNull();
    await page.evaluate(
      (id) => (window as unknown as CosmoWindow).__cosmo.selectZone(id, { fly: false, push: true }),
      cityId as string,
    );
    await page.locator("#zone-panel h2", { hasText: /^Luxembourg$/ }).waitFor({ timeout: 10_000 });
    const text = await page.locator("#zone-panel").textContent();
    expect(text).toContain("admin level 8");
    expect(text).toContain("Luxembourg, Canton Luxembourg, Lëtzebuerg");
    expect(text).toContain("No API in this static explorer");
    // The selection is in the URL: a reload shows it again once its tiles are drawn.
    expect(page.url()).toMatch(new RegExp(`/${cityId}$`));
    await page.reload();
    await page.locator("#zone-panel h2", { hasText: /^Luxembourg$/ }).waitFor({ timeout: 15_000 });
    expect(await page.locator("#zone-panel").textContent()).toContain("admin level 8");
  });

  it("no console error, failed request or HTTP error during the run (glyph ranges included)", () => {
    expect(requests.some((p) => p.startsWith("/fonts/DejaVu%20Sans/"))).toBe(true);
    expect(problems).toEqual([]);
  });

  it("refuses to serve a file that is not a PMTiles archive (exit 2), starting nothing", async () => {
    const dir = tmpDir("explorer-static-bad");
    scratch.push(dir);
    const fake = join(dir, "fake.pmtiles");
    writeFileSync(fake, "not an archive");
    const prefixDir = join(dir, "nginx");
    await expect(startWeb({ archive: fake, dataDir: dir, prefixDir, build: false })).rejects.toMatchObject({
      exitCode: EXIT.input,
      message: `${fake}: byte 0: not a PMTiles v3 archive (its first bytes are not 'PMTiles' and version 3)`,
    });
    expect(existsSync(prefixDir)).toBe(false);
    const cli = spawnSync(process.execPath, [COSMO_BIN, "web", "--static", join(dir, "missing.pmtiles")], {
      env: { ...process.env, ...testEnv() },
      encoding: "utf8",
    });
    expect(cli.status).toBe(EXIT.input);
    expect(cli.stderr).toContain(`${join(dir, "missing.pmtiles")}: no such file`);
  });

  it("cosmo web --static s3://…/latest.pmtiles: the archive from the artefact store, served with ranges", async () => {
    const store = testStore();
    const url = `s3://${store.defaultBucket}/releases/latest.pmtiles`;
    await store.put(url, readFileSync(archive));
    const child = spawn(process.execPath, [COSMO_BIN, "web", "--static", url, "--port", "0"], {
      env: { ...testEnv({ store }), COSMO_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((ok) => child.on("close", (code) => ok(code)));
    try {
      const base = await new Promise<string>((ok, fail) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /explorer \(static, s3:\/\/\S+\): (http:\/\/\S+?)\/ /.exec(out);
          if (m) ok(m[1] as string);
        });
        void exited.then((code) => fail(new Error(`cosmo web --static exited (${code}): ${stderr}`)));
      });
      const head = await fetch(`${base}/zones.pmtiles`, { headers: { Range: "bytes=0-6" } });
      expect(head.status).toBe(206);
      expect(Buffer.from(await head.arrayBuffer()).toString("latin1")).toBe("PMTiles");
      expect(await (await fetch(`${base}/config.json`)).json()).toMatchObject({
        apiBase: "",
        tilesArchive: "/zones.pmtiles",
      });
      expect((await fetch(`${base}/fonts/DejaVu%20Sans/0-255.pbf`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
  /** A basemap's host: a style with its own glyphs (a font of its own name) or without, and the glyph ranges. */
  async function basemapHost(): Promise<{ origin: string; glyphRequests: string[]; close(): Promise<void> }> {
    const glyphRequests: string[] = [];
    const fonts = projectPath("explorer/dist/fonts/DejaVu Sans");
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      const origin = `http://${req.headers.host}`;
      res.setHeader("Access-Control-Allow-Origin", "*");
      const empty = { type: "geojson", data: { type: "FeatureCollection", features: [] } };
      const background = { id: "basemap-land", type: "background", paint: { "background-color": "#f4f1e8" } };
      if (path === "/with-glyphs.json") {
        res.setHeader("Content-Type", "application/json");
        res.end(
          JSON.stringify({
            version: 8,
            glyphs: `${origin}/fonts/{fontstack}/{range}.pbf`,
            sources: { places: empty },
            layers: [
              background,
              // A data expression first: not a font stack the names could use.
              {
                id: "basemap-roads",
                type: "symbol",
                source: "places",
                layout: { "text-field": "r", "text-font": ["literal", ["Nope"]] },
              },
              {
                id: "basemap-places",
                type: "symbol",
                source: "places",
                layout: { "text-field": "p", "text-font": ["Basemap Sans"] },
              },
            ],
          }),
        );
      } else if (path === "/no-glyphs.json") {
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ version: 8, sources: {}, layers: [background] }));
      } else if (path.startsWith("/fonts/Basemap Sans/")) {
        // The basemap's font: here our glyph ranges under the basemap's own font name.
        glyphRequests.push(path);
        res.setHeader("Content-Type", "application/x-protobuf");
        res.end(readFileSync(join(fonts, path.slice("/fonts/Basemap Sans/".length))));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const { port } = server.address() as AddressInfo;
    return {
      origin: `http://127.0.0.1:${port}`,
      glyphRequests,
      close: () => new Promise<void>((ok) => server.close(() => ok())),
    };
  }

  /** The names layer's font, the style's glyphs URL and the names drawn, once the country's name is drawn. */
  async function namesOn(p: Page) {
    const handle = await p.waitForFunction(
      (layer) => {
        const map = (window as unknown as Partial<CosmoWindow>).__cosmo?.map;
        if (!map?.getLayer(layer)) return null;
        const names = map.queryRenderedFeatures({ layers: [layer] }).map((f) => String(f.properties.name));
        if (!names.includes("Lëtzebuerg")) return null;
        return { font: map.getLayoutProperty(layer, "text-font"), glyphs: map.getStyle().glyphs, names };
      },
      LABEL_LAYER,
      { timeout: 30_000, polling: 250 },
    );
    return (await handle.jsonValue()) as { font: string[]; glyphs: string; names: string[] };
  }

  it("draws the names on a basemap: with the basemap's own font where it brings glyphs, else with ours", async () => {
    const host = await basemapHost();
    const servers: WebServer[] = [];
    try {
      for (const style of ["with-glyphs", "no-glyphs"]) {
        const dir = tmpDir(`explorer-basemap-${style}`);
        scratch.push(dir);
        const w = await startWeb({
          archive,
          basemapStyle: `${host.origin}/${style}.json`,
          dataDir: join(dir, "www"),
          prefixDir: join(dir, "nginx"),
        });
        servers.push(w);
        const p = await context.newPage();
        const errors: string[] = [];
        p.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        await p.goto(`${w.url}/#/8.5/6.13/49.78`);
        const drawn = await namesOn(p);
        await p.screenshot({ path: join(SCREENSHOTS, `static-basemap-${style}.png`) });
        if (style === "with-glyphs") {
          expect(drawn.font).toEqual(["Basemap Sans"]);
          expect(drawn.glyphs).toBe(`${host.origin}/fonts/{fontstack}/{range}.pbf`);
          expect(host.glyphRequests.length).toBeGreaterThan(0);
        } else {
          expect(drawn.font).toEqual(["DejaVu Sans"]);
          expect(drawn.glyphs).toBe(`${w.url}/fonts/{fontstack}/{range}.pbf`);
        }
        expect(errors).toEqual([]);
        await p.close();
      }
    } finally {
      for (const w of servers) await w.close();
      await host.close();
    }
  });
});
