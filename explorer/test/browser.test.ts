// The explorer in Debian's Chromium (playwright-core) against real nginx, the real API and tile services and
// PostGIS holding the imported Luxembourg extraction (two versions, so the Changes view has a report to show).
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../../api/server.ts";
import { projectPath } from "../../core/paths.ts";
import { type TestDatabase, testConfig, testDatabase, tmpDir } from "../../core/testing.ts";
import { oldTestResults, runDashboard } from "../../dashboard/dashboard.ts";
import { diffDatasets } from "../../dashboard/diff.ts";
import { extractedLuxembourg } from "../../extractor/test-fixture.ts";
import { importZonesFile } from "../../importer/import.ts";
import { startTilesServer } from "../../tiles/server.ts";
import { startWeb, type WebServer } from "../web.ts";
import { type HeadlessChromium, launchChromium, recordProblems } from "./chromium.ts";

const SCREENSHOTS = projectPath("test-results/screenshots");
const RENAMED_SUFFIX = " (renamed in v2)";
/** The commune whose boundary version 2 moves east by MOVED_DLON degrees (≈ 1.4 km). */
const MOVED_CITY = "Mersch";
const MOVED_DLON = 0.02;
let movedOsm = "";

/** GeoJSON coordinates (any nesting) moved east by `dLon` degrees. */
function shifted(v: unknown, dLon: number): unknown {
  if (Array.isArray(v) && typeof v[0] === "number") return [v[0] + dLon, ...v.slice(1)];
  return Array.isArray(v) ? v.map((x) => shifted(x, dLon)) : v;
}

/** Big temporary folders (zones copy) removed after the run; nginx logs are kept. */
const scratch: string[] = [];

type ZoneLine = Record<string, unknown> & { name: string; zone_type: string; osm_id: string };

/** A copy of a .jsonl.gz zones file with each zone passed through `edit`. */
async function editedCopy(file: string, edit: (zone: ZoneLine) => ZoneLine): Promise<string> {
  const dir = tmpDir("explorer-zones");
  scratch.push(dir);
  const out = join(dir, "edited.jsonl.gz");
  const lines = createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  async function* edited() {
    for await (const line of lines) if (line.trim()) yield `${JSON.stringify(edit(JSON.parse(line) as ZoneLine))}\n`;
  }
  await pipeline(Readable.from(edited()), createGzip(), createWriteStream(out));
  return out;
}

interface Zone {
  id: number;
  name: string;
  zone_type: string;
  osm_id: string;
  center: { coordinates: [number, number] } | null;
}

describe("explorer in Chromium", () => {
  let db: TestDatabase;
  let services: { close(): Promise<void> }[] = [];
  let web: WebServer;
  let browser: HeadlessChromium;
  let context: BrowserContext;
  let page: Page;
  let luxCity: Zone;
  let renamed: Zone;
  const problems: string[] = [];
  /** URLs of the zones tiles the page asked for. */
  const tileRequests: string[] = [];
  let servedVersion = 0;

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${web.url}/api${path}`);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  /** Wait until the side panel shows `name` (the zone's own heading). */
  async function panelShows(name: string): Promise<void> {
    await page
      .locator("#zone-name")
      .filter({ hasText: new RegExp(`^${name}$`) })
      .waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    const t0 = performance.now();
    const file = await extractedLuxembourg();
    db = await testDatabase("explorer");
    await importZonesFile(db, file, { publish: true, progress: false });
    // Version 2: one commune renamed, so the change report has an entry linking to a served zone, and one
    // commune's boundary moved east, so it has a geometry change to draw old and new.
    let renamedOsm = "";
    const v2 = await editedCopy(file, (z) => {
      if (!renamedOsm && z.zone_type === "city" && z.name === "Differdange") {
        renamedOsm = z.osm_id;
        return { ...z, name: `${z.name}${RENAMED_SUFFIX}` };
      }
      if (!movedOsm && z.zone_type === "city" && z.name === MOVED_CITY) {
        movedOsm = z.osm_id;
        const g = z.geometry as { type: string; coordinates: unknown };
        return { ...z, geometry: { ...g, coordinates: shifted(g.coordinates, MOVED_DLON) } };
      }
      return z;
    });
    expect(renamedOsm).not.toBe("");
    expect(movedOsm).not.toBe("");
    const second = await importZonesFile(db, v2, {
      publish: true,
      force: true,
      forcedBy: "explorer test",
      reason: "second version",
      progress: false,
    });

    servedVersion = second.version;
    const config = testConfig({ db });
    const dataDir = tmpDir("explorer-www");
    mkdirSync(join(dataDir, "dashboard"), { recursive: true });
    mkdirSync(join(dataDir, "diff"), { recursive: true });
    const dashboard = await runDashboard(db, { kind: "served" }, { reference: projectPath(config.data.reference) });
    writeFileSync(join(dataDir, "dashboard", "latest.json"), JSON.stringify(dashboard));
    writeFileSync(join(dataDir, "test_results.json"), JSON.stringify(oldTestResults(dashboard)));
    const diff = await diffDatasets(
      { kind: "version", version: second.version - 1 },
      { kind: "version", version: second.version },
      { db },
    );
    writeFileSync(join(dataDir, "diff", "latest.json"), JSON.stringify(diff));

    const apiServer = await startApiServer({ db, port: 0, host: "127.0.0.1", config });
    const tiles = await startTilesServer({ db, port: 0, host: "127.0.0.1", config });
    services = [apiServer, tiles];
    web = await startWeb({ apiUrl: apiServer.url, tilesUrl: tiles.url, dataDir, prefixDir: tmpDir("nginx") });
    services.push(web);

    const cities = await api<{ zones: Zone[] }>("/zones?q=Luxembourg&type=city&limit=5");
    luxCity = cities.zones.find((z) => z.osm_id === "relation:407489") as Zone;
    expect(luxCity).toBeTruthy();
    renamed = (await api<{ zones: Zone[] }>(`/zones?q=${encodeURIComponent("Differdange")}&type=city&limit=5`))
      .zones[0];
    expect(renamed.name).toBe(`Differdange${RENAMED_SUFFIX}`);

    browser = await launchChromium();
    context = browser.context;
    page = await context.newPage();
    // Any console error, failed request or CSP violation is a defect the assertions might not see.
    recordProblems(page, problems);
    page.on("request", (r) => {
      if (r.url().includes("/tiles/zones/")) tileRequests.push(r.url());
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    console.log(
      `explorer browser test setup: ${Math.round(performance.now() - t0)} ms (2 imports, dashboard, diff, services)`,
    );
  });

  afterAll(async () => {
    try {
      await browser?.close();
      for (const s of services.reverse()) await s.close();
      await db?.close();
    } finally {
      for (const d of scratch) rmSync(d, { recursive: true, force: true });
    }
  });

  it("renders zones from the vector tiles and reports the time to first zones", async () => {
    const t0 = Date.now();
    await page.goto(`${web.url}/#/9/6.1/49.75`);
    const handle = await page.waitForFunction(
      () => {
        const cosmo = (window as unknown as { __cosmo?: { map: import("maplibre-gl").Map } }).__cosmo;
        if (!cosmo?.map.getLayer("zones-fill")) return null;
        const features = cosmo.map.queryRenderedFeatures({ layers: ["zones-fill"] });
        return features.length
          ? {
              n: features.length,
              at: performance.now(),
              names: features.map((f) => String(f.properties.name)),
              types: features.map((f) => String(f.properties.zone_type)),
            }
          : null;
      },
      undefined,
      { timeout: 30_000, polling: "raf" },
    );
    const first = (await handle.jsonValue()) as { n: number; at: number; names: string[]; types: string[] };
    const wall = Date.now() - t0;
    console.log(
      `time to first rendered zones: ${Math.round(first.at)} ms after navigation start (in page), ${wall} ms wall clock incl. page.goto; ${first.n} features`,
    );
    // Where the time goes: when each resource finished, relative to navigation start.
    const timeline = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map(
          (e) =>
            `${e.name.replace(location.origin, "").replace(/\/assets\/(.+?)-[\w-]+\.js/, "/assets/$1.js")} ${Math.round((e as PerformanceResourceTiming).responseEnd)}`,
        )
        .slice(0, 12)
        .join(", "),
    );
    console.log(`resources done at (ms): ${timeline}`);
    expect(first.names).toContain("Lëtzebuerg");
    expect(first.types).toContain("country");
    // Let the visible tiles finish, then count what the map drew: every type present at this zoom.
    await page.waitForFunction(
      () => (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.areTilesLoaded(),
      undefined,
      { timeout: 20_000 },
    );
    const types = await page.evaluate(() => {
      const map = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map;
      return [
        ...new Set(map.queryRenderedFeatures({ layers: ["zones-fill"] }).map((f) => f.properties.zone_type)),
      ].sort();
    });
    expect(types).toEqual(expect.arrayContaining(["city", "country", "state_district"]));
    // every tile URL names the served version (from the TileJSON), so a publish never shows cached old tiles
    expect(tileRequests.length).toBeGreaterThan(0);
    expect(tileRequests.filter((u) => !u.endsWith(`.pbf?v=${servedVersion}`))).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, "map-initial.png") });
  });

  it("hides a zone type with its filter button", async () => {
    const count = () =>
      page.evaluate(
        () =>
          (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map
            .queryRenderedFeatures({ layers: ["zones-fill"] })
            .filter((f) => f.properties.zone_type === "city").length,
      );
    expect(await count()).toBeGreaterThan(0);
    await page.click('[data-type="city"]');
    await expect.poll(count).toBe(0);
    await page.click('[data-type="city"]');
    await expect.poll(count).toBeGreaterThan(0);
  });

  it("clicking Luxembourg City (via the overlap picker) shows its parents and children", async () => {
    await page.evaluate(() =>
      (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.jumpTo({
        center: [6.13, 49.611],
        zoom: 12,
      }),
    );
    await page.waitForFunction(
      () => (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.areTilesLoaded(),
      undefined,
      { timeout: 20_000 },
    );
    const [x, y] = await page.evaluate(() => {
      const p = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.project([
        6.1296, 49.6113,
      ]);
      return [p.x, p.y];
    });
    const box = (await page.locator("#map").boundingBox())!;
    await page.mouse.move(box.x + x, box.y + y);
    await page.locator(".hover-popup").waitFor();
    expect(await page.locator(".hover-popup").textContent()).toContain("Luxembourg");
    // the zones under the cursor are the ones highlighted
    const hovered = await page.evaluate(() =>
      JSON.stringify(
        (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.getFilter("zones-hover"),
      ),
    );
    expect(hovered).toMatch(new RegExp(`[[,]${luxCity.id}[\\],]`));
    await page.mouse.click(box.x + x, box.y + y);
    const item = page.locator(`#picker [data-zone-id="${luxCity.id}"]`);
    await item.waitFor();
    expect(await page.locator("#picker [data-zone-id]").count()).toBeGreaterThan(2); // country, canton, city, quarter
    await item.click();
    await panelShows("Luxembourg");
    await expect.poll(() => page.locator("#parents").textContent()).toMatch(/Lëtzebuerg[\s\S]*Canton Luxembourg/);
    const children = page.locator(".children .tree > li");
    expect(await children.count()).toBeGreaterThan(10);
    // The lazily loaded tree: open the first child with a count and see its own children arrive.
    const expandable = page.locator(".children .tree > li button.toggle").first();
    if ((await expandable.count()) > 0) {
      await expandable.click();
      await page.locator(".children .tree > li .subtree li").first().waitFor();
    }
    expect(page.url()).toMatch(new RegExp(`#/[\\d.]+/[\\d.-]+/[\\d.-]+/${luxCity.id}$`));
    await page.waitForFunction(() =>
      (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.areTilesLoaded(),
    );
    await page.screenshot({ path: join(SCREENSHOTS, "map-luxembourg-city.png") });
  });

  it("search 'esch' finds Esch-sur-Alzette and selects it with the keyboard", async () => {
    await page.fill("#search", "esch");
    const option = page.locator("#search-results [role=option]", { hasText: "Esch-sur-Alzette" }).first();
    await option.waitFor();
    const options = await page.locator("#search-results [role=option] .option-name").allTextContents();
    const index = options.indexOf("Esch-sur-Alzette");
    expect(index).toBeGreaterThanOrEqual(0);
    await page.focus("#search");
    for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await panelShows("Esch-sur-Alzette");
    const id = await page
      .locator("#zone-name")
      .evaluate(
        () => (window as unknown as { __cosmo: { selection: { zone: { id: string } } } }).__cosmo.selection.zone.id,
      );
    await expect.poll(() => page.url()).toMatch(new RegExp(`/${id}$`));
    // flew there: the map centre is inside Esch's bbox
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.getCenter().toArray(),
          ),
        { timeout: 10_000 },
      )
      .toSatisfy(([lng, lat]: number[]) => lng > 5.94 && lng < 6.01 && lat > 49.46 && lat < 49.52);
  });

  it("the URL restores the selection after a reload, and back returns to the previous zone", async () => {
    await page.reload();
    await panelShows("Esch-sur-Alzette");
    await page.goBack(); // to Luxembourg City's entry
    await panelShows("Luxembourg");
    await page.goForward();
    await panelShows("Esch-sur-Alzette");
  });

  it("the language switch shows German labels and is remembered", async () => {
    await page.goto(`${web.url}/#/12/6.13/49.61/${luxCity.id}`);
    await panelShows("Luxembourg");
    expect(await page.locator("#zone-label").textContent()).toBe("Luxembourg, Canton Luxembourg, Lëtzebuerg");
    await page.selectOption("#lang", "de");
    await expect.poll(() => page.locator("#zone-label").textContent()).toBe("Luxemburg, Kanton Luxemburg, Luxemburg");
    expect(await page.locator("#zone-name").textContent()).toBe("Luxemburg");
    await page.reload();
    await expect.poll(() => page.locator("#zone-label").textContent()).toBe("Luxemburg, Kanton Luxemburg, Luxemburg");
    expect(await page.inputValue("#lang")).toBe("de");
    // The names on the map (tile service mode) start in the remembered language too.
    const mapNames = await page.waitForFunction(
      () => {
        const map = (window as unknown as { __cosmo?: { map: import("maplibre-gl").Map } }).__cosmo?.map;
        if (!map?.getLayer("zones-labels")) return null;
        // The country's name (placed first: symbol-sort-key) once its tile is drawn; which communes' names fit
        // around it depends on the collisions of the moment.
        const drawn = map.queryRenderedFeatures({ layers: ["zones-labels"] }).map((f) => f.properties.name);
        return drawn.includes("Lëtzebuerg")
          ? { field: map.getLayoutProperty("zones-labels", "text-field"), names: drawn.length }
          : null;
      },
      undefined,
      { timeout: 20_000 },
    );
    expect(await mapNames.jsonValue()).toMatchObject({
      field: ["coalesce", ["get", "name:de"], ["get", "name"]],
      names: expect.any(Number),
    });
    await page.selectOption("#lang", "");
    await expect
      .poll(() => page.locator("#zone-label").textContent())
      .toBe("Luxembourg, Canton Luxembourg, Lëtzebuerg");
  });

  it("'What is here?' on right-click lists every zone containing the point", async () => {
    const box = (await page.locator("#map").boundingBox())!;
    const [x, y] = await page.evaluate(() => {
      const p = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map.project([
        6.1296, 49.6113,
      ]);
      return [p.x, p.y];
    });
    await page.mouse.click(box.x + x, box.y + y, { button: "right" });
    const list = page.locator("#whats-here .zone-list");
    await list.waitFor();
    const text = await list.textContent();
    expect(text).toContain("Lëtzebuerg");
    expect(text).toContain("Canton Luxembourg");
    expect(await page.locator(`#whats-here [data-zone-id="${luxCity.id}"]`).count()).toBe(1);
    await page.keyboard.press("Escape");
    await page.locator("#whats-here").waitFor({ state: "detached" });
  });

  it("downloads the selected zone as valid GeoJSON", async () => {
    await panelShows("Luxembourg");
    const href = await page.locator("#download").getAttribute("href");
    expect(href).toBe(`/api/zones/${luxCity.id}/geometry`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const path = await download.path();
    const { readFileSync } = await import("node:fs");
    const feature = JSON.parse(readFileSync(path, "utf8"));
    expect(feature.type).toBe("Feature");
    expect(feature.geometry.type).toBe("MultiPolygon");
    expect(feature.properties.name).toBe("Luxembourg");
    const ring = feature.geometry.coordinates[0][0] as number[][];
    expect(ring.length).toBeGreaterThan(10);
    expect(ring[0]).toEqual(ring.at(-1));
    expect(download.suggestedFilename()).toMatch(/\.geojson$/);
  });

  it("the Changes view lists the renamed zone and selects it on the map", async () => {
    await page.click('[data-tab="changes"]');
    const renamedCat = page.locator('[data-category="renamed"]');
    await renamedCat.waitFor();
    expect(await renamedCat.locator("summary .count").textContent()).toBe("1");
    await renamedCat.locator(`[data-zone-id="${renamed.id}"]`).click();
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (window as unknown as { __cosmo: { selection: { zone: { name: string } } | null } }).__cosmo.selection?.zone
              .name,
        ),
      )
      .toBe(renamed.name);
    expect(await page.locator("#changes-summary").textContent()).toMatch(/version \d+ → version \d+ · 2 changes/);
    // by country and type: one LU city renamed, one moved (columns: country, type, zones, then the categories
    // that occur)
    const cityRow = page.locator("#change-groups tbody tr", { hasText: "City" });
    expect(await cityRow.locator("td").allTextContents()).toEqual([
      "LU",
      "City",
      expect.stringMatching(/^\d+$/),
      "1",
      "1",
    ]);
    expect(await page.locator("#change-groups thead th").allTextContents()).toEqual([
      "Country",
      "Type",
      "Zones",
      "Renamed",
      "Geometry changed",
    ]);
    // the flight to the zone has ended and its tiles are drawn
    await page.waitForFunction(() => {
      const map = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map;
      return !map.isMoving() && map.areTilesLoaded();
    });
    await page.screenshot({ path: join(SCREENSHOTS, "changes.png") });
  });

  it("the Changes view draws a moved zone's old and new boundary together", async () => {
    await page.click('[data-tab="changes"]');
    const cat = page.locator('[data-category="geometryChanged"]');
    await cat.waitFor();
    expect(await cat.locator("summary .count").textContent()).toBe("1");
    const link = cat.locator("[data-compare]");
    expect(await link.textContent()).toBe(MOVED_CITY);
    const versions = await api<{ served: number }>("/datasets");
    await link.click();

    type Fc = { features: { properties: { dataset: number; osm_id: string }; geometry: { coordinates: unknown } }[] };
    const drawn = async () =>
      page.evaluate(async () => {
        const map = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map;
        const data = async (id: string) =>
          (await (map.getSource(id) as import("maplibre-gl").GeoJSONSource).getData()) as unknown;
        return {
          old: await data("compare-old"),
          new: await data("compare-new"),
          layers: ["compare-old-line", "compare-new-fill", "compare-new-line"].filter((l) => map.getLayer(l)),
          legend: document.querySelector("#compare-legend:not([hidden])")?.textContent ?? null,
        };
      }) as Promise<{ old: Fc; new: Fc; layers: string[]; legend: string | null }>;
    await expect.poll(async () => (await drawn()).new.features.length + (await drawn()).old.features.length).toBe(2);
    const d = await drawn();
    expect(d.layers).toHaveLength(3);
    expect(d.old.features).toHaveLength(1);
    expect(d.new.features).toHaveLength(1);
    const [o, n] = [d.old.features[0], d.new.features[0]];
    expect(o?.properties).toMatchObject({ osm_id: movedOsm, dataset: versions.served - 1 });
    expect(n?.properties).toMatchObject({ osm_id: movedOsm, dataset: versions.served });
    // the same boundary, moved east: first vertex shifted by MOVED_DLON
    const first = (f: typeof o) => (JSON.stringify(f?.geometry.coordinates).match(/-?[\d.]+/g) ?? []).map(Number);
    expect((first(n)[0] ?? 0) - (first(o)[0] ?? 0)).toBeCloseTo(MOVED_DLON, 6);
    expect(d.legend).toContain(`old, version ${versions.served - 1}`);
    expect(d.legend).toContain(`new, version ${versions.served}`);
    // both outlines are rendered and the view covers them
    await page.waitForFunction(() => {
      const map = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map;
      return !map.isMoving() && map.areTilesLoaded();
    });
    const rendered = await page.evaluate(() => {
      const map = (window as unknown as { __cosmo: { map: import("maplibre-gl").Map } }).__cosmo.map;
      const count = (layer: string) => map.queryRenderedFeatures({ layers: [layer] }).length;
      return { old: count("compare-old-line"), new: count("compare-new-fill") };
    });
    expect(rendered.old).toBeGreaterThan(0);
    expect(rendered.new).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, "changes-geometry.png") });
    // selecting another zone removes the comparison
    await page.locator('[data-category="renamed"] [data-zone-id]').click();
    await expect.poll(async () => (await drawn()).new.features.length).toBe(0);
    expect((await drawn()).legend).toBeNull();
  });

  it("the dashboard page lists rows, sorts and filters them", async () => {
    await page.goto(`${web.url}/dashboard.html`);
    await page.waitForSelector("body[data-ready]");
    const rows = page.locator("#results tbody tr");
    const total = await rows.count();
    expect(total).toBeGreaterThan(200); // the reference CSV has 264 rows
    expect(await page.locator("#results tbody").textContent()).toContain("Luxembourg");
    await page.click('[data-sort="name"]');
    const names = await page
      .locator("#results tbody tr td:nth-child(2) a:first-child, #results tbody tr td:nth-child(2)")
      .allTextContents();
    expect(names.length).toBeGreaterThan(0);
    await page.fill("#filter", "LU");
    await expect.poll(() => rows.count()).toBeLessThan(total);
    await page.selectOption("#status-filter", "ok");
    const statuses = await page.locator("#results tbody .pill").allTextContents();
    expect(statuses.every((s) => s === "ok")).toBe(true);
    expect(await page.locator("#dataset-version").textContent()).toMatch(/^\d+$/);
    expect(await page.locator("#chart svg rect").count()).toBeGreaterThan(0);
    await page.fill("#filter", "");
    await page.selectOption("#status-filter", "");
    await page.click('[data-sort="status"]'); // ascending status = failures first, then ok, skip last
    expect(await page.locator("#results tbody .pill").first().textContent()).not.toBe("skip");
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard.png"), fullPage: false });
    // A row's zone links to the map, which selects it.
    await page.fill("#filter", "Q32");
    await page.locator('#results tbody a[href^="/?zone="]').first().click();
    await panelShows("Lëtzebuerg");
    expect(page.url()).toMatch(/\/#\/[\d.]+\/[\d.-]+\/[\d.-]+\/\d+$/);
  });

  it("works at phone width", async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 800 });
    await phone.goto(`${web.url}/#/11/6.13/49.61/${luxCity.id}`);
    await phone
      .locator("#zone-name")
      .filter({ hasText: /^Luxembourg$/ })
      .waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const mapBox = (await phone.locator("#map canvas").boundingBox())!;
    expect(mapBox.width).toBeGreaterThan(380);
    expect(await phone.locator("#panel-toggle").isVisible()).toBe(true);
    await phone.screenshot({ path: join(SCREENSHOTS, "phone.png") });
    await phone.close();
  });

  it("shows a message, not a blank page, when the API is down", async () => {
    const dead = await startWeb({
      apiUrl: "http://127.0.0.1:9",
      tilesUrl: "http://127.0.0.1:9",
      dataDir: tmpDir("explorer-empty"),
      prefixDir: tmpDir("nginx"),
      build: false,
    });
    const p = await context.newPage();
    try {
      await p.goto(`${dead.url}/#/9/6.1/49.75/123`);
      await p.locator("#status.error", { hasText: "API: service unavailable" }).waitFor();
      await p.locator("#status.error", { hasText: "Tiles: cannot read /tiles/zones.json (HTTP 503)" }).waitFor();
      await p.locator(".empty-state h2", { hasText: "Zone not available" }).waitFor();
    } finally {
      await p.close();
      await dead.close();
    }
  });

  it("had no console errors, failed requests or CSP violations", () => {
    expect(problems).toEqual([]);
  });
});
