// The explorer's pure modules (URL hash, names/labels per language, API and report normalisation).
import { describe, expect, it } from "vitest";
import { parseChangeReport, servedSide } from "../src/changes-report.ts";
import { comparisonPlan, featuresBBox } from "../src/compare.ts";
import { countsByType, filterRows, parseDashboard, sortRows } from "../src/dashboard-data.ts";
import { formatHash, parseHash } from "../src/hash.ts";
import { displayLabel, displayName, featureName, loadLanguage } from "../src/lang.ts";
import { basemapLabelFont, glyphsUrl, labelLayer, labelText } from "../src/style.ts";
import { listOf, normalizeZone, osmUrl, wikidataUrl } from "../src/zone.ts";
import { typeRank, ZONE_TYPES_TOP_DOWN } from "../src/zone-types.ts";

describe("URL hash", () => {
  it("round-trips view and selection in the old explorer's form", () => {
    expect(parseHash("#/12.5/6.13/49.61/407")).toEqual({ zoom: 12.5, lng: 6.13, lat: 49.61, id: "407" });
    expect(parseHash("#/3/-73.5/45.5")).toEqual({ zoom: 3, lng: -73.5, lat: 45.5 });
    const h = formatHash({ zoom: 9.25, lng: 6.123456789, lat: 49.6, id: "12" });
    // about one pixel of precision: 3 decimals at zoom 9, more when zoomed in
    expect(h).toBe("#/9.25/6.123/49.600/12");
    expect(formatHash({ zoom: 10, lng: 6, lat: 49 })).toBe("#/10/6.0000/49.0000");
    expect(formatHash({ zoom: 17.5, lng: 6.1234567, lat: 49 })).toBe("#/17.5/6.123457/49.000000");
    expect(parseHash(h)).toMatchObject({ zoom: 9.25, id: "12" });
  });

  it("ignores fragments that are not a view", () => {
    for (const bad of ["", "#", "#/dashboard", "#/a/b/c", "#/30/0/0", "#/5/200/0", "#/5/0/95"])
      expect(parseHash(bad), bad).toBeNull();
    expect(parseHash("#/5/1/2/not-an-id")).toEqual({ zoom: 5, lng: 1, lat: 2 });
  });
});

describe("names and labels per language", () => {
  const lux = normalizeZone({
    id: 12,
    name: "Luxembourg",
    label: "Luxembourg, Canton Luxembourg, Lëtzebuerg",
    international_labels: {
      de: "Luxemburg, Kanton Luxemburg, Luxemburg",
      fr: "Luxembourg (1009-2999), Canton Luxembourg, Luxembourg",
    },
  });

  it("takes the label in the chosen language and the name from its first part (zip suffix removed)", () => {
    expect(displayLabel(lux, "de")).toBe("Luxemburg, Kanton Luxemburg, Luxemburg");
    expect(displayName(lux, "de")).toBe("Luxemburg");
    expect(displayName(lux, "fr")).toBe("Luxembourg");
    expect(displayName(lux, "br")).toBe("Luxembourg"); // no label in that language: the local name
    expect(displayLabel(lux, "")).toBe("Luxembourg, Canton Luxembourg, Lëtzebuerg");
    expect(featureName({ name: "Lëtzebuerg", "name:de": "Luxemburg" }, "de")).toBe("Luxemburg");
    expect(featureName({ name: "Lëtzebuerg" }, "de")).toBe("Lëtzebuerg");
  });

  it("only accepts a stored language code that looks like one", () => {
    expect(loadLanguage({ getItem: () => "de" })).toBe("de");
    expect(loadLanguage({ getItem: () => "zh_Hant" })).toBe("zh_Hant");
    expect(loadLanguage({ getItem: () => "<script>" })).toBe("");
    expect(loadLanguage({ getItem: () => null })).toBe("");
  });
});

describe("names on the map", () => {
  it("shows name:<lang> when the zone has it, else the local name", () => {
    expect(labelText("de")).toEqual(["coalesce", ["get", "name:de"], ["get", "name"]]);
    expect(labelText("")).toEqual(["get", "name"]);
    const layer = labelLayer(["country"], "lb");
    expect(layer).toMatchObject({ type: "symbol", "source-layer": "zone_labels" });
    expect(layer.layout?.["text-field"]).toEqual(labelText("lb"));
    expect(layer.layout?.["text-font"]).toEqual(["DejaVu Sans"]);
  });

  it("on a basemap, uses the font its own symbol layers name where it brings glyphs, ours where it brings none", () => {
    const symbol = (font: unknown) =>
      ({ id: "x", type: "symbol", source: "s", layout: { "text-font": font } }) as never;
    const bg = { id: "bg", type: "background" } as never;
    expect(basemapLabelFont({ layers: [bg] })).toEqual(["DejaVu Sans"]);
    expect(
      basemapLabelFont({ glyphs: "https://b/{fontstack}/{range}.pbf", layers: [bg, symbol(["Noto Sans Regular"])] }),
    ).toEqual(["Noto Sans Regular"]);
    // An expression is not a font stack; the next layer's literal list is.
    expect(
      basemapLabelFont({
        glyphs: "https://b/{fontstack}/{range}.pbf",
        layers: [symbol(["literal", ["A"]]), symbol(["get", "f"]), symbol(["Open Sans Bold", "Arial Unicode MS Bold"])],
      }),
    ).toEqual(["Open Sans Bold", "Arial Unicode MS Bold"]);
    // Glyphs but no font named anywhere: none is known to exist there.
    expect(basemapLabelFont({ glyphs: "https://b/{fontstack}/{range}.pbf", layers: [bg] })).toBeNull();
  });

  it("asks for the glyphs served beside the page, placeholders kept", () => {
    expect(glyphsUrl("http://127.0.0.1:8080/#/9/6/49")).toBe("http://127.0.0.1:8080/fonts/{fontstack}/{range}.pbf");
    expect(glyphsUrl("https://example.org/explorer/index.html")).toBe(
      "https://example.org/explorer/fonts/{fontstack}/{range}.pbf",
    );
  });
});

describe("API zone normalisation", () => {
  it("reads the new shape and the old compat shape (bbox as GeoJSON polygon)", () => {
    const z = normalizeZone({
      id: 5,
      name: "Esch-sur-Alzette",
      zone_type: "city",
      admin_level: 8,
      osm_id: "relation:1",
      wikidata: "Q16010",
      zip_codes: ["4001", "4002"],
      country_code: "LU",
      parent: 3,
      nb_children: 4,
      bbox: {
        type: "Polygon",
        coordinates: [
          [
            [5.94, 49.46],
            [6.0, 49.46],
            [6.0, 49.51],
            [5.94, 49.51],
            [5.94, 49.46],
          ],
        ],
      },
      center: { type: "Point", coordinates: [5.98, 49.49] },
    });
    expect(z).toMatchObject({
      id: "5",
      zoneType: "city",
      adminLevel: 8,
      parent: "3",
      childCount: 4,
      bbox: [5.94, 49.46, 6.0, 49.51],
      center: [5.98, 49.49],
    });
    expect(normalizeZone({ id: 1, name: "x", bbox: [1, 2, 3, 4], parent: null }).bbox).toEqual([1, 2, 3, 4]);
    expect(listOf({ dataset: 1, zones: [{ id: 1 }] })).toHaveLength(1);
    expect(listOf({ parents: [1, 2] }, "parents")).toHaveLength(2);
    expect(osmUrl("relation:407489")).toBe("https://www.openstreetmap.org/relation/407489");
    expect(osmUrl("bogus")).toBeNull();
    expect(wikidataUrl("Q32")).toBe("https://www.wikidata.org/wiki/Q32");
    expect(wikidataUrl("javascript:1")).toBeNull();
  });

  it("orders zone types top-down with unknown types last", () => {
    expect(ZONE_TYPES_TOP_DOWN[0]).toBe("country");
    expect(typeRank("country")).toBeLessThan(typeRank("city"));
    expect(typeRank("suburb")).toBeLessThan(typeRank("non_administrative"));
    expect(typeRank("weird")).toBe(ZONE_TYPES_TOP_DOWN.length);
  });
});

describe("dashboard document", () => {
  const doc = {
    kind: "cosmo-dashboard",
    schemaVersion: 1,
    generatedAt: "2026-01-01T00:00:00Z",
    dataset: { kind: "version", version: 4, source: "lu.jsonl.gz", sha256: null, createdAt: null, zoneCount: 215 },
    summary: { zones: 215 },
    checks: [{ id: "names", title: "Zones have names" }],
    results: [
      {
        check: "names",
        country: "LU",
        zoneType: "city",
        adminLevel: 8,
        status: "warn",
        examined: 10,
        offending: 2,
        message: "2 unnamed",
        examples: [],
      },
    ],
    volumetric: [
      {
        columns: {
          wikidata_id: "Q32",
          name: "Luxembourg",
          country_code: "LU",
          zone_type: "city",
          expected_min: 100,
          expected_max: 110,
          is_known_failure: "",
        },
        total: 105,
        status: "ok",
        knownFailure: false,
        zoneId: 1,
      },
      {
        columns: {
          wikidata_id: "Q142",
          name: "France",
          country_code: "FR",
          zone_type: "state",
          expected_min: 17,
          expected_max: 19,
        },
        total: null,
        status: "skip",
        knownFailure: false,
        zoneId: null,
      },
      {
        columns: {
          wikidata_id: "Q32",
          name: "Luxembourg",
          country_code: "LU",
          zone_type: "state_district",
          expected_min: 12,
          expected_max: 12,
        },
        total: 13,
        status: "ko",
        knownFailure: true,
        zoneId: 1,
      },
    ],
  };

  it("reads rows, checks and the dataset summary", () => {
    const d = parseDashboard(doc);
    expect(d.datasetVersion).toBe("4");
    expect(d.zoneCount).toBe(215);
    expect(d.rows.map((r) => [r.name, r.zoneType, r.count, r.status, r.knownFailure, r.zoneId])).toEqual([
      ["Luxembourg", "city", 105, "ok", false, 1],
      ["France", "state", null, "skip", false, null],
      ["Luxembourg", "state_district", 13, "ko", true, 1],
    ]);
    expect(d.checks).toEqual([
      {
        check: "names",
        title: "Zones have names",
        country: "LU",
        zoneType: "city",
        status: "warn",
        examined: 10,
        offending: 2,
        message: "2 unnamed",
      },
    ]);
    expect(() => parseDashboard({ kind: "other" })).toThrow(/not a cosmo dashboard document/);
  });

  it("reads the old test_results.json array", () => {
    const d = parseDashboard([
      {
        wikidata_id: "Q32",
        name: "Luxembourg",
        zone_type: "city",
        expected_min: "100",
        expected_max: "110",
        total: 105,
        test_status: "ok",
        is_known_failure: "yes",
      },
    ]);
    expect(d.rows[0]).toMatchObject({ expectedMin: 100, count: 105, status: "ok", knownFailure: true, zoneId: null });
    // A skipped row: the old format's total -1 is "not counted", not a count.
    expect(parseDashboard([{ wikidata_id: "Q1", total: -1, test_status: "skip" }]).rows[0]).toMatchObject({
      count: null,
      status: "skip",
    });
  });

  it("sorts (failures first, empty values last), filters and counts", () => {
    const rows = parseDashboard(doc).rows;
    expect(sortRows(rows, "status", 1).map((r) => r.status)).toEqual(["ko", "ok", "skip"]);
    expect(sortRows(rows, "count", 1).map((r) => r.count)).toEqual([13, 105, null]);
    expect(sortRows(rows, "count", -1).map((r) => r.count)).toEqual([105, 13, null]);
    expect(filterRows(rows, "lu city", "").map((r) => r.zoneType)).toEqual(["city"]);
    expect(filterRows(rows, "", "skip").map((r) => r.name)).toEqual(["France"]);
    expect(countsByType(rows).get("city")).toEqual({ ok: 1, ko: 0, skip: 0 });
  });
});

describe("change report", () => {
  const side = (version: number) => ({
    kind: "version",
    version,
    source: `v${version}.jsonl.gz`,
    sha256: null,
    createdAt: null,
    zoneCount: 215,
  });
  const empty = { added: [], removed: [], renamed: [], retyped: [], reparented: [], geometryChanged: [] };
  const report = {
    schemaVersion: 1,
    kind: "cosmo-diff",
    generatedAt: "2026-01-01T00:00:00Z",
    old: side(1),
    new: side(2),
    totals: { added: 0, removed: 1, renamed: 3, retyped: 0, reparented: 0, geometryChanged: 0, unchanged: 200 },
    countriesRemoved: [],
    countriesAdded: [],
    groups: [
      {
        country: "LU",
        zoneType: "city",
        oldCount: 105,
        newCount: 104,
        counts: { added: 0, removed: 1, renamed: 2, retyped: 0, reparented: 0, geometryChanged: 0, unchanged: 100 },
        examples: {
          ...empty,
          renamed: [{ osmId: "relation:1", oldId: 10, newId: 20, name: "B", detail: "name: A → B" }],
          removed: [{ osmId: "relation:2", oldId: 11, newId: null, name: "C", detail: null }],
        },
      },
      {
        country: "LU",
        zoneType: "suburb",
        oldCount: 55,
        newCount: 55,
        counts: { added: 0, removed: 0, renamed: 0, retyped: 0, reparented: 0, geometryChanged: 0, unchanged: 55 },
        examples: { ...empty, renamed: [{ osmId: "node:3", oldId: 12, newId: 22, name: "D", detail: null }] },
      },
    ],
  };

  it("gathers examples per category across groups, with counts from the totals", () => {
    const r = parseChangeReport(report);
    const renamed = r.categories.find((c) => c.key === "renamed")!;
    expect(renamed.count).toBe(3);
    expect(renamed.zones.map((z) => [z.name, z.newId, z.zoneType])).toEqual([
      ["B", 20, "city"],
      ["D", 22, "suburb"],
    ]);
    expect(r.categories.find((c) => c.key === "removed")!.zones[0]).toMatchObject({ oldId: 11, newId: null });
    expect(r.unchanged).toBe(200);
    expect(r.categories.map((c) => c.key)).toEqual([
      "added",
      "removed",
      "renamed",
      "retyped",
      "reparented",
      "geometryChanged",
    ]);
    // only groups with a change are kept for the "By country and type" table
    expect(r.groups).toEqual([
      {
        country: "LU",
        zoneType: "city",
        oldCount: 105,
        newCount: 104,
        counts: { added: 0, removed: 1, renamed: 2, retyped: 0, reparented: 0, geometryChanged: 0 },
      },
    ]);
  });

  it("knows which side's ids the API can show", () => {
    const r = parseChangeReport(report);
    expect(servedSide(r, 2)).toBe("new");
    expect(servedSide(r, 1)).toBe("old");
    expect(servedSide(r, 7)).toBeNull();
    expect(servedSide(r, null)).toBeNull();
  });

  it("plans a changed zone's comparison: old side pinned to its version, the served side unpinned", () => {
    const r = parseChangeReport(report);
    const z = { osmId: "relation:5", oldId: 15, newId: 25, name: "E", detail: null, country: "LU", zoneType: "city" };
    expect(comparisonPlan(r, z, 2)).toEqual({
      old: { id: 15, version: 1, dataset: 1 },
      new: { id: 25, version: 2, dataset: null },
    });
    // neither side served (a refused publish): both read by version
    expect(comparisonPlan(r, z, 7)).toEqual({
      old: { id: 15, version: 1, dataset: 1 },
      new: { id: 25, version: 2, dataset: 2 },
    });
    expect(comparisonPlan(r, { ...z, oldId: null }, 2)).toBeNull();
    const fromFile = parseChangeReport({ ...report, old: { kind: "file", source: "/tmp/a.jsonl.gz", zoneCount: 1 } });
    expect(comparisonPlan(fromFile, z, 2)).toBeNull();
  });

  it("bounds of old and new geometry together", () => {
    const poly = (x: number) => ({
      type: "Feature" as const,
      properties: {},
      geometry: {
        type: "MultiPolygon" as const,
        coordinates: [
          [
            [
              [x, 49],
              [x + 1, 49],
              [x + 1, 50],
              [x, 49],
            ],
          ],
        ],
      },
    });
    expect(featuresBBox([poly(6), poly(6.5)])).toEqual([6, 49, 7.5, 50]);
    expect(featuresBBox([null, poly(1)])).toEqual([1, 49, 2, 50]);
    expect(featuresBBox([null, null])).toBeNull();
  });

  it("refuses documents that are not a version-1 diff report", () => {
    expect(() => parseChangeReport({ kind: "cosmo-diff", schemaVersion: 2 })).toThrow(
      /schemaVersion 2 is not supported/,
    );
    expect(() => parseChangeReport([])).toThrow(/not a cosmo diff report/);
  });
});
