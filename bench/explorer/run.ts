// `make bench-explorer` (issue 19, "names on the map: no frame drops with all of Luxembourg visible"): the
// explorer in Debian's Chromium (headless, software rendering: --disable-gpu, as the browser tests run it) through
// `cosmo web`'s nginx in front of the real API and tile services on the published Luxembourg dataset
// (bench-query's `lux` dataset). With all of Luxembourg in view and every tile loaded, the page records
// requestAnimationFrame times while
//   1. the map stands still (what a user reading the names sees),
//   2. the map eases through a scripted zoom/pan/rotate that keeps the whole country in view (what a user
//      exploring sees; tiles already in the browser),
// once with the zone names drawn and once with the names layer hidden: the peer measured in the same run, so the
// names' own cost is the difference. Dropped frames as frames.ts counts them.
//
// Knobs (environment): BENCH_EXPLORER_SECONDS (per phase, default 5). Prints a table, writes bench/out/explorer.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { LABEL_LAYER } from "../../explorer/src/style.ts";
import { launchChromium } from "../../explorer/test/chromium.ts";
import { startWeb } from "../../explorer/web.ts";
import { luxDataset } from "../query/datasets.ts";
import { type Service, startService } from "../serve/services.ts";
import { type FrameFigures, frameFigures } from "./frames.ts";

const SECONDS = Number(process.env.BENCH_EXPLORER_SECONDS ?? 5);
const VIEWPORT = { width: 1280, height: 800 };
/** Luxembourg's bounding box (lon/lat), fitted with a margin so the whole country stays in view while moving. */
const LUXEMBOURG: [[number, number], [number, number]] = [
  [5.73, 49.44],
  [6.53, 50.19],
];
const FIT_PADDING_PX = 120;
const OUT = join(PROJECT_ROOT, "bench", "out");

type MapWindow = { __cosmo?: { map: import("maplibre-gl").Map } };

/** Waits until the map has loaded every tile in view and drawn (with the names layer shown) some names. */
async function settled(page: Page, withNames: boolean): Promise<number> {
  const handle = await page.waitForFunction(
    ({ layer, withNames }) => {
      const map = (window as unknown as MapWindow).__cosmo?.map;
      if (!map?.getLayer(layer) || map.isMoving() || !map.areTilesLoaded()) return null;
      const names = map.queryRenderedFeatures({ layers: [layer] }).length;
      // An object: waitForFunction waits on while the answer is falsy, and 0 names is an answer when hidden.
      return !withNames || names > 0 ? { names } : null;
    },
    { layer: LABEL_LAYER, withNames },
    { timeout: 60_000, polling: 200 },
  );
  return ((await handle.jsonValue()) as { names: number }).names;
}

/** requestAnimationFrame times over `seconds`, the map still or easing through `moves` (whole country in view). */
async function recordFrames(page: Page, seconds: number, moving: boolean): Promise<number[]> {
  return page.evaluate(
    ({ ms, moving }) =>
      new Promise<number[]>((resolve) => {
        const map = (window as unknown as MapWindow).__cosmo?.map as import("maplibre-gl").Map;
        const start = map.getCenter();
        const zoom = map.getZoom();
        const times: number[] = [];
        const t0 = performance.now();
        // Four legs: zoom in a little and turn, pan, back; each leg a quarter of the time.
        const legs = [
          { zoom: zoom + 0.3, bearing: 12, center: start },
          { zoom: zoom + 0.3, bearing: 12, offset: [60, 40] as [number, number] },
          { zoom, bearing: -12, center: start },
          { zoom, bearing: 0, center: start },
        ];
        let leg = 0;
        const nextLeg = () => {
          if (!moving || leg >= legs.length) return;
          const l = legs[leg++];
          map.easeTo({ ...l, duration: ms / legs.length, easing: (t) => t });
        };
        map.on("moveend", nextLeg);
        const frame = (t: number) => {
          times.push(t);
          if (t - t0 < ms) requestAnimationFrame(frame);
          else {
            map.off("moveend", nextLeg);
            map.stop();
            resolve(times);
          }
        };
        requestAnimationFrame(frame);
        nextLeg();
      }),
    { ms: seconds * 1000, moving },
  );
}

async function main(): Promise<void> {
  const dataset = await luxDataset();
  const services: Service[] = [];
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  const rows: Record<string, FrameFigures & { names: number }> = {};
  try {
    const api = await startService("api", dataset.db.url, {});
    services.push(api);
    const tiles = await startService("tiles", dataset.db.url, {});
    services.push(tiles);
    web = await startWeb({
      apiUrl: api.url,
      tilesUrl: tiles.url,
      dataDir: join(OUT, "explorer-web-data"),
      prefixDir: join(OUT, "explorer-nginx"),
    });
    const browser = await launchChromium(VIEWPORT);
    const { context } = browser;
    try {
      const page = await context.newPage();
      // tsx compiles this file with esbuild's keepNames, which wraps the page functions' inner named arrows in a
      // `__name(fn, "name")` helper that exists only in Node: the page gets an identity one.
      await page.addInitScript("globalThis.__name = (fn) => fn;");
      await page.goto(`${web.url}/#/9/6.13/49.81`);
      await page.waitForFunction(() => (window as unknown as MapWindow).__cosmo?.map?.loaded(), undefined, {
        timeout: 60_000,
      });
      for (const withNames of [true, false]) {
        await page.evaluate(
          ({ bounds, padding }) =>
            (window as unknown as MapWindow).__cosmo?.map.fitBounds(bounds, { padding, bearing: 0, animate: false }),
          { bounds: LUXEMBOURG, padding: FIT_PADDING_PX },
        );
        await page.evaluate(
          ({ layer, visible }) =>
            (window as unknown as MapWindow).__cosmo?.map.setLayoutProperty(
              layer,
              "visibility",
              visible ? "visible" : "none",
            ),
          { layer: LABEL_LAYER, visible: withNames },
        );
        // One unmeasured pass first: the tiles of every view of the moves are then in the browser.
        await settled(page, withNames);
        await recordFrames(page, SECONDS, true);
        const names = await settled(page, withNames);
        for (const moving of [false, true]) {
          const figures = frameFigures(await recordFrames(page, SECONDS, moving));
          rows[`${moving ? "moving" : "still"}, names ${withNames ? "drawn" : "hidden"}`] = { ...figures, names };
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    await web?.close();
    for (const s of services) await s.stop();
  }
  console.log(`explorer frames, all of Luxembourg in view (${VIEWPORT.width}×${VIEWPORT.height}), ${SECONDS} s a case`);
  console.log("| case | names drawn | frames | fps | dropped frames | longest frame | p95 frame |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, r] of Object.entries(rows))
    console.log(
      `| ${name} | ${r.names} | ${r.frames} | ${r.fps.toFixed(1)} | ${r.dropped} | ${r.longestMs.toFixed(1)} ms | ${r.p95Ms.toFixed(1)} ms |`,
    );
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "explorer.json"), `${JSON.stringify({ seconds: SECONDS, rows }, null, 2)}\n`);
  await dataset.db.close();
}

await main();
